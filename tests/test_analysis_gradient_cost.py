"""The cost of many variables: evaluations of the numerical gradient against n."""

from analysis.studies import gradient_cost as gradient_cost_study


def test_gradient_cost_is_two_evaluations_per_variable_with_central():
    table = gradient_cost_study.cost_vs_n((1, 5, 25), repeats=1)
    assert tuple(table.columns) == gradient_cost_study.COST_COLUMNS
    grad = table[table["method"] == "gradient"]
    assert grad["evaluations"].tolist() == [2, 10, 50] == grad["expected_evaluations"].tolist()
    assert grad["calls"].tolist() == [2, 10, 50]
    assert (table[table["method"] == "gradient_batched"]["calls"] == 1).all()
    forward = gradient_cost_study.cost_vs_n((8,), scheme="forward", repeats=1, batched=False)
    assert forward[forward["method"] == "gradient"]["evaluations"].item() == 9  # n + centre
