"""What a run computes: `RunConfig`, built by the command line or by hand."""

from dataclasses import dataclass

from .grid import eps_grid

__all__ = ["RunConfig"]


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
        Names of the studies to run; empty for all of `analysis.studies.STUDIES`.
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
        """The studies of `analysis.studies.STUDIES` this run computes, in their order."""
        from . import studies  # not at the top: the studies package re-exports RunConfig

        return [study for study in studies.STUDIES
                if not self.studies or study.name in self.studies]

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
