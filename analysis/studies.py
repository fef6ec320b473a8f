"""Studies: the units a run is made of, and how to add one.

A run of ``python -m analysis`` executes every study in `STUDIES`, in
order (or only those named with ``--studies``, `RunConfig.studies`). A `Study` has three stages, each a plain function:

``compute(context) -> StudyResult``
    Does the numerical work and writes its tables as CSV files into
    ``context.directory`` (the run folder being built). Only this stage
    computes; it may use ``context.executor`` and ``context.config``.
``figures(directory, metadata) -> tuple of FigureFile``
    Reads the study's CSV files back and draws its figures into
    ``directory / "figures"`` (`analysis.figures.save_figure`).
``sections(directory, metadata, figures) -> tuple of Section``
    Reads the CSV files and returns the report sections
    (`analysis.report.Section`), with every number taken from the data.

``tables`` names the CSV files the study writes; ``python -m analysis
render RUN_DIR`` re-runs `figures` and `sections` (never `compute`) for
every registered study whose tables are present in RUN_DIR, so old runs
re-render after new studies were added.

Adding a study (a step-selection comparison, peer libraries, the cost of
gradients against n, noise) takes one module that builds a `Study` and a
call of `register_study` at import, plus an import of that module in
`analysis/__init__.py` so that the registration happens::

    from analysis.studies import Study, StudyResult, register_study

    def compute(context):
        table = ...                       # a DataFrame
        table.to_csv(context.directory / "noise.csv", index=False)
        return StudyResult()

    register_study(Study("noise", "Noise", compute, figures, sections, ("noise.csv",)))
"""

from dataclasses import dataclass, field
from typing import Callable

from .grid import eps_grid

__all__ = ["Study", "StudyResult", "RunConfig", "RunContext", "STUDIES", "register_study"]


@dataclass(frozen=True)
class RunConfig:
    """What a run sweeps; validated by `analysis.sweep.plan_sweep`.

    Attributes
    ----------
    targets : tuple of analysis.Target
    x : tuple of float or None
        Points for every function; None for each function's default point.
    schemes, dtypes : tuple of str
    eps_min, eps_max : float
    per_decade, deriv : int
    workers : int
        Processes for the sweep; 1 runs it in this process.
    progress : bool
        Progress bar on stderr (when it is a terminal).
    argv : tuple of str
        The command line, recorded in the report.
    studies : tuple of str
        Names of the studies to run; empty for all of `STUDIES`.
    """

    targets: tuple
    x: tuple = None
    schemes: tuple = ("forward", "central")
    dtypes: tuple = ("float64",)
    eps_min: float = 1e-16
    eps_max: float = 1.0
    per_decade: int = 10
    deriv: int = 1
    workers: int = 1
    progress: bool = False
    argv: tuple = ()
    studies: tuple = ()

    def steps(self):
        """The run's grid of steps, `analysis.grid.eps_grid` of its ends and density.

        Examples
        --------
        >>> RunConfig((), eps_min=1e-3, eps_max=1e-1, per_decade=1).steps()
        array([0.001, 0.01 , 0.1  ])
        """
        return eps_grid(self.eps_min, self.eps_max, per_decade=self.per_decade)

    def selected_studies(self):
        """The registered studies this run computes, in their order."""
        return [study for study in STUDIES if not self.studies or study.name in self.studies]

    def describe(self):
        """The configuration as JSON-ready values (for ``metadata.json``)."""
        return {
            "functions": [{"name": t.name, "formula": t.formula, "reference": t.reference,
                           "default_x": t.default_x, "domain": list(t.domain)}
                          for t in self.targets],
            "x": None if self.x is None else list(self.x),
            "schemes": list(self.schemes), "dtypes": list(self.dtypes),
            "eps_min": self.eps_min, "eps_max": self.eps_max, "per_decade": self.per_decade,
            "deriv": self.deriv, "workers": self.workers,
            "studies": [study.name for study in self.selected_studies()],
        }


@dataclass(frozen=True)
class RunContext:
    """What `Study.compute` receives."""

    directory: object
    config: RunConfig
    executor: object = None


@dataclass(frozen=True)
class StudyResult:
    """What `Study.compute` reports back.

    Attributes
    ----------
    faults : int
        Evaluations where ``f`` raised or returned NaN/inf inside its domain;
        a positive count makes the run exit with status 1.
    notes : tuple of str
        One-line messages for the terminal.
    """

    faults: int = 0
    notes: tuple = ()


@dataclass(frozen=True)
class Study:
    """One part of a run: compute tables, draw figures, write sections."""

    name: str
    title: str
    compute: Callable = field(repr=False)
    figures: Callable = field(repr=False)
    sections: Callable = field(repr=False)
    tables: tuple = ()


#: The registered studies, run in this order.
STUDIES = []


def register_study(study):
    """Add `study` to `STUDIES` (replacing a study of the same name).

    Examples
    --------
    >>> s = Study("demo", "Demo", lambda c: StudyResult(), lambda d, m: (), lambda d, m, f: ())
    >>> register_study(s) is s and STUDIES[-1].name
    'demo'
    >>> STUDIES.remove(s)
    """
    if not isinstance(study, Study):
        raise TypeError(f"study must be a Study, got {type(study).__name__}")
    for index, existing in enumerate(STUDIES):
        if existing.name == study.name:
            STUDIES[index] = study
            return study
    STUDIES.append(study)
    return study
