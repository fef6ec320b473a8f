"""``render`` of a damaged run: refused on one line naming the file, the run left byte for byte."""

import json
import shutil

import matplotlib
import pytest

matplotlib.use("Agg")

from analysis.cli import main  # noqa: E402

TINY = ["--functions", "exp,sin", "--schemes", "central", "--per-decade", "1", "--eps-min",
        "1e-6", "--studies", "error_vs_step,precision", "--quiet"]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    run = tmp_path_factory.mktemp("pristine") / "run"
    assert main([*TINY, "--out", str(run)]) == 0
    return run


def _edit_metadata(run, change):
    metadata = json.loads((run / "metadata.json").read_text())
    change(metadata)
    (run / "metadata.json").write_text(json.dumps(metadata))


def _cut(path, fraction):
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * fraction)])


DAMAGES = {
    "summary deleted": (lambda r: (r / "summary.csv").unlink(), "summary.csv is missing"),
    "sweep cut mid-row": (lambda r: _cut(r / "sweep.csv", 0.6), "sweep.csv"),
    "sweep one value edited": (lambda r: (r / "sweep.csv").write_text(
        (r / "sweep.csv").read_text().replace("central", "forward", 1)), "sweep.csv"),
    "summary a row added": (lambda r: (r / "summary.csv").write_text(
        (r / "summary.csv").read_text() + (r / "summary.csv").read_text().splitlines()[-1]
        + "\n"), "summary.csv"),
    "sweep a column removed": (lambda r: (r / "sweep.csv").write_text("\n".join(
        line.rsplit(",", 1)[0] for line in (r / "sweep.csv").read_text().splitlines())),
        "sweep.csv"),
    "precision table binary": (lambda r: (r / "precision_summary.csv").write_bytes(
        b"\xff\xfe\x00garbage"), "precision_summary.csv"),
    "sweep is a folder": (lambda r: ((r / "sweep.csv").unlink(), (r / "sweep.csv").mkdir()),
                          "sweep.csv is missing"),
    "metadata cut": (lambda r: _cut(r / "metadata.json", 0.5), "metadata.json cannot be read"),
    "metadata deleted": (lambda r: (r / "metadata.json").unlink(), "no metadata.json"),
    "metadata unknown study": (lambda r: _edit_metadata(
        r, lambda m: m["studies"].append("nope")), "study 'nope'"),
    "metadata record missing": (lambda r: _edit_metadata(
        r, lambda m: m["tables"].pop("summary.csv")), "no record of summary.csv"),
    "older run lacking a column": (lambda r: (_edit_metadata(r, lambda m: m.pop("tables")),
                                              (r / "sweep.csv").write_text("\n".join(
        line.rsplit(",", 1)[0] for line in (r / "sweep.csv").read_text().splitlines()))),
        "sweep.csv lacks the column(s) f_value"),
    "older run with a short row": (lambda r: (_edit_metadata(r, lambda m: m.pop("tables")),
                                              _cut(r / "summary.csv", 0.85)),
                                   "summary.csv: line"),
    "metadata timings text": (lambda r: _edit_metadata(
        r, lambda m: m["timings"].update(total="soon")), "'timings'"),
}


def _tree(root):
    return {str(p.relative_to(root)): p.read_bytes() if p.is_file() else None
            for p in sorted(root.rglob("*"))}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_damaged_run_is_refused_and_left_as_it_was(damage, pristine, tmp_path, capfd):
    run = tmp_path / "run"
    shutil.copytree(pristine, run)
    spoil, expected = DAMAGES[damage]
    spoil(run)
    before = _tree(run)
    assert main(["render", str(run), "--quiet"]) == 2
    err = capfd.readouterr().err
    assert err.startswith("analysis: error: render: ") and err.count("\n") == 1, err
    assert expected in err and "Traceback" not in err, err
    assert _tree(run) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_render_keeps_every_file_it_does_not_rebuild(pristine, tmp_path, capfd):
    run = tmp_path / "run"
    shutil.copytree(pristine, run)
    (run / "notes.txt").write_text("mine")
    (run / "figures" / "annotated.png").write_bytes(b"png")
    tables = {p.name: p.read_bytes() for p in run.glob("*.csv")}
    assert main(["render", str(run), "--quiet"]) == 0
    assert (run / "notes.txt").read_text() == "mine"
    assert (run / "figures" / "annotated.png").read_bytes() == b"png"
    assert {p.name: p.read_bytes() for p in run.glob("*.csv")} == tables
    assert (run / "report.html").stat().st_size > 10_000
    metadata = json.loads((run / "metadata.json").read_text())
    assert set(metadata["tables"]) == {"sweep.csv", "summary.csv", "precision_summary.csv"}
    assert metadata["tables"]["sweep.csv"]["rows"] == 2 * 7  # functions x steps 1e-6..1


def test_a_run_without_table_records_still_renders(pristine, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(pristine, run)
    _edit_metadata(run, lambda m: m.pop("tables"))
    assert main(["render", str(run), "--quiet"]) == 0
    assert (run / "report.html").stat().st_size > 10_000
