"""The shape of analysis/: studies declared in one ordered registry, apart, in short functions."""

import ast
import importlib
from pathlib import Path

import pytest

from analysis import studies
from analysis.cli import build_parser
from analysis.study import Study, StudyTable

ANALYSIS = Path(studies.__file__).resolve().parent.parent
#: Longest function, in lines of code (docstrings, blank and comment lines aside).
MAX_FUNCTION_LINES = 60


def _code_lines(source_lines, node):
    body = node.body
    docstring = range(0)
    if (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)):
        docstring = range(body[0].lineno, body[0].end_lineno + 1)
    return sum(1 for number in range(node.lineno, node.end_lineno + 1)
               if number not in docstring
               and source_lines[number - 1].strip()
               and not source_lines[number - 1].strip().startswith("#"))


def test_every_function_of_the_analysis_is_short():
    long = []
    for path in sorted(ANALYSIS.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                count = _code_lines(lines, node)
                if count > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ANALYSIS)}:{node.lineno} {node.name} "
                                f"({count} lines)")
    assert long == []


def _study_modules():
    return {study.compute.__module__.rsplit(".", 1)[-1]: study for study in studies.STUDIES}


def test_no_study_imports_another_study():
    names = set(_study_modules())
    for name in names:
        path = ANALYSIS / "studies" / f"{name}.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level == 1:  # from . import x / from .x import y
                    imported |= {module} if module else {alias.name for alias in node.names}
                elif module.startswith("analysis.studies."):
                    imported.add(module.split(".")[2])
        others = {module.removesuffix("_figures") for module in imported} & names - {name}
        assert not others, f"{name} imports the studies {others}"


def test_the_registry_is_an_ordered_tuple_of_declared_studies():
    assert isinstance(studies.STUDIES, tuple)
    assert studies.STUDIES[0].name == "error_vs_step"  # the sweep first: the others refer to it
    for module, study in _study_modules().items():
        assert importlib.import_module(f"analysis.studies.{module}").STUDY is study
        assert isinstance(study, Study) and study.title
        assert study.tables and all(isinstance(t, StudyTable) and t.description
                                    for t in study.tables)
        assert study.method
    files = [f for s in studies.STUDIES for f in s.files]
    assert len(files) == len(set(files))
    assert len({s.name for s in studies.STUDIES}) == len(studies.STUDIES)


def test_help_lists_each_study_with_its_files_and_options_from_its_declaration():
    parser = build_parser()
    known = {flag for action in parser._actions for flag in action.option_strings}
    text = " ".join(parser.format_help().split())
    for study in studies.STUDIES:
        assert set(study.options) <= known, study.name
        assert f"{study.name} ({study.title}): {' '.join(study.files)}" in text
        if study.options:
            assert f"reads {' '.join(study.options)}" in text


def test_a_study_needs_declared_tables():
    with pytest.raises(TypeError, match="StudyTable"):
        Study("x", "X", None, None, None, ("x.csv",))
    with pytest.raises(ValueError, match="csv"):
        StudyTable("x.txt", "one row")
