"""benchmarks.gradient_peers: the one-run comparison of Rosenbrock gradients prints every tool."""

from benchmarks import gradient_peers


def test_prints_numdiff_and_the_importable_peers(capsys):
    assert gradient_peers.main(["--sizes", "5", "--count", "2", "--hessian"]) == 0
    out = capsys.readouterr().out
    assert "gradient" in out and "Hessian" in out
    rows = [line.split() for line in out.splitlines() if line.split()[:1] == ["5"]]
    tools = {row[1] for row in rows}
    assert "numdiff" in tools
    numdiff_gradient = next(row for row in rows if row[1] == "numdiff")
    assert float(numdiff_gradient[4]) <= 1e-12 and numdiff_gradient[5] == "100.00%"
    assert float(numdiff_gradient[6]) == 50


def test_measure_counts_the_points_of_every_call():
    from numdiff.catalogue import rosenbrock_gradient

    found = gradient_peers.measure(gradient_peers.gradients()["numdiff"], rosenbrock_gradient,
                                   3, 2, 0)
    assert list(found["evaluations"]) == [30, 30] and found["errors"].max() <= 1e-13
