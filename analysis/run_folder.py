"""What a saved run folder must hold, checked completely before ``render`` touches it.

A run records in ``metadata.json`` the studies it computed and, for each
table it wrote, the rows, columns, their kinds and a checksum of the file
(`analysis.tables.table_record`). `check_run` reads ``metadata.json``,
checks the type of every field the report reads, and checks every table
against its record (`analysis.tables.check_table`): a deleted, truncated
or edited table, a damaged ``metadata.json`` or a study this version does
not know is refused with `DamagedRunError`, whose message names the file.
Runs written before tables were recorded are checked for structure only
(every line has the header's number of fields).
"""

import json
from numbers import Real
from pathlib import Path

from . import studies as study_registry
from .fit import SUMMARY_COLUMNS
from .output import RUN_MARKER
from .sweep import SWEEP_COLUMNS
from .tables import DamagedTableError, check_table, table_record

__all__ = ["DamagedRunError", "check_run", "record_tables"]

_RECORD_KEYS = {"rows": int, "columns": list, "kinds": list, "sha256": str}
# Tables whose columns this version's figures and report read, by file.
_COLUMNS = {"sweep.csv": SWEEP_COLUMNS, "summary.csv": SUMMARY_COLUMNS}


class DamagedRunError(ValueError):
    """A run folder that cannot be re-rendered as it is; the message names the file."""


def record_tables(directory, selected):
    """The records of the tables the `selected` studies wrote into `directory`, by file.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> from analysis.studies import STUDIES
    >>> from analysis.tables import write_table
    >>> directory = Path(tempfile.mkdtemp())
    >>> _ = write_table(pd.DataFrame({"n": [1]}), directory, "sweep.csv")
    >>> records = record_tables(directory, STUDIES[:1])  # summary.csv absent: no record
    >>> list(records), records["sweep.csv"]["rows"]
    (['sweep.csv'], 1)
    """
    directory = Path(directory)
    return {file: table_record(directory, file) for study in selected for file in study.files
            if (directory / file).is_file()}


def check_run(directory):
    """Check a run folder; return its metadata and the studies to render, in order.

    Raises
    ------
    DamagedRunError
        If anything ``render`` needs is missing, unreadable or not what the
        run recorded.

    Examples
    --------
    >>> import tempfile
    >>> check_run(tempfile.mkdtemp())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    analysis.run_folder.DamagedRunError: ... is not a run folder (no metadata.json)
    """
    directory = Path(directory)
    metadata = _read_metadata(directory)
    records = metadata.get("tables")
    known = {study.name: study for study in study_registry.STUDIES}
    names = metadata.get("studies")
    if names is None:  # a run older than the list of studies: what its files allow
        chosen = [s for s in known.values() if all((directory / f).is_file() for f in s.files)]
    else:
        unknown = [name for name in names if name not in known]
        if unknown:
            raise DamagedRunError(f"{RUN_MARKER} names study {unknown[0]!r}, which this "
                                  "version does not have")
        chosen = [known[name] for name in names]
    for study in chosen:
        for file in study.files:
            if records is not None and file not in records:
                raise DamagedRunError(f"{RUN_MARKER} has no record of {file} (study "
                                      f"{study.name!r})")
            try:
                check_table(directory, file, None if records is None else records[file])
            except DamagedTableError as error:
                raise DamagedRunError(f"{error} (study {study.name!r})") from None
            _check_columns(directory, file)
    return metadata, chosen


def _check_columns(directory, file):
    """The columns this version reads are in the table (a run of an older version may lack some)."""
    if file not in _COLUMNS:
        return
    with open(directory / file, encoding="utf-8") as table:
        header = table.readline().rstrip("\r\n").split(",")
    missing = [column for column in _COLUMNS[file] if column not in header]
    if missing:
        raise DamagedRunError(f"{file} lacks the column(s) {', '.join(missing)} that this "
                              "version reads (a run of an older version?); run it again")


def _read_metadata(directory):
    source = directory / RUN_MARKER
    if not source.is_file():
        raise DamagedRunError(f"{directory} is not a run folder (no {RUN_MARKER})")
    try:
        metadata = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DamagedRunError(f"{RUN_MARKER} cannot be read ({type(error).__name__}: "
                              f"{error})") from None
    if not isinstance(metadata, dict):
        raise DamagedRunError(f"{RUN_MARKER} does not hold a JSON object")
    expected = {"title": str, "environment": dict, "config": dict, "studies": list,
                "timings": dict, "tables": dict}
    for key, kind in expected.items():
        if key in metadata and not isinstance(metadata[key], kind):
            raise DamagedRunError(f"{RUN_MARKER}: {key!r} must be a {kind.__name__}")
    if not all(isinstance(name, str) for name in metadata.get("studies", [])):
        raise DamagedRunError(f"{RUN_MARKER}: 'studies' must list names")
    if not all(isinstance(v, Real) for v in metadata.get("timings", {}).values()):
        raise DamagedRunError(f"{RUN_MARKER}: 'timings' must hold numbers of seconds")
    for file, record in metadata.get("tables", {}).items():
        if not (isinstance(record, dict) and all(isinstance(record.get(k), kind)
                                                 for k, kind in _RECORD_KEYS.items())):
            raise DamagedRunError(f"{RUN_MARKER}: the record of {file} is malformed")
    return metadata
