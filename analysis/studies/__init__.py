"""The studies of a run, one module each, and their order: `STUDIES`.

A run of ``python -m analysis`` computes every study of `STUDIES`, in
order (or those named with ``--studies``: `RunConfig.studies`), then draws
their figures and writes the report from the tables they saved. A study is
a module of this package that declares a `Study` named ``STUDY``
(`analysis.study` describes the protocol):

=====================  ==========================================================
``error_vs_step``      the sweep of every function, point, scheme and dtype; the fit
``precision``          the best step against the unit roundoff, every format
``step_selection``     where the automatic step rules land on the V-curve
``peers``              numdiff.derivative against scipy and numdifftools
``hard_cases``         the same on noise, domain edges and kinks
``schemes``            numdiff.derivative with every scheme
``gradient_cost``      evaluations and time of a gradient against n
``noise``              a noisy function: ECnoise and the noise-aware step
=====================  ==========================================================

What two studies share lives in a module named for what it is, never in
another study: `analysis.tables` (reading and writing tables),
`analysis.references` (50-digit references, judging error estimates),
`analysis.timing` (timing calls), `analysis.figures` (the charts' style),
`analysis.report` (the blocks of the report). Evaluations are counted with
`numdiff.CountedFunction`.

Adding a study
--------------
1. Write ``analysis/studies/<name>.py``. It computes its tables in
   ``compute(context)`` and writes them with `analysis.tables.write_table`;
   ``figures(directory, metadata)`` and ``sections(directory, metadata,
   figures)`` read them back with `analysis.tables.read_table` and never
   compute (``python -m analysis render`` calls only these two). Import
   matplotlib inside the figure functions, not at the top of the module:
   ``--help`` imports every study. At the end of the module, declare::

       TABLES = (StudyTable("<name>.csv", "one row per ...: what its columns hold"),)
       OPTIONS = ()       # command-line options it reads, e.g. ("--functions",)
       METHOD = ("How the study is made: what is computed, at which points, "
                 "against which reference.")
       STUDY = Study("<name>", "<Title>", compute, figures, sections, TABLES,
                     OPTIONS, METHOD, key_findings, appendix)

   ``sections`` gives the study's results: its best figure and a compact
   table. ``key_findings(directory, metadata)`` returns its findings
   (`analysis.findings.Finding`: values read from its tables and a
   sentence formatted from them alone, with `analysis.numbers`; a finding
   whose data are missing is left out), and ``appendix(directory,
   metadata, figures)`` the blocks of its per-case tables, shown collapsed
   in the report's appendix. Names of schemes, algorithms and statuses go
   through `analysis.names`. ``METHOD`` may be a function ``method(directory, metadata)`` returning
   report blocks when the text depends on the run. ``OPTIONS`` only lists
   the options for ``--help``: their values reach ``compute`` through
   ``context.config`` (`analysis.config.RunConfig`). Figures too long to
   sit in the module go beside it, in ``<name>_figures.py``; anything a
   second study needs goes to a module named for what it is. A study whose
   sizes make it slow offers ``build_study(**sizes)`` so that its tests run
   it small (as ``peers``, ``gradient_cost`` and ``noise`` do).
2. Add ``<name>`` to the imports and to `STUDIES` below, where its section
   should appear in the report.
3. Write ``tests/test_analysis_<name>.py``: the data functions against
   theory, its findings re-derived from a table (an empty one too), and the
   study in a tiny run (``tests/test_analysis_layout.py``
   checks every study's declaration and that no study imports
   another).

``--help``, ``--studies``, the report's Method section and its list of files
all come from the declarations: nothing else changes.

Examples
--------
>>> [study.name for study in STUDIES]  # doctest: +NORMALIZE_WHITESPACE
['error_vs_step', 'precision', 'step_selection', 'peers', 'hard_cases', 'schemes',
 'gradient_cost', 'noise']
>>> STUDIES[0].files
('sweep.csv', 'summary.csv')
"""

from ..config import RunConfig
from ..study import RunContext, Study, StudyResult, StudyTable
from . import (error_vs_step, gradient_cost, hard_cases, noise, peers, precision, schemes,
               step_selection)

__all__ = ["STUDIES", "Study", "StudyTable", "StudyResult", "RunConfig", "RunContext"]

#: The studies of a run, in the order of their sections in the report.
STUDIES = (
    error_vs_step.STUDY,
    precision.STUDY,
    step_selection.STUDY,
    peers.STUDY,
    hard_cases.STUDY,
    schemes.STUDY,
    gradient_cost.STUDY,
    noise.STUDY,
)
