"""The process pool of a run: workers that never outlive it.

`worker_pool` starts the processes that run the sweeps (``--workers``) and
stops them on every way out of the run. On success it waits for them; on an
error, Ctrl-C or SIGTERM it cancels the queued work and terminates the
workers at once, without waiting for a call of ``f`` that may never end.
Each worker ignores SIGINT (Ctrl-C reaches the whole process group; the
parent decides) and, on Linux, is killed when its parent dies, even by
SIGKILL.
"""

import signal
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

__all__ = ["worker_pool"]

_PR_SET_PDEATHSIG = 1  # prctl(2)


def _init_worker():
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the parent's cleanup must do
        pass


@contextmanager
def worker_pool(workers):
    """Yield a process pool of `workers` processes, or None for ``workers <= 1``.

    Examples
    --------
    >>> with worker_pool(1) as pool:
    ...     print(pool)
    None
    """
    if workers <= 1:
        yield None
        return
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker)
    try:
        yield pool
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)


def _stop(pool):
    """Cancel the queued work and terminate the workers now."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
