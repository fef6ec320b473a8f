"""Runs stopped by signals leave nothing behind: no partial target, no stage, no worker."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from analysis.cli import main  # noqa: E402
from analysis.output import remove_stale_stages, staged_directory  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
TINY = ["--functions", "exp", "--schemes", "central", "--per-decade", "1", "--eps-min", "1e-4",
        "--studies", "error_vs_step", "--quiet"]


def _command(out, *extra):
    return [sys.executable, "-m", "analysis", *TINY, *extra, "--out", str(out)]


def _env():
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(HERE)])}


def _complete(run):
    metadata = json.loads((run / "metadata.json").read_text())
    return (run / "report.html").is_file() and all((run / name).is_file()
                                                   for name in metadata["tables"])


@pytest.mark.signals
def test_runs_killed_at_random_moments_leave_no_partial_target(tmp_path):
    rng = random.Random(20261129)
    targets = [tmp_path / f"run{i:02d}" for i in range(20)]
    for batch in range(0, 20, 4):  # four at a time: the kills land during imports and work
        processes = [subprocess.Popen(_command(out), cwd=tmp_path, env=_env(),
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                     for out in targets[batch:batch + 4]]
        moments = sorted((rng.uniform(0.2, 2.8), p) for p in processes)
        start = time.monotonic()
        for moment, process in moments:
            time.sleep(max(0.0, moment - (time.monotonic() - start)))
            process.kill()
            process.wait()
    for out in targets:  # each target is absent or a complete run
        assert not out.exists() or _complete(out), out
    final = tmp_path / "final"
    done = subprocess.run(_command(final), cwd=tmp_path, env=_env(), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.signals
@pytest.mark.parametrize("number, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130),
                                          (signal.SIGKILL, -signal.SIGKILL)])
def test_signal_to_the_parent_stops_its_workers_and_cleans_up(tmp_path, number, code):
    out = tmp_path / "run"
    process = subprocess.Popen(_command(out, "--func", "robust_functions:slow_in_sweep",
                                        "--x", "1", "2", "3", "--workers", "2",
                                        "--oversubscribe"),
                               cwd=tmp_path, env=_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    workers = []
    deadline = time.monotonic() + 60
    while len(workers) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        workers = [int(pid) for pid in children.read_text().split()] if children.exists() else []
    assert len(workers) == 2
    process.send_signal(number)
    _, err = process.communicate(timeout=30)
    assert process.returncode == code, err
    time.sleep(0.5)
    for pid in workers:  # even after SIGKILL: the workers die with their parent
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text(
        ).rsplit(")", 1)[1].split()[0]
    if number == signal.SIGKILL:  # the stage is left; the next run removes it
        assert [p.name.split("-")[0] for p in tmp_path.iterdir()] == [".run.partial"]
        assert main([*TINY, "--out", str(tmp_path / "next")]) == 0
        assert [p.name for p in tmp_path.iterdir()] == ["next"]
        return
    assert "nothing was written" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_stages_of_dead_processes_are_removed_and_live_ones_kept(tmp_path):
    dead = tmp_path / ".run.partial-999999999-5-abcd"
    reused = tmp_path / f".run.partial-{os.getpid()}-1-abcd"  # this pid, another start
    other = tmp_path / ".notes"
    for folder in (dead, reused, other):
        folder.mkdir()
    with staged_directory(tmp_path / "run") as stage:
        assert stage.exists()
        assert remove_stale_stages(tmp_path) == []  # our own stage is alive
    assert sorted(p.name for p in tmp_path.iterdir()) == [".notes", "run"]


def test_previous_run_set_aside_by_a_dead_process_comes_back(tmp_path):
    aside = tmp_path / ".run.old-999999999-5-abcd"
    aside.mkdir()
    (aside / "metadata.json").write_text("{}")
    assert remove_stale_stages(tmp_path) == []
    assert (tmp_path / "run" / "metadata.json").read_text() == "{}"


def test_out_through_a_symbolic_link_is_replaced_in_place(tmp_path, capsys):
    real = tmp_path / "real"
    link = tmp_path / "latest"
    assert main([*TINY, "--out", str(real)]) == 0
    link.symlink_to(real)
    assert main([*TINY, "--out", str(link), "--force"]) == 0
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert (real / "report.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest", "real"]
    broken = tmp_path / "broken"
    broken.symlink_to(tmp_path / "missing")
    assert main([*TINY, "--out", str(broken), "--force"]) == 2
    assert "missing folder" in capsys.readouterr().err


def test_force_replaces_only_run_folders(tmp_path, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.tex").write_text("years of work")
    assert main([*TINY, "--out", str(folder), "--force"]) == 2
    assert "not a run folder" in capsys.readouterr().err
    assert (folder / "thesis.tex").read_text() == "years of work"
