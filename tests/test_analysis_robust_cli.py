"""Bad command lines: each answered on one line, with its exit status, nothing leaked.

Every case runs ``python -m analysis`` in-process (`analysis.cli.main`) in an
empty folder and asserts: the expected exit status, one line on stderr
naming the problem, no traceback, no warning escaping, and no file created
or changed outside the target (nothing at all for a refused command).
"""

import hashlib
import warnings
from pathlib import Path

import matplotlib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

matplotlib.use("Agg")

from analysis import limits  # noqa: E402
from analysis.cli import main  # noqa: E402

HERE = Path(__file__).resolve().parent
TINY = ["--functions", "exp", "--schemes", "central", "--per-decade", "1", "--eps-min", "1e-4",
        "--studies", "error_vs_step", "--quiet"]

INJECTIONS = [
    "__import__('os').system('echo hacked')", "x.real", "x[0]", "(lambda: 1)()", "y*2",
    "open('/etc/passwd')", "exec('1')", "eval('1')", "globals()", "[x for x in ()]",
    "x if x else 1", "x < 1", "x and 1", "{1: 2}", "(x, x)", "f'{x}'", "'text'", "b'x'",
    "(y := 2)", "sin(x=1)", "sin(x, x)", "sin(*x)", "exp", "__builtins__", "1j", "True",
    "x @ x", "x % 2", "x // 2", "~x", "not x", "x ** x ** x ** " * 60 + "x", "x" * 1001,
    "", "   ", "sin(", "x +", "\x00",
]

NUMBERS = {
    "--eps-min": [("0", "eps_min must be positive"), ("-1e-3", "eps_min must be positive"),
                  ("-inf", "eps_min must be positive"), ("nan", "eps_min must be positive"),
                  ("inf", "eps_min must be positive"), ("1e-320", "--eps-min must be between"),
                  ("1e-21", "--eps-min must be between"), ("tiny", "invalid float value"),
                  ("", "invalid float value"), ("2", "eps_min must be smaller than eps_max")],
    "--eps-max": [("0", "eps_max must be positive"), ("-1", "eps_max must be positive"),
                  ("1e300", "--eps-max must be between"), ("1e21", "--eps-max must be between"),
                  ("inf", "eps_max must be positive"), ("nan", "eps_max must be positive"),
                  ("1e-20", "eps_min must be smaller than eps_max"),
                  ("big", "invalid float value")],
    "--per-decade": [("0", "per_decade must be at least 1"), ("-3", "per_decade must be at "
                     "least 1"), ("1000000", "--per-decade must be at most"),
                     ("1001", "--per-decade must be at most"), ("2.5", "invalid int value"),
                     ("ten", "invalid int value"), ("", "invalid int value"),
                     ("1e3", "invalid int value")],
    "--deriv": [("0", "deriv must be between"), ("-1", "deriv must be between"),
                ("9", "deriv must be between"), ("1.5", "invalid int value"),
                ("one", "invalid int value")],
    "--workers": [("0", "--workers must be at least 1"), ("-2", "--workers must be at least 1"),
                  ("1000", "--workers must be at most"), ("two", "invalid int value"),
                  ("", "invalid int value")],
}

CASES = [([option, value], 2, expected) for option, values in NUMBERS.items()
         for value, expected in values]
CASES += [(["--expr", text], 2, "--expr") for text in INJECTIONS]
CASES += [
    (["--functions", "nope"], 2, "unknown function 'nope'"),
    (["--functions", "exp,nope"], 2, "unknown function 'nope'"),
    (["--functions", ""], 2, "--functions must not be empty"),
    (["--functions", ","], 2, "--functions must not be empty"),
    (["--functions", "exp", "exp"], 2, "distinct names"),
    (["--schemes", "centre"], 2, "unknown scheme 'centre'"),
    (["--schemes", ""], 2, "--schemes must not be empty"),
    (["--schemes", "central", "central"], 2, "must not repeat"),
    (["--schemes", "complex_step", "--func", "robust_functions:f"], 2, "not marked so"),
    (["--dtypes", "float8"], 2, "unknown dtype 'float8'"),
    (["--dtypes", "int32"], 2, "unknown dtype 'int32'"),
    (["--dtypes", ""], 2, "--dtypes must not be empty"),
    (["--dtypes", "complex128"], 2, "unknown dtype"),
    (["--x", "abc"], 2, "'abc' is not a number"),
    (["--x", ""], 2, "--x must not be empty"),
    (["--x", "nan"], 2, "x must be finite"),
    (["--x", "inf"], 2, "x must be finite"),
    (["--x", "1", "1"], 2, "must not repeat"),
    (["--x", "1e308"], 2, "f(x) is inf"),
    (["--x", "800"], 2, "f(x) is inf"),
    (["--x", "1e20", "--functions", "sin"], 2, "x + eps == x"),
    (["--x", "-1", "--functions", "log"], 2, "outside the domain"),
    (["--x", "0", "--functions", "log"], 2, "outside the domain"),
    (["--x", "1,1"], 2, "must not repeat"),
    (["--x", ",".join(str(i) for i in range(limits.MAX_POINTS + 1))], 2, "--x gives"),
    (["--out", ""], 2, "--out must not be empty"),
    (["--out", "."], 2, "contains the current folder"),
    (["--out", "/"], 2, "contains the current folder"),
    (["--func", ""], 2, "--func must not be empty"),
    (["--func", "numpy.exp"], 2, "module:attr"),
    (["--func", "no_such_module_here:f"], 2, "cannot import module"),
    (["--func", "os:system"], 2, "--func os:system raised TypeError"),
    (["--func", "os:getcwd"], 2, "raised TypeError"),
    (["--func", "robust_functions:nothing"], 2, "has no attribute"),
    (["--func", "robust_functions:NOT_CALLABLE"], 2, "not callable"),
    (["--func", "robust_functions:none"], 2, "returned None"),
    (["--func", "robust_functions:text"], 2, "returned str"),
    (["--func", "robust_functions:wrong_shape"], 2, "one value per point"),
    (["--func", "robust_functions:leaves"], 2, "raised SystemExit"),
    (["--func", "robust_functions:complex_valued"], 2, "complex values"),
    (["--func", "robust_functions:raises"], 2, "raised RuntimeError: boom"),
    (["--func", "a:b:c"], 2, "module:attr"),
    (["--func", ":f"], 2, "module:attr"),
    (["--exact", "numpy:exp"], 2, "--exact needs --func"),
    (["--func", "robust_functions:f", "--exact", ""], 2, "--exact must not be empty"),
    (["--func", "robust_functions:f", "--exact", "robust_functions:none"], 2, "returned None"),
    (["--func", "robust_functions:f", "--exact", "robust_functions:wrong_shape"], 2,
     "one value per point"),
    (["--func", "robust_functions:f", "--exact", "robust_functions:leaves"], 2, "SystemExit"),
    (["--func", "robust_functions:f", "--exact", "numpy.cos"], 2, "module:attr"),
    (["--studies", ""], 2, "--studies must not be empty"),
    (["--studies", "nope"], 2, "unknown study 'nope'"),
    (["--studies", "error_vs_step,nope"], 2, "unknown study 'nope'"),
    (["--expr", "x"] * 21, 2, "at most 20"),
    (["--eps-min", "1e-20", "--eps-max", "1e20", "--per-decade", "1000"], 2, "the grid has"),
    (["--bogus"], 2, "unrecognized arguments"),
    (["--force", "yes"], 2, "unrecognized arguments"),
    (["positional"], 2, "unrecognized arguments"),
    (["--workers"], 2, "expected one argument"),
    (["--x"], 2, "expected at least one argument"),
    (["--deriv", "4", "--schemes", "complex_step", "--functions", "exp"], 2,
     "deriv must be between 1 and 2"),
    (["--eps-min", "1e-9", "--eps-max", "1", "--per-decade", "1000", "--schemes", "forward",
      "central", "--x", ",".join(f"{i / 1000:g}" for i in range(1, 601))], 2, "rows"),
    (["--func", "robust_functions:leaves_later"], 1, ""),
    (["--expr", "2"], 0, ""),
    (["--expr", "2*pi", "--dtypes", "float32"], 0, ""),
]


def _snapshot(root):
    return {str(p.relative_to(root)): (hashlib.sha256(p.read_bytes()).hexdigest()
                                       if p.is_file() else "dir")
            for p in sorted(root.rglob("*")) if "run" not in p.relative_to(root).parts}


def _run(arguments, tmp_path, monkeypatch, capfd):
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(HERE))
    (tmp_path / "keep.txt").write_text("user data")
    before = _snapshot(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = main([*TINY, "--out", str(tmp_path / "run"), *arguments])
    captured = capfd.readouterr()
    assert not caught, [str(w.message) for w in caught]
    assert "Traceback" not in captured.err + captured.out
    assert "hacked" not in captured.out
    assert _snapshot(tmp_path) == before
    return code, captured


@pytest.mark.parametrize("arguments, code, expected", CASES,
                         ids=[" ".join(c[0])[:60] for c in CASES])
def test_bad_command_line(arguments, code, expected, tmp_path, monkeypatch, capfd):
    found, captured = _run(arguments, tmp_path, monkeypatch, capfd)
    assert found == code, captured.err
    if code == 1:
        assert "analysis: warning: f raised" in captured.err
    if code == 2:
        assert captured.err.startswith("analysis: error: "), captured.err
        assert expected in captured.err and captured.err.count("\n") == 1, captured.err
        assert not (tmp_path / "run").exists()
    else:
        assert (tmp_path / "run" / "report.html").is_file()


def test_there_are_at_least_a_hundred_cases():
    assert len(CASES) >= 100


JUNK = st.sampled_from(["", " ", "-", "--", "-1", "0", "-0", "nan", "inf", "-inf", "1e999",
                        "1e-400", "abc", "é", "1,2", ",", "x", "all", "None", "exp", "2.5",
                        "\t", "0x10", "1_000"])
OPTIONS = st.sampled_from(["--eps-min", "--eps-max", "--per-decade", "--deriv", "--workers",
                           "--functions", "--schemes", "--dtypes", "--x", "--studies",
                           "--expr", "--func", "--exact"])


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(OPTIONS, JUNK), min_size=1, max_size=3))
def test_random_bad_values_are_answered_cleanly(pairs, tmp_path_factory, monkeypatch, capfd):
    folder = tmp_path_factory.mktemp("case")
    arguments = [item for pair in pairs for item in pair]
    code, captured = _run(arguments, folder, monkeypatch, capfd)
    assert code in (0, 1, 2), captured.err
    if code == 2:
        assert captured.err.startswith("analysis: error: ")
        assert captured.err.count("\n") == 1
        assert not (folder / "run").exists()
