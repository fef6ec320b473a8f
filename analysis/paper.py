"""The parts that make a run's report read as a paper: title, abstract, key findings, appendix.

Everything here is generated from the run's metadata and the studies'
findings (`analysis.study.Study.findings`), which are built from their
tables: the title names the functions, schemes, dtypes and studies run; the
abstract says what was measured and quotes the headline finding of up to
three studies (`ABSTRACT_STUDIES`); "Findings" lists every study's
findings; the appendix holds each study's per-case tables (collapsed in
HTML, left out of print) and links every CSV file of the run.
"""

from .names import join_names
from .report import Bullets, Details, Links, Paragraph, Section

__all__ = ["report_title", "abstract_section", "findings_sections", "appendix_section",
           "ABSTRACT_STUDIES", "NAMED_FUNCTIONS"]

#: The studies whose first finding the abstract quotes, in this order.
ABSTRACT_STUDIES = ("error_vs_step", "step_selection", "peers")
#: The title names the functions when there are at most this many.
NAMED_FUNCTIONS = 3


def report_title(metadata, present):
    """The title and the line under it, naming what was run.

    Parameters
    ----------
    metadata : dict
        ``metadata.json`` of the run.
    present : sequence of Study
        The studies in the report.

    Returns
    -------
    (str, str)

    Examples
    --------
    >>> from analysis.study import Study
    >>> study = Study("demo", "Demo", None, None, None)
    >>> meta = {"config": {"functions": [{"name": "exp"}], "schemes": ["forward", "central"],
    ...                    "dtypes": ["float64"]}}
    >>> report_title(meta, [study])[0]
    'Finite differences of exp: forward and central in float64'
    """
    config = metadata.get("config", {})
    functions = [f.get("name", "") for f in config.get("functions", [])]
    schemes, dtypes = config.get("schemes", []), config.get("dtypes", [])
    what = (join_names(functions) if len(functions) <= NAMED_FUNCTIONS
            else f"{len(functions)} test functions")
    title = "Finite differences of " + (what or "the run's functions")
    if schemes:
        title += f": {join_names(schemes)}"
        if dtypes:
            title += f" in {join_names(dtypes)}"
    subtitle = f"Studies: {join_names(s.title.lower() for s in present)}."
    if len(functions) > NAMED_FUNCTIONS:
        subtitle = f"Functions: {', '.join(functions)}. " + subtitle
    return title, subtitle


def _measured(metadata, present):
    """The sentence saying what was measured, from the configuration."""
    config = metadata.get("config", {})
    functions = config.get("functions", [])
    steps = ""
    if "eps_min" in config and "eps_max" in config:
        steps = (f" over steps from {config['eps_min']:g} to {config['eps_max']:g} "
                 f"({config.get('per_decade', 0)} per decade)")
    return (f"We differentiate {len(functions)} function{'s' * (len(functions) != 1)} "
            f"numerically{steps} and compare the error with a model of truncation and "
            f"rounding; the report covers {len(present)} "
            f"stud{'ies' if len(present) != 1 else 'y'}: "
            f"{join_names(s.title.lower() for s in present)}.")


def abstract_section(metadata, present, found):
    """What was measured and the strongest results, each a finding built from a table.

    Parameters
    ----------
    found : dict
        Study name -> tuple of `analysis.findings.Finding`.

    Examples
    --------
    >>> from analysis.findings import Finding
    >>> from analysis.study import Study
    >>> meta = {"config": {"functions": [{"name": "exp"}], "eps_min": 1e-16, "eps_max": 1.0,
    ...                    "per_decade": 10}}
    >>> found = {"error_vs_step": (Finding("k", "Central wins."),)}
    >>> text = abstract_section(meta, [Study("error_vs_step", "Error against step", None, None,
    ...                                      None)], found).blocks[0].text
    >>> text.startswith("We differentiate 1 function numerically"), text.endswith("Central wins.")
    (True, True)
    """
    quoted = [found[name][0].text for name in ABSTRACT_STUDIES if found.get(name)]
    if not quoted:  # none of the headline studies ran: quote the others' first findings
        quoted = [items[0].text for items in found.values() if items][:3]
    text = " ".join([_measured(metadata, present), *quoted])
    return Section("Abstract", "abstract", (Paragraph(text),))


def findings_sections(present, found):
    """The findings: one subsection per study, its findings as a list.

    Examples
    --------
    >>> from analysis.findings import Finding
    >>> from analysis.study import Study
    >>> study = Study("noise", "Noise", None, None, None)
    >>> [s.title for s in findings_sections([study], {"noise": (Finding("k", "It works."),)})]
    ['Findings', 'Noise']
    """
    result = [Section("Findings", "findings", (Paragraph(
        "Generated from the values of each study's tables; a finding without data is left "
        "out."),))]
    for study in present:
        items = tuple(f.text for f in found.get(study.name, ()))
        blocks = (Bullets(items),) if items else (Paragraph("No finding: no data."),)
        result.append(Section(study.title, f"findings-{study.name}", blocks, level=3))
    return result


def appendix_section(directory, metadata, present, drawn):
    """The appendix: each study's per-case tables (collapsed) and links to every CSV file."""
    blocks = [Paragraph("The per-case tables behind each section, collapsed here (click to "
                        "open; they are left out when printing), and every table of the run "
                        "as CSV, at full precision.")]
    for study in present:
        inner = study.appendix_blocks(directory, metadata, drawn.get(study.name, ()))
        if inner:
            blocks.append(Details(f"{study.title}: per-case tables", inner))
    links = tuple((f"{table.file}: {table.description}", table.file)
                  for study in present for table in study.tables
                  if (directory / table.file).is_file())
    if links:
        blocks.append(Details("CSV files of this run", (Links(links),)))
    return Section("Appendix: per-case tables and data", "appendix", tuple(blocks))
