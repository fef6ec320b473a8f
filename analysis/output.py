"""Atomic run folders: written in a temporary folder, moved into place when complete.

The temporary folder ("stage") is a hidden sibling of the target (same file
system, so the final move is a rename). If the work fails or is interrupted
(Ctrl-C, SIGTERM), the stage is removed and the target is untouched.

A process killed outright (SIGKILL, power loss) cannot clean up, so each
stage carries its owner in its name, ``.NAME.partial-PID-START-XXXX``: the
owner's process id and its start time (clock ticks since boot, from
``/proc``; 0 where unknown), which tells a live owner from a new process
that reuses the id. Before a run creates its stage, `remove_stale_stages`
removes the stages beside it whose owner is gone. The previous run set
aside while a new one replaces it (``.NAME.old-PID-START-XXXX``) is named
the same way: if its owner died before removing it, it is put back when
the target is missing and removed otherwise. The owner is in the name, not
in a file inside, so that there is no moment when a stage exists without
its owner, and nothing to remove from it before it is published.
"""

import os
import re
import shutil
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

__all__ = ["TargetError", "OutputExistsError", "check_target", "staged_directory",
           "remove_stale_stages", "RUN_MARKER"]

#: The file that makes a folder a run folder (``--force`` replaces only those).
RUN_MARKER = "metadata.json"

_STAGE_NAME = re.compile(r"^\.(?P<name>.+)\.(?P<kind>partial|old)-(?P<pid>\d+)-(?P<start>\d+)-"
                         r"[A-Za-z0-9_]+$")


class TargetError(ValueError):
    """The target folder cannot receive a run (exists as a file, not a run folder, ...)."""


class OutputExistsError(TargetError):
    """The target folder exists, is not empty, and overwriting was not asked for."""


def check_target(target, *, force=False, option="--out"):
    """Raise unless `target` may receive a run (absent, empty, or a run folder and `force`).

    A symbolic link to a folder stands for that folder.

    Raises
    ------
    OutputExistsError
        If `target` is a non-empty folder and not `force`.
    TargetError
        (a `ValueError`) if `target` is empty text, exists and is not a
        folder, is a broken link, contains the current folder, or is a
        non-empty folder that is not a run folder (no ``metadata.json``):
        `force` replaces only runs.
    """
    if str(target).strip() == "":
        raise TargetError(f"{option} must not be empty")
    target = Path(target)
    if target.is_symlink() and not target.exists():
        raise TargetError(f"{option} {target} is a symbolic link to a missing folder")
    if target.exists() and not target.is_dir():
        raise TargetError(f"{option} {target} exists and is not a folder")
    real = target.resolve()
    if real == Path(real.anchor) or Path.cwd().resolve().is_relative_to(real):
        raise TargetError(f"{option} {target} contains the current folder; choose a new "
                          "folder")
    if not target.is_dir() or not any(target.iterdir()):
        return
    if not force:
        raise OutputExistsError(f"{option} {target} exists and is not empty; use --force to "
                                "replace it")
    if not (target / RUN_MARKER).is_file():
        raise TargetError(f"{option} {target} is not empty and is not a run folder (no "
                         f"{RUN_MARKER}); --force replaces only run folders")


@contextmanager
def staged_directory(target, *, force=False, option="--out"):
    """Yield a temporary folder; on success it replaces `target` in one rename.

    A symbolic link `target` keeps pointing to the (new) folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> with staged_directory(root / "run") as stage:
    ...     _ = (stage / "a.txt").write_text("done")
    >>> sorted(p.name for p in (root / "run").iterdir())
    ['a.txt']
    >>> try:
    ...     with staged_directory(root / "other") as stage:
    ...         raise KeyboardInterrupt
    ... except KeyboardInterrupt:
    ...     pass
    >>> sorted(p.name for p in root.iterdir())
    ['run']
    """
    check_target(target, force=force, option=option)
    target = Path(target).resolve() if Path(target).is_symlink() else Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_stages(target.parent)
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-{_owner()}-",
                                  dir=target.parent))
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(stage, 0o777 & ~umask)  # mkdtemp's 0700 is for the hidden stage only
        yield stage
        # Another process may have written the target meanwhile.
        check_target(target, force=force, option=option)
        _publish(stage, target)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def _publish(stage, target):
    if not target.exists():
        os.rename(stage, target)
        return
    aside = target.with_name(f".{target.name}.old-{_owner()}-{uuid.uuid4().hex[:8]}")
    os.rename(target, aside)
    try:
        os.rename(stage, target)
    except BaseException:
        os.rename(aside, target)
        raise
    _remove(aside)


def _remove(path):
    """Remove a folder, or only the link if `path` is a symbolic link."""
    if path.is_symlink():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


def remove_stale_stages(parent):
    """Remove the stages in `parent` whose owner process is gone; return their names.

    Stages of live processes are left alone. A previous run set aside by a
    process that died is put back if its target is missing, else removed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / ".run.partial-999999999-1-abcd").mkdir()  # no such process
    >>> (root / f".run.partial-{_owner()}-abcd").mkdir()  # this process: alive
    >>> remove_stale_stages(root)
    ['.run.partial-999999999-1-abcd']
    >>> [p.name for p in root.iterdir()] == [f".run.partial-{_owner()}-abcd"]
    True
    """
    removed = []
    try:
        entries = sorted(Path(parent).iterdir())
    except OSError:
        return removed
    for path in entries:
        match = _STAGE_NAME.match(path.name)
        if not match or not (path.is_dir() or path.is_symlink()):
            continue
        if _alive(int(match["pid"]), int(match["start"])):
            continue
        original = path.with_name(match["name"])
        if match["kind"] == "old" and not original.exists() and not original.is_symlink():
            try:
                os.rename(path, original)  # the previous run comes back
                continue
            except OSError:
                pass
        _remove(path)
        removed.append(path.name)
    return removed


def _owner():
    """``PID-START`` of this process, as stage names carry it."""
    return f"{os.getpid()}-{_start_time(os.getpid()) or 0}"


def _start_time(pid):
    """Start time of process `pid` in clock ticks since boot (Linux); None if unknown.

    A zombie (exited, not yet reaped) counts as gone: -1.
    """
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        # proc(5): field 3 is the state, field 22 the start time; fields 1-2 precede ')'.
        return -1 if fields[0] == b"Z" else int(fields[19])
    except (OSError, IndexError, ValueError):
        return None


def _alive(pid, start):
    """Whether process `pid`, started at `start` (0: unknown), is running."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, owned by someone else
    except OSError:
        return True
    now = _start_time(pid)
    return now != -1 and not (start and now is not None and now != start)
