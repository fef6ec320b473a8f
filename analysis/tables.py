"""A run's tables on disk: CSV files whose floats read back bit for bit.

Every study writes its tables with `write_table` and its figures and
sections read them back with `read_table`, so that a re-rendered report
(``python -m analysis render RUN_DIR``) sees exactly the numbers computed.
Floats are written with 17 significant digits (``%.17g``), enough to
round-trip any float64; NaN is written as an empty cell and read back as
NaN, and only an empty cell is read as NaN (a text cell "NA" stays text).

Examples
--------
>>> import tempfile
>>> import pandas as pd
>>> directory = tempfile.mkdtemp()
>>> path = write_table(pd.DataFrame({"x": [0.1 + 0.2], "note": [""]}), directory, "t.csv")
>>> back = read_table(directory, "t.csv", text=("note",))
>>> bool(back["x"].iloc[0] == 0.1 + 0.2), back["note"].iloc[0]
(True, '')
"""

import csv
import hashlib
from pathlib import Path

import pandas as pd

__all__ = ["FLOAT_FORMAT", "write_table", "read_table", "table_record", "check_table",
           "DamagedTableError"]

#: Format of floats in the CSV files: 17 significant digits round-trip float64.
FLOAT_FORMAT = "%.17g"


def write_table(frame, directory, name):
    """Write `frame` as ``directory / name`` (no index, full precision); return the path."""
    path = Path(directory) / name
    frame.to_csv(path, index=False, float_format=FLOAT_FORMAT)
    return path


def read_table(directory, name, *, text=()):
    """Read ``directory / name`` written by `write_table`.

    Parameters
    ----------
    directory : path
    name : str
    text : tuple of str, optional
        Columns of free text (messages, versions): read as strings, with
        empty cells as ``""`` instead of NaN.

    Returns
    -------
    pandas.DataFrame
    """
    table = pd.read_csv(Path(directory) / name, keep_default_na=False, na_values=[""],
                        dtype={column: str for column in text})
    for column in text:
        table[column] = table[column].fillna("")
    return table


class DamagedTableError(ValueError):
    """A saved table is missing, unreadable or not the one its run recorded."""


def table_record(directory, name):
    """What a run records of a table it wrote: rows, columns, their kinds, a checksum.

    ``kinds`` holds each column's numpy kind as `read_table` reads it back
    (``"f"`` float, ``"i"`` integer, ``"b"`` boolean, ``"O"`` text);
    ``sha256`` is the checksum of the file's bytes.

    Examples
    --------
    >>> import tempfile
    >>> directory = tempfile.mkdtemp()
    >>> _ = write_table(pd.DataFrame({"n": [1, 2], "x": [0.5, 1.5]}), directory, "t.csv")
    >>> record = table_record(directory, "t.csv")
    >>> record["rows"], record["columns"], record["kinds"]
    (2, ['n', 'x'], ['i', 'f'])
    """
    path = Path(directory) / name
    table = _parse(path, name)
    return {"rows": int(len(table)), "columns": [str(c) for c in table.columns],
            "kinds": [table[c].dtype.kind for c in table.columns],
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def check_table(directory, name, record=None):
    """Raise `DamagedTableError` naming `name` unless the table is whole.

    Without a `record` (a run that recorded none) the file must parse and
    every line must have as many fields as the header; with one, its bytes
    must also have the recorded checksum, and its rows, columns and their
    kinds the recorded ones.

    Examples
    --------
    >>> import tempfile
    >>> directory = Path(tempfile.mkdtemp())
    >>> _ = write_table(pd.DataFrame({"n": [1, 2], "x": [0.5, 1.5]}), directory, "t.csv")
    >>> record = table_record(directory, "t.csv")
    >>> _ = (directory / "t.csv").write_text("n,x\\n1,0.5\\n2,")
    >>> check_table(directory, "t.csv", record)
    Traceback (most recent call last):
    ...
    analysis.tables.DamagedTableError: t.csv has changed since the run wrote it (its checksum differs from the one in metadata.json)
    """
    path = Path(directory) / name
    if not path.is_file():
        raise DamagedTableError(f"{name} is missing from the run folder")
    if record is not None:
        if hashlib.sha256(path.read_bytes()).hexdigest() != record["sha256"]:
            raise DamagedTableError(f"{name} has changed since the run wrote it (its checksum "
                                    "differs from the one in metadata.json)")
    _check_fields(path, name)
    table = _parse(path, name)
    if record is None:
        return
    found = {"rows": int(len(table)), "columns": [str(c) for c in table.columns],
             "kinds": [table[c].dtype.kind for c in table.columns]}
    for key, value in found.items():
        if value != record[key]:
            raise DamagedTableError(f"{name}: {key} {value} differ from the {record[key]} "
                                    "recorded in metadata.json")


def _parse(path, name):
    try:
        return read_table(path.parent, path.name)
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as error:
        text = " ".join(str(error).split())
        raise DamagedTableError(f"{name} cannot be read as a table ({type(error).__name__}: "
                                f"{text})") from None


def _check_fields(path, name):
    """Every record of the CSV file has the header's number of fields."""
    try:
        with open(path, newline="", encoding="utf-8") as file:
            reader = csv.reader(file, strict=True)
            header = next(reader, None)
            if not header or any(not column.strip() for column in header):
                raise DamagedTableError(f"{name} has no header or an unnamed column")
            if len(set(header)) != len(header):
                raise DamagedTableError(f"{name} repeats a column name")
            for record in reader:
                if len(record) != len(header):
                    raise DamagedTableError(f"{name}: line {reader.line_num} has "
                                            f"{len(record)} fields, the header "
                                            f"{len(header)}")
    except (csv.Error, UnicodeDecodeError) as error:
        raise DamagedTableError(f"{name} is not a readable CSV file ({error})") from None
