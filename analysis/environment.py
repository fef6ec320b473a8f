"""Where and with what a run was made: versions, CPU, git commit, date, command."""

import datetime
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

__all__ = ["describe_environment", "utc_timestamp"]

_PACKAGES = ("numdiff", "numpy", "pandas", "matplotlib", "mpmath")
_GIT_TIMEOUT = 5.0


def describe_environment(argv=None):
    """Facts about this run, as plain JSON-ready values.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after ``python -m analysis``; recorded as the command.

    Returns
    -------
    dict
        ``date`` (UTC, ISO 8601), ``command``, ``python``, ``platform``,
        ``cpu``, ``cores``, ``versions`` (package -> version) and ``git``
        (commit, and whether tracked files had changes).

    Examples
    --------
    >>> facts = describe_environment(["--quiet"])
    >>> facts["command"], sorted(facts["versions"])[:2]
    ('python -m analysis --quiet', ['matplotlib', 'mpmath'])
    """
    import shlex

    command = "python -m analysis"
    if argv:
        command += " " + shlex.join(list(argv))
    return {
        "date": utc_timestamp(),
        "command": command,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu": _cpu_name(),
        "cores": os.cpu_count(),
        "versions": {name: _version(name) for name in sorted(_PACKAGES)},
        "git": _git(),
    }


def utc_timestamp():
    """The current time in UTC, ISO 8601 to the second (the ``date`` of a run).

    Examples
    --------
    >>> stamp = utc_timestamp()
    >>> len(stamp), stamp[10], stamp.endswith("+00:00")
    (25, 'T', True)
    """
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        module = sys.modules.get(name)
        return getattr(module, "__version__", "not installed")


def _cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _git():
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], check=True,
                                capture_output=True, text=True, timeout=_GIT_TIMEOUT)
        changes = subprocess.run(["git", "-C", str(root), "status", "--porcelain",
                                  "--untracked-files=no"], check=True, capture_output=True,
                                 text=True, timeout=_GIT_TIMEOUT)
    except (OSError, subprocess.SubprocessError):
        return {"commit": "unknown", "modified": None}
    return {"commit": commit.stdout.strip(), "modified": bool(changes.stdout.strip())}
