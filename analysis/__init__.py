"""analysis: the error of finite differences against the step, measured and explained.

Stages, each a module (compute -> tables -> figures -> report):

- `analysis.grid`: the grid of steps (decimal-exact powers of ten);
- `analysis.targets`, `analysis.expression`: the functions and their
  reference derivatives (catalogue closed forms, mpmath, user functions);
- `analysis.sweep`: functions x points x schemes x dtypes x steps -> one tidy
  DataFrame (`sweep`), or blocks in bounded memory (`sweep_blocks`);
- `analysis.fit`: the error-model fit, one summary row per case (`summarize`);
- `analysis.studies`: the studies of a run, one module each, in their order
  (`STUDIES`; how to add one is in that package's docstring), declared as
  `analysis.study.Study`; what they share: `analysis.tables` (CSV files at
  full precision), `analysis.references` (50-digit references, judging
  error estimates), `analysis.timing`, `analysis.figures` (the charts'
  style) and `analysis.report` (sections rendered to Markdown and HTML);
- `analysis.config`, `analysis.pipeline`, `analysis.cli`: the whole run,
  ``python -m analysis``, with `analysis.output` (run folders written
  atomically, stale stages removed), `analysis.run_folder` (what ``render``
  checks before touching a run), `analysis.pool` (worker processes stopped
  on every way out) and `analysis.limits` (the sizes a command line may ask).

Examples
--------
>>> import analysis
>>> table = analysis.sweep(["exp"], schemes=["forward", "central"])
>>> summary = analysis.summarize(table)
>>> summary[["scheme", "truncation_slope"]].round(1)
    scheme  truncation_slope
0  forward               1.0
1  central               2.0
"""

from .config import RunConfig
from .expression import Expression, UnsafeExpressionError, parse_expression
from .fit import SUMMARY_COLUMNS, summarize, summarize_blocks
from .grid import eps_grid
from .studies import STUDIES
from .study import Study, StudyResult, StudyTable
from .sweep import SWEEP_COLUMNS, SweepBlock, sweep, sweep_blocks
from .targets import Target, callable_target, catalogue_target, expression_target

__all__ = [
    "eps_grid", "sweep", "sweep_blocks", "SweepBlock", "SWEEP_COLUMNS",
    "summarize", "summarize_blocks", "SUMMARY_COLUMNS",
    "Target", "catalogue_target", "expression_target", "callable_target",
    "Expression", "parse_expression", "UnsafeExpressionError",
    "Study", "StudyTable", "StudyResult", "RunConfig", "STUDIES",
]
