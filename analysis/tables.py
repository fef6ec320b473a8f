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

from pathlib import Path

import pandas as pd

__all__ = ["FLOAT_FORMAT", "write_table", "read_table"]

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
