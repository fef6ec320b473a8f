"""Atomic run folders: written in a temporary folder, moved into place when complete.

The temporary folder is a hidden sibling of the target (same file system,
so the final move is a rename). If the work fails or is interrupted
(Ctrl-C), the temporary folder is removed and the target is untouched.
"""

import os
import shutil
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

__all__ = ["OutputExistsError", "check_target", "staged_directory"]


class OutputExistsError(ValueError):
    """The target folder exists, is not empty, and overwriting was not asked for."""


def check_target(target, *, force=False):
    """Raise unless `target` may receive a run (absent, empty, or `force`).

    Raises
    ------
    OutputExistsError
        If `target` is a non-empty folder and not `force`.
    ValueError
        If `target` exists and is not a folder.
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise ValueError(f"--out {target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise OutputExistsError(f"--out {target} exists and is not empty; use --force to "
                                "replace it")


@contextmanager
def staged_directory(target, *, force=False):
    """Yield a temporary folder; on success it replaces `target` in one rename.

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
    target = Path(target)
    check_target(target, force=force)
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(stage, 0o777 & ~umask)  # mkdtemp's 0700 is for the hidden stage only
        yield stage
        check_target(target, force=force)  # another process may have written it meanwhile
        _publish(stage, target)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def _publish(stage, target):
    if not target.exists():
        os.rename(stage, target)
        return
    aside = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
    os.rename(target, aside)
    try:
        os.rename(stage, target)
    except BaseException:
        os.rename(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)
