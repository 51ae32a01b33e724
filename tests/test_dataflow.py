"""Which cell's value each read gets, an order of cells, and what looked wrong."""

from __future__ import annotations

from collections.abc import Callable

from scaffold.analysis import Analysis, Flow

Analyse = Callable[..., Analysis]


def flows(analysis: Analysis) -> set[tuple[int, int, str]]:
    return {(flow.producer, flow.consumer, flow.name) for flow in analysis.flows}


def test_reads_come_from_the_last_cell_that_bound_the_name(analyse_cells: Analyse) -> None:
    analysis = analyse_cells(["x = 1", "x = 2", "y = x + 1", "print(y)"])
    assert flows(analysis) == {(2, 3, "x"), (3, 4, "y")}
    assert Flow(2, 3, "x") in analysis.flows


def test_a_mutation_makes_the_cell_the_producer(analyse_cells: Analyse) -> None:
    analysis = analyse_cells(
        [
            "import pandas as pd\ndf = pd.DataFrame()",
            "df.dropna(inplace=True)",
            "df['b'] = 1",
            "df.head()",
        ]
    )
    assert (2, 3, "df") in flows(analysis)
    assert (3, 4, "df") in flows(analysis)
    assert (1, 4, "df") not in flows(analysis)


def test_order_puts_a_mutation_after_the_readers_of_the_old_value(analyse_cells: Analyse) -> None:
    analysis = analyse_cells(["lst = []", "n = len(lst)", "lst.append(1)", "m = len(lst)"])
    order = analysis.order
    assert order.index(2) < order.index(3) < order.index(4)
    assert sorted(order) == [1, 2, 3, 4]


def test_markdown_and_skipped_cells_are_not_in_the_flow(analyse_cells: Analyse) -> None:
    analysis = analyse_cells([("markdown", "# A"), "x = 1", "# scaffold: skip\nx = 5", "y = x"])
    assert flows(analysis) == {(2, 4, "x")}
    assert analysis.order == (2, 4)


def test_read_before_definition_is_reported(analyse_cells: Analyse) -> None:
    analysis = analyse_cells(["y = x + 1", "x = 1"])
    messages = [str(finding) for finding in analysis.findings]
    assert "cell 1: reads 'x' before it is defined (cell 2 defines it)" in messages[0]


def test_undefined_name_is_reported(analyse_cells: Analyse) -> None:
    analysis = analyse_cells(["y = mystery + len('a')"])
    message = "cell 1: reads 'mystery', which no cell defines"
    assert message in [str(finding) for finding in analysis.findings]


def test_redefinition_and_unused_are_reported(analyse_cells: Analyse) -> None:
    analysis = analyse_cells(["a = 1\nunused = 2", "a = 3", "print(a)"])
    messages = {str(finding) for finding in analysis.findings}
    assert "cell 2: 'a' is bound in cells 1, 2" in messages
    assert "cell 1: binds, and no later cell reads: a, unused" in messages


def test_deleted_name_has_no_producer(analyse_cells: Analyse) -> None:
    analysis = analyse_cells(["x = 1", "del x", "y = x"])
    assert (1, 3, "x") not in flows(analysis)
    assert any("reads 'x'" in str(finding) for finding in analysis.findings)


def test_function_body_reads_link_to_the_cell_before_it(analyse_cells: Analyse) -> None:
    analysis = analyse_cells(["scale = 2", "def f(v):\n    return v * scale", "f(3)"])
    assert flows(analysis) == {(1, 2, "scale"), (2, 3, "f")}
