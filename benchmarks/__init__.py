"""asv benchmarks of numdiff: speed (``time_``), memory (``peakmem_``) and accuracy (``track_``).

Run them with ``asv run`` from the repository root (see README.md, "Performance tracking").
Every module needs only numpy at import time (`common` imports numdiff early when it
can, for the forkserver), so the suite is discovered even on commits that lack part of
the library; a benchmark whose code is missing is skipped.
"""
