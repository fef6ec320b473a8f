"""What a study is: the declaration every module of `analysis.studies` makes.

A `Study` names itself, lists the tables it writes (`StudyTable`) and the
command-line options it reads, gives the text of its method for the
report, and brings three stages, each a plain function:

``compute(context) -> StudyResult``
    Does the numerical work and writes its tables into ``context.directory``
    (`analysis.tables.write_table`). Only this stage computes; it reads
    ``context.config`` (`analysis.config.RunConfig`) and may use
    ``context.executor``.
``figures(directory, metadata) -> tuple of FigureFile``
    Reads the study's tables back and draws its figures into
    ``directory / "figures"`` (`analysis.figures.save_figure`).
``sections(directory, metadata, figures) -> tuple of Section``
    Reads the tables and returns the report's sections for the study's
    results (`analysis.report.Section`), every number taken from the data.

Two optional stages make the report read as a paper:

``findings(directory, metadata) -> tuple of analysis.findings.Finding``
    The study's key findings, each a sentence built from the values of its
    tables (`analysis.findings`); the report lists them under
    "Findings" and its abstract quotes the first of some studies.
``appendix(directory, metadata, figures) -> tuple of blocks``
    The per-case tables and extra figures, shown in the report's appendix
    (collapsed in HTML, not printed).

``method`` is the study's part of the report's Method section: a string
(one paragraph), or a function ``method(directory, metadata) -> tuple of
blocks`` when the text depends on the run. See `analysis.studies` for how
to add a study.
"""

from dataclasses import dataclass, field
from typing import Callable

from .report import Paragraph

__all__ = ["Study", "StudyTable", "StudyResult", "RunContext"]


@dataclass(frozen=True)
class StudyTable:
    """A table a study writes: its file name in the run folder and what it holds.

    Examples
    --------
    >>> StudyTable("noise.csv", "one row per step").file
    'noise.csv'
    """

    file: str
    description: str

    def __post_init__(self):
        if not isinstance(self.file, str) or not self.file.endswith(".csv"):
            raise ValueError(f"file must be the name of a .csv file, got {self.file!r}")


@dataclass(frozen=True)
class RunContext:
    """What `Study.compute` receives."""

    directory: object
    config: object
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
    """One part of a run: compute tables, draw figures, write its method and sections.

    Attributes
    ----------
    name : str
        The name ``--studies`` takes.
    title : str
        A few words, for ``--help`` and the report's list of files.
    compute, figures, sections : callable
        The three stages (module docstring).
    tables : tuple of StudyTable
        The tables `compute` writes; ``render`` redraws a study only when
        all of them are in the run folder.
    options : tuple of str
        The command-line options the study reads (``"--schemes"``), listed
        with it in ``--help``.
    method : str or callable
        The study's method, for the report (module docstring).
    findings, appendix : callable, optional
        The key findings and the appendix blocks (module docstring).

    Examples
    --------
    >>> study = Study("demo", "Demo", lambda c: StudyResult(), lambda d, m: (),
    ...               lambda d, m, f: (), (StudyTable("demo.csv", "one row"),),
    ...               method="How the demo is made.")
    >>> study.files, study.method_blocks(".", {})[0].text
    (('demo.csv',), 'How the demo is made.')
    """

    name: str
    title: str
    compute: Callable = field(repr=False)
    figures: Callable = field(repr=False)
    sections: Callable = field(repr=False)
    tables: tuple = ()
    options: tuple = ()
    method: object = field(default="", repr=False)
    findings: Callable = field(default=None, repr=False)
    appendix: Callable = field(default=None, repr=False)

    def __post_init__(self):
        for table in self.tables:
            if not isinstance(table, StudyTable):
                raise TypeError(f"tables must be StudyTable objects, got {table!r}")

    @property
    def files(self):
        """The file names of `tables`, in order."""
        return tuple(table.file for table in self.tables)

    def key_findings(self, directory, metadata):
        """The study's findings for a run folder (none without a findings stage)."""
        return tuple(self.findings(directory, metadata)) if self.findings else ()

    def appendix_blocks(self, directory, metadata, figures):
        """The study's appendix blocks for a run folder (none without an appendix stage)."""
        return tuple(self.appendix(directory, metadata, figures)) if self.appendix else ()

    def method_blocks(self, directory, metadata):
        """The blocks of the study's method for a run folder (empty without a method)."""
        if callable(self.method):
            return tuple(self.method(directory, metadata))
        return (Paragraph(self.method),) if self.method else ()
