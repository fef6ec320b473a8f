"""The sweep engine: tidy columns, shapes, chunking, executors, faults, bad input."""

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from analysis import callable_target, expression_target
from analysis.fit import summarize, summarize_blocks
from analysis.grid import eps_grid
from analysis.sweep import SWEEP_COLUMNS, sweep, sweep_blocks
from numdiff import numerical_diff

SMALL = eps_grid(1e-12, 1e-1, per_decade=3)


def test_columns_and_shape():
    table = sweep(["exp", "sin"], x=[0.5, 1.0, 2.0], schemes=["forward", "central"],
                  dtypes=["float32", "float64"], eps=SMALL)
    assert tuple(table.columns) == SWEEP_COLUMNS
    assert len(table) == 2 * 3 * 2 * 2 * len(SMALL)
    assert set(table["status"]) <= {"ok", "underflow"}
    counts = table.groupby(["function", "x", "scheme", "dtype"]).size()
    assert (counts == len(SMALL)).all()


def test_estimates_equal_numerical_diff_one_step_at_a_time():
    x = np.array([0.3, 1.0, 1.7])
    table = sweep(["exp"], x=x, schemes=["central"], eps=SMALL)
    for eps in SMALL[::5]:
        rows = table[table["eps"] == eps].sort_values("x")
        expected = [numerical_diff(np.exp, xi, eps) for xi in x]
        np.testing.assert_array_equal(rows["estimate"].to_numpy(), expected)


def test_errors_and_model_columns_are_consistent():
    table = sweep(["exp"], schemes=["forward"], eps=SMALL)
    np.testing.assert_allclose(table["exact"], np.e)
    np.testing.assert_allclose(table["abs_error"], np.abs(table["estimate"] - np.e))
    np.testing.assert_allclose(table["rel_error"], table["abs_error"] / np.e)
    u = np.finfo(float).eps / 2  # the unit roundoff
    # Forward: E = (h/2)|f''| + (h^2/6)|f'''| + 2 (u|f| + u|x||f'|)/h + eps|f'|: the
    # textbook terms (Numerical Recipes eqs. 5.7.5-5.7.6), the rounding of x + h,
    # the next Taylor term and the rounding of the quotient; at x = 1, f = f' = e.
    np.testing.assert_allclose(table["truncation_model"], table["eps"] / 2 * np.e)
    np.testing.assert_allclose(table["next_truncation_model"], table["eps"] ** 2 / 6 * np.e)
    np.testing.assert_allclose(table["rounding_model"], 2 * (u * np.e + u * np.e) / table["eps"])
    np.testing.assert_allclose(table["floor_model"], 2 * u * np.e)
    np.testing.assert_allclose(table["total_model"],
                               table["truncation_model"] + table["next_truncation_model"]
                               + table["rounding_model"] + table["floor_model"])


def test_chunking_does_not_change_results():
    x = np.linspace(0.2, 2.0, 37)
    whole = sweep(["tanh"], x=x, eps=SMALL, chunk_size=1000)
    pieces = sweep(["tanh"], x=x, eps=SMALL, chunk_size=5)
    pd.testing.assert_frame_equal(whole, pieces)


def test_blocks_hold_one_chunk_of_steps_by_points():
    blocks = list(sweep_blocks(["exp"], x=np.linspace(0, 1, 10), schemes=["central"],
                               eps=SMALL, chunk_size=4))
    assert [b.estimate.shape for b in blocks] == [(len(SMALL), 4), (len(SMALL), 4),
                                                  (len(SMALL), 2)]


def test_thread_pool_gives_identical_results():
    kwargs = dict(x=[0.5, 1.0, 1.5], schemes=["forward", "central"], eps=SMALL, chunk_size=2)
    serial = sweep(["exp", "sin", "log"], **kwargs)
    with ThreadPoolExecutor(max_workers=2) as pool:
        parallel = sweep(["exp", "sin", "log"], executor=pool, **kwargs)
    pd.testing.assert_frame_equal(serial, parallel)


def test_process_pool_gives_identical_results_with_rebuilt_targets():
    functions = ["exp", expression_target("sin(x)*x")]
    serial = sweep(functions, eps=SMALL)
    with ProcessPoolExecutor(max_workers=2) as pool:
        parallel = sweep(functions, eps=SMALL, executor=pool)
    pd.testing.assert_frame_equal(serial, parallel)


def test_dask_executor_gives_identical_results():
    distributed = pytest.importorskip("distributed")
    serial = sweep(["exp", "squire_trapp"], eps=SMALL)
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            parallel = sweep(["exp", "squire_trapp"], eps=SMALL,
                             executor=client.get_executor())
    pd.testing.assert_frame_equal(serial, parallel)


def test_steps_leaving_the_domain_are_marked_not_faults():
    table = sweep(["log"], x=[1.0], schemes=["central"], eps=[0.5, 1.0])
    assert list(table["status"]) == ["ok", "out_of_domain"]
    assert not summarize(table)["flagged"].any()


def test_steps_below_the_spacing_of_x_or_the_dtype_are_underflow():
    table = sweep(["exp"], x=[1.0], schemes=["forward"], dtypes=["float16"], eps=[1e-10, 1e-2])
    assert list(table["status"]) == ["underflow", "ok"]
    assert np.isnan(table["estimate"].iloc[0])


def _nan_beyond(x):
    return np.where(x > 1.05, np.nan, np.exp(x))


def _raise_beyond(x):
    if np.any(np.real(x) > 1.05):
        raise ArithmeticError("refusing x > 1.05")
    return np.exp(x)


@pytest.mark.parametrize("function, status", [(_nan_beyond, "nonfinite"),
                                              (_raise_beyond, "raised")])
def test_faulty_function_is_recorded_and_flagged(function, status):
    target = callable_target(function, exact=np.exp, name="faulty")
    blocks = list(sweep_blocks([target], x=[1.0, 0.5], eps=SMALL))
    table = pd.concat([b.to_frame() for b in blocks], ignore_index=True)
    bad = table[table["status"] == status]
    assert len(bad) and (bad["x"] == 1.0).all() and (bad["eps"] > 0.05).all()
    ok = table[(table["x"] == 0.5) | (table["eps"] < 0.05)]
    assert (ok["status"] == "ok").all()
    summary = summarize_blocks(blocks)
    flagged = summary[summary["flagged"]]
    assert set(flagged["x"]) == {1.0}
    if status == "raised":
        assert "refusing x > 1.05" in flagged["fault_message"].iloc[0]
    assert flagged[f"n_{status}"].min() > 0


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(functions=["nope"]), ValueError, "unknown function 'nope'"),
    (dict(functions=[]), ValueError, "functions must not be empty"),
    (dict(functions=["exp"], schemes=["centre"]), ValueError, "unknown scheme 'centre'"),
    (dict(functions=["exp"], dtypes=["float128x"]), ValueError, "unknown dtype"),
    (dict(functions=["exp"], dtypes=["int32"]), ValueError, "unknown dtype"),
    (dict(functions=["log"], x=[-1.0]), ValueError, "outside the domain"),
    (dict(functions=["exp"], x=[1.0, 1.0]), ValueError, "x must not repeat"),
    (dict(functions=["exp"], x=[np.nan]), ValueError, "x must be finite"),
    (dict(functions=["exp"], eps=[1e-3, 1e-4]), ValueError, "strictly increasing"),
    (dict(functions=["exp"], eps=[0.0, 1e-4]), ValueError, "positive"),
    (dict(functions=["exp"], deriv=9), ValueError, "deriv must be between"),
    (dict(functions=["exp"], chunk_size=0), ValueError, "chunk_size"),
    (dict(functions=[np.abs], schemes=["complex_step"]), ValueError, "analytic"),
])
def test_bad_input_is_refused_before_any_evaluation(kwargs, error, match):
    with pytest.raises(error, match=match):
        sweep(**kwargs)


def test_too_large_a_table_is_refused_with_a_pointer_to_blocks(monkeypatch):
    import importlib
    module = importlib.import_module("analysis.sweep")  # analysis.sweep is also the function
    monkeypatch.setattr(module, "MAX_TABLE_ROWS", 100)
    with pytest.raises(ValueError, match="sweep_blocks"):
        sweep(["exp"], x=np.linspace(0, 1, 10), eps=SMALL)


@pytest.mark.parametrize("exact, shown", [(lambda t: None, "None"),
                                          (lambda t: t * 1j, "complex128")])
def test_an_exact_derivative_that_is_not_real_is_refused(exact, shown):
    target = callable_target(np.sin, exact=exact, name="odd")
    with pytest.raises(TypeError, match=f"exact returned .*{shown}.*one real number per point"):
        sweep([target], x=[1.0], eps=[1e-3])
