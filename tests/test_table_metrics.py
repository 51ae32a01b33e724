"""Tables the notebook showed are metrics too: a model's results summary, a frame of scores.

Each notebook is built in code and run here, cell by cell, the way a kernel stores its outputs
(what a cell prints, and the text/plain or text/html of the value it ends with). The generated
project is trained in a subprocess; every number of a shown table must be reproduced to the
precision it was shown with, and equal what the notebook computed.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pandas as pd
import pytest
from conftest import results_of_projects

from scaffold.analysis import parse_cell
from scaffold.api import ScaffoldResult, scaffold_project
from scaffold.extract.statements import split_statements
from scaffold.extract.table_metrics import ShownTables
from scaffold.notebook import Cell, Notebook, Output
from scaffold.reading.tables import html_as_text, shown_number, tables_in
from scaffold.report import summary_lines

pytest.importorskip("statsmodels")

IMPORTS = """\
import numpy as np
import pandas as pd
import statsmodels.formula.api as smf"""
LOAD = 'df = pd.read_csv("table.csv")'


@dataclass(frozen=True)
class Form:
    """A notebook, and the notebook's own values (expressions) some metrics must equal."""

    cells: list[str]
    reference: dict[str, str]
    html_only: bool = False  # keep only the text/html of displayed values (as some tools save)


FORMS: dict[str, Form] = {
    "ols": Form(
        [
            IMPORTS,
            LOAD,
            'res = smf.ols("target ~ a + b", data=df).fit()\nprint(res.summary())\n'
            "print(res.params)",
        ],
        {
            "params.a": 'res.params["a"]',
            "bse.Intercept": 'res.bse["Intercept"]',
            "rsquared": "res.rsquared",
            "aic": "res.aic",
        },
    ),
    "ols_html": Form(
        [IMPORTS, LOAD, 'res = smf.ols("target ~ a + b", data=df).fit()', "res.summary()"],
        {"params.b": 'res.params["b"]', "llf": "res.llf"},
        html_only=True,
    ),
    "logit": Form(
        [IMPORTS, LOAD, 'res = smf.logit("won ~ a + b", data=df).fit(disp=0)\nres.summary()'],
        {"params.a": 'res.params["a"]', "prsquared": "res.prsquared", "llnull": "res.llnull"},
    ),
    "quantreg": Form(
        [
            IMPORTS,
            LOAD,
            'res = smf.quantreg("target ~ a + b", data=df).fit(q=0.5)\nprint(res.summary())',
        ],
        {"params.a": 'res.params["a"]', "prsquared": "res.prsquared"},
    ),
    "iv": Form(
        [
            IMPORTS + "\nfrom linearmodels.iv import IV2SLS",
            LOAD,
            'res = IV2SLS.from_formula("target ~ 1 + b + [a ~ w]", data=df).fit()',
            "print(res.summary)",
        ],
        {
            "params.a": 'res.params["a"]',
            "bse.a": 'res.std_errors["a"]',
            "rsquared": "res.rsquared",
        },
    ),
    "scores_frame": Form(
        [
            IMPORTS
            + "\nfrom sklearn.linear_model import Ridge"
            + "\nfrom sklearn.metrics import mean_absolute_error, r2_score"
            + "\nfrom sklearn.model_selection import cross_validate, train_test_split",
            LOAD,
            'X = df[["a", "b"]]\ny = df["target"]\n'
            "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)",
            "model = Ridge(alpha=1.0)\nmodel.fit(X_train, y_train)",
            "pred = model.predict(X_test)\n"
            'scores = pd.DataFrame({"r2": [r2_score(y_test, pred)], '
            '"mae": [mean_absolute_error(y_test, pred)]}, index=["ridge"])\n'
            "scores",
            'cv = pd.DataFrame(cross_validate(Ridge(alpha=1.0), X, y, cv=3, scoring=("r2",)))\n'
            "print(cv)",
        ],
        {"scores.ridge.r2": 'scores.loc["ridge", "r2"]', "cv.2.test_r2": 'cv.loc[2, "test_r2"]'},
    ),
}


def write_data(folder: Path) -> None:
    rng = np.random.default_rng(11)
    rows = 120
    w = rng.normal(size=rows).round(3)
    a = (w + rng.normal(scale=0.5, size=rows)).round(3)
    b = rng.normal(size=rows).round(3)
    target = (1.5 * a - b + rng.normal(scale=0.7, size=rows)).round(3)
    won = (a + rng.normal(size=rows) > 0).astype(int)
    frame = pd.DataFrame({"a": a, "b": b, "w": w, "target": target, "won": won})
    frame.to_csv(folder / "table.csv", index=False)


def run_like_a_kernel(cells: Sequence[str], folder: Path, *, html_only: bool) -> Any:
    """The notebook of `cells` with the outputs a kernel would store, and its namespace."""
    notebook = nbformat.v4.new_notebook()
    namespace: dict[str, Any] = {"__name__": "__main__"}
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        for number, source in enumerate(cells, 1):
            cell = nbformat.v4.new_code_cell(source, execution_count=number)
            body = ast.parse(source).body
            shown_last = bool(body) and isinstance(body[-1], ast.Expr)
            statements = ast.Module(body=body[:-1] if shown_last else body, type_ignores=[])
            printed = io.StringIO()
            with warnings.catch_warnings(), contextlib.redirect_stdout(printed):
                warnings.simplefilter("ignore")
                exec(compile(statements, "<cell>", "exec"), namespace)
                value = None
                if shown_last:
                    expression = ast.Expression(body=body[-1].value)  # type: ignore[attr-defined]
                    value = eval(compile(expression, "<cell>", "eval"), namespace)
            if printed.getvalue():
                cell.outputs.append(nbformat.v4.new_output("stream", text=printed.getvalue()))
            if value is not None:
                data = {"text/plain": repr(value)}
                html = getattr(value, "_repr_html_", None)
                if html is not None:
                    data["text/html"] = html()
                if html_only and "text/html" in data:
                    del data["text/plain"]
                cell.outputs.append(
                    nbformat.v4.new_output("execute_result", data=data, execution_count=number)
                )
            notebook.cells.append(cell)
    finally:
        os.chdir(cwd)
    return notebook, namespace


TRAINER = """\
import importlib, json, sys, traceback
from pathlib import Path
results = {}
for name, package in json.loads(sys.argv[1]):
    try:
        pipeline = importlib.import_module(package + ".pipeline")
        module = importlib.import_module(package + ".settings")
        settings = module.load_settings(Path(module.__file__).parents[2] / "config/params.yaml")
        if hasattr(pipeline, "run"):
            results[name] = {"metrics": pipeline.run(settings)}
        else:
            run = pipeline.train(settings)
            evaluated = pipeline.evaluate(settings, run.model)
            results[name] = {"metrics": run.metrics, "evaluated": evaluated}
    except Exception:
        results[name] = {"error": traceback.format_exc()}
with open(sys.argv[2], "w") as out:
    json.dump(results, out)
"""


@dataclass
class Outcome:
    made: ScaffoldResult
    namespace: dict[str, Any]
    result: dict[str, Any]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    root = tmp_path_factory.mktemp("tables")
    found: dict[str, Outcome] = {}
    jobs = []
    for name, form in FORMS.items():
        if name == "iv":
            pytest.importorskip("linearmodels")
        folder = root / name
        folder.mkdir()
        write_data(folder)
        notebook, namespace = run_like_a_kernel(form.cells, folder, html_only=form.html_only)
        path = folder / f"{name}.ipynb"
        nbformat.write(notebook, path)
        made = scaffold_project(path, folder / "project", force=True, git=False, verify=False)
        found[name] = Outcome(made, namespace, {})
        jobs.append((name, made.package))
    sources = [root / name / "project" / "src" for name, _ in jobs]
    for name, result in results_of_projects(TRAINER, jobs, sources, root / "out.json").items():
        found[name].result = result
    return found


def computed(outcome: Outcome) -> dict[str, float]:
    assert "error" not in outcome.result, outcome.result.get("error")
    metrics: dict[str, float] = outcome.result["metrics"]
    return metrics


@pytest.mark.parametrize("name", list(FORMS))
def test_every_shown_number_is_reproduced_to_its_precision(
    outcomes: dict[str, Outcome], name: str
) -> None:
    outcome = outcomes[name]
    printed = outcome.made.printed
    assert outcome.made.tables.matched, "no table was read"
    assert not outcome.made.tables.unread
    metrics = computed(outcome)
    for metric in printed:
        assert metric.key in metrics, f"{metric.key} is not a metric of the pipeline"
        allowed = 0.5 * 10**-metric.decimals + 1e-12
        assert abs(metrics[metric.key] - metric.value) <= allowed, metric


@pytest.mark.parametrize("name", list(FORMS))
def test_the_metrics_are_the_notebooks_values(outcomes: dict[str, Outcome], name: str) -> None:
    outcome = outcomes[name]
    metrics = computed(outcome)
    keys = {metric.key for metric in outcome.made.printed}
    for key, expression in FORMS[name].reference.items():
        assert key in keys, f"{key} was not read from the notebook"
        expected = float(eval(expression, outcome.namespace))
        assert metrics[key] == pytest.approx(expected, rel=1e-9, abs=1e-12), key


def test_a_served_model_evaluates_to_its_summary(outcomes: dict[str, Outcome]) -> None:
    """The retraining gate's `evaluate` gives the same numbers as training did."""
    result = outcomes["ols"].result
    assert result["evaluated"]["params.a"] == result["metrics"]["params.a"]


def test_the_summary_names_the_tables_it_reads(outcomes: dict[str, Outcome]) -> None:
    lines = summary_lines(outcomes["ols"].made)
    at = lines.index("tables the reproduction test checks, number by number:")
    assert lines[at + 1].startswith("  cell 3: print(res.summary()) (")
    assert not any(
        line.startswith("metrics the reproduction test checks: params.") for line in lines
    )


def test_a_column_shown_again_with_more_digits_is_compared_to_them(
    outcomes: dict[str, Outcome],
) -> None:
    printed = {metric.key: metric for metric in outcomes["ols"].made.printed}
    assert printed["params.a"].decimals == 6  # `print(res.params)`, not the summary's 4
    assert printed["bse.a"].decimals == 3


def test_the_reproduction_test_holds_the_shown_numbers(outcomes: dict[str, Outcome]) -> None:
    test = (outcomes["quantreg"].made.target / "tests" / "test_reproduction.py").read_text()
    assert '"params.a": (' in test
    assert '"prsquared": (' in test


def test_timing_columns_of_cross_validation_are_not_compared(
    outcomes: dict[str, Outcome],
) -> None:
    keys = {metric.key for metric in outcomes["scores_frame"].made.printed}
    assert "cv.0.test_r2" in keys
    assert not any(key.endswith(("fit_time", "score_time")) for key in keys)


# --------------------------------------------------------------------------- reading


OLS_TEXT = """\
                            OLS Regression Results
==============================================================================
Dep. Variable:                      y   R-squared:                       0.995
Model:                            OLS   Adj. R-squared:                  0.992
No. Observations:                  16   AIC:                             233.2
==============================================================================
                 coef    std err          t      P>|t|      [0.025      0.975]
------------------------------------------------------------------------------
const      -3.482e+06    8.9e+05     -3.911      0.004    -5.5e+06   -1.47e+06
GNPDEFL       15.0619     84.915      0.177      0.863    -177.029     207.153
==============================================================================
Omnibus:                        0.749   Durbin-Watson:                   2.559
==============================================================================
"""


def test_a_summary_is_read_as_fit_statistics_and_one_row_per_term() -> None:
    (table,) = tables_in(OLS_TEXT)
    numbers = dict(table.numbers)
    assert table.kind == "results"
    assert numbers["rsquared"].value == 0.995
    assert numbers["rsquared_adj"].value == 0.992  # not taken for R-squared
    assert numbers["nobs"].value == 16
    assert numbers["params.GNPDEFL"].value == 15.0619
    assert numbers["pvalues.const"].value == 0.004
    assert "Omnibus" not in str(numbers)


@pytest.mark.parametrize(
    ("text", "value", "decimals"),
    [
        ("0.014", 0.014, 3),
        ("2.99e-05", 2.99e-05, 7),
        ("-3.482e+06", -3.482e06, -3),
        ("144.", 144, 0),
    ],
)
def test_a_shown_number_keeps_its_precision(text: str, value: float, decimals: int) -> None:
    shown = shown_number(text)
    assert shown is not None
    assert (shown.value, shown.decimals) == (value, decimals)


def test_a_printed_frame_is_read_by_row_and_column() -> None:
    text = (
        "       mean_test_score  std_test_score  mean_fit_time\n"
        "model                                                \n"
        "lr              0.9130          0.0100          0.512\n"
        "svc macro       0.9500          0.0200          1.900\n"
    )
    (table,) = tables_in(text)
    numbers = dict(table.numbers)
    assert numbers["svc macro.mean_test_score"].value == 0.95
    assert numbers["lr.std_test_score"].decimals == 4
    assert not any(key.endswith("mean_fit_time") for key in numbers)


def test_a_printed_series_is_read_by_row() -> None:
    (table,) = tables_in("a    0.25\nb   -1.50\ndtype: float64\n")
    assert dict(table.numbers)["b"].value == -1.5


def test_html_tables_read_as_their_text() -> None:
    html = (
        "<table><tr><th></th><th>coef</th><th>std err</th></tr>"
        "<tr><th>a</th><td>1.2500</td><td>0.010</td></tr></table>"
    )
    (table,) = tables_in(html_as_text(html))
    assert dict(table.numbers)["bse.a"].value == 0.01


def test_text_that_is_no_table_reads_as_none() -> None:
    assert tables_in("Accuracy: 0.91\n[[1 2]\n [3 4]]\n") == []


def test_a_summary_whose_table_is_not_in_the_output_is_named_not_compared(
    tmp_path: Path,
) -> None:
    cells = [
        IMPORTS + "\nfrom sklearn.metrics import mean_squared_error",
        LOAD,
        'res = smf.ols("target ~ a + b", data=df).fit()',
        "print(f\"MSE: {mean_squared_error(df['target'], res.predict(df)):.4f}\")\n"
        "print(res.summary())",
    ]
    write_data(tmp_path)
    notebook, _ = run_like_a_kernel(cells, tmp_path, html_only=False)
    stream = notebook.cells[3].outputs[0]
    stream.text = stream.text.splitlines()[0] + "\n"  # the summary was not kept
    path = tmp_path / "unread.ipynb"
    nbformat.write(notebook, path)
    made = scaffold_project(path, tmp_path / "project", force=True, git=False, verify=False)
    assert made.tables.unread == ("cell 4: print(res.summary())",)
    assert [metric.key for metric in made.printed] == ["mse"]
    lines = summary_lines(made)
    at = lines.index("tables shown that scaffold could not read (not compared):")
    assert lines[at + 1] == "  cell 4: print(res.summary())"


def test_a_summary_takes_its_own_table_when_a_frame_was_printed_before_it() -> None:
    code = "for frame in [df]:\n    print(frame.describe())\nprint(res.summary())\n"
    frame = "       score\ncount    3.0\nmean     0.5\n\n"
    cell = Cell(1, "code", code, code, outputs=(Output("stream", frame + OLS_TEXT),))
    shown = ShownTables(Notebook(Path("nb.ipynb"), (cell,)))
    summary = split_statements(1, parse_cell(cell))[1]
    table = shown.table(summary)
    assert table is not None
    assert table.kind == "results"
    assert shown.position(summary) == 1  # the frame is table 0 of the output
