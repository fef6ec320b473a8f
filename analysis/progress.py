"""A one-line progress bar on stderr for long sweeps.

Shown only when the stream is a terminal and the work has run for more than
`DELAY` seconds, so short runs, pipes, log files and tests stay silent.
"""

import sys
import time

__all__ = ["Progress", "DELAY"]

#: Seconds of work before the bar appears.
DELAY = 1.0
_WIDTH = 30
_REDRAW_INTERVAL = 0.1


class Progress:
    """Count finished units of work and draw ``label [####....] 12/30  1.4 s``.

    Parameters
    ----------
    total : int
        Units of work expected.
    label : str, optional
    enabled : bool, optional
        False silences the bar (``--quiet``).
    stream : file, optional
        Defaults to ``sys.stderr``; nothing is drawn unless it is a TTY.

    Examples
    --------
    >>> import io
    >>> with Progress(3, stream=io.StringIO()) as bar:  # not a TTY: silent
    ...     for _ in range(3):
    ...         bar.advance()
    >>> bar.done
    3
    """

    def __init__(self, total, label="sweep", *, enabled=True, stream=None):
        self.total = max(int(total), 1)
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = bool(enabled) and callable(isatty) and isatty()
        self.done = 0
        self._start = time.perf_counter()
        self._last_draw = 0.0
        self._drawn = False

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def advance(self, count=1):
        """Record `count` finished units; redraw at most every 0.1 s."""
        self.done += count
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self._start < DELAY or (now - self._last_draw < _REDRAW_INTERVAL
                                         and self.done < self.total):
            return
        self._last_draw = now
        filled = round(_WIDTH * min(self.done, self.total) / self.total)
        bar = "#" * filled + "." * (_WIDTH - filled)
        self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total} "
                          f"{now - self._start:5.1f} s")
        self.stream.flush()
        self._drawn = True

    def close(self):
        """End the line if a bar was drawn."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
