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


def test_accuracy_comparison_puts_error_and_cost_side_by_side():
    table = gradient_cost_study.accuracy_vs_n((5, 100))
    assert tuple(table.columns) == gradient_cost_study.ACCURACY_COLUMNS
    auto = table[table["method"] == "auto"].set_index("n")
    fixed = table[table["method"] == "fixed"].set_index("n")
    assert auto["evaluations"].tolist() == [50, 1000] and fixed["evaluations"].tolist() == [10, 200]
    assert (auto["relative_error"] <= 1e-12).all() and (auto["covered"] >= 0.99).all()
    assert (auto["relative_error"] < fixed["relative_error"] / 100).all()
    assert fixed["covered"].isna().all()
    peers = set(table["method"]) - {"auto", "fixed"}
    if "scipy" in peers:  # fewer evaluations than scipy.differentiate's
        scipy = table[table["method"] == "scipy"].set_index("n")
        assert (auto["evaluations"] < scipy["evaluations"]).all()
    only_ours = gradient_cost_study.accuracy_vs_n((4,), peers=())
    assert set(only_ours["method"]) == {"auto", "fixed"}


def test_accuracy_section_says_what_the_table_shows(tmp_path):
    from analysis.report import Paragraph
    from analysis.tables import write_table

    cost = gradient_cost_study.cost_vs_n((1, 3), repeats=1)
    write_table(cost, tmp_path, "gradient_cost.csv")
    accuracy = gradient_cost_study.accuracy_vs_n((3, 7), peers=())
    write_table(accuracy, tmp_path, "gradient_accuracy.csv")
    (section,) = gradient_cost_study.sections(tmp_path, {}, ())
    text = " ".join(b.text for b in section.blocks if isinstance(b, Paragraph))
    largest = accuracy[accuracy["n"] == 7].set_index("method")
    assert "at n = 7, relative error: automatic " \
           f"{gradient_cost_study.format_number(largest.loc['auto', 'relative_error'])} " \
           f"({int(largest.loc['auto', 'evaluations'])} evaluations)" in text
    # Every size and method is in the appendix.
    tables = gradient_cost_study.appendix(tmp_path, {}, ())
    assert len(tables) == 2 and len(tables[1].rows) == len(accuracy)
