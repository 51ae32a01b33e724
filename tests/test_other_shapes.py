"""Notebooks that are not a classifier on a train/test split: what they are served as.

A forecaster is served by step after its training series, a model fitted on every row (no
held-out rows) serves those rows' columns, a statsmodels results object serves its `predict`,
and a survival model's outcomes travel as (event, time) records. As in the equivalence tests,
each notebook runs top to bottom as the reference, the generated project is trained in a
subprocess, and what it computes and serves must equal the notebook's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import libcst as cst
import nbformat
import numpy as np
import pandas as pd
import pytest
from conftest import build_notebook, results_of_projects, run_cells

from scaffold.api import scaffold_project
from scaffold.extract.emit.fragments import fragment_source

pytest.importorskip("statsmodels")

SERIES_IMPORTS = """\
import numpy as np
import pandas as pd
from sklearn.metrics import mean_absolute_error"""
LOAD_SERIES = """\
df = pd.read_csv("sales.csv", parse_dates=["month"], index_col="month")
y = df["sales"].asfreq("MS")"""
TABLE_IMPORTS = """\
import numpy as np
import pandas as pd
import statsmodels.api as sm
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler"""
LOAD_TABLE = 'df = pd.read_csv("table.csv")'
ADD_CONSTANT = "data.exog = sm.add_constant(data.exog, prepend=False)"
EVALUATE_FORECAST = """\
forecast = results.forecast(len(test))
mae = mean_absolute_error(test, forecast)
print(f"MAE: {mae:.4f}")"""


@dataclass(frozen=True)
class Shape:
    """A notebook, what it must be served as, and the reference for the served values."""

    cells: list[str]
    served: str | None  # the notebook's values for the served rows; None: no service
    metrics: tuple[str, ...] = ()  # metric keys whose values equal the notebook's `mae`
    reason: str = ""  # words the no-service reason must hold
    columns: tuple[str, ...] = ()  # the served input columns, when they are checked
    retrain: str = ""  # words of why feedback rows are refused ("" when they join the training)
    warning: str = ""  # words one of the summary's warnings must hold


SHAPES: dict[str, Shape] = {
    "arima_on_a_cut_series": Shape(
        [
            SERIES_IMPORTS + "\nfrom statsmodels.tsa.arima.model import ARIMA",
            LOAD_SERIES,
            "n_test = 12\ntrain, test = y[:-n_test], y[-n_test:]",
            "model = ARIMA(train, order=(1, 1, 1))\nresults = model.fit()",
            EVALUATE_FORECAST,
        ],
        served="forecast",
        metrics=("mae",),
    ),
    "arima_on_a_one_column_frame": Shape(
        [
            SERIES_IMPORTS + "\nfrom statsmodels.tsa.arima.model import ARIMA",
            LOAD_SERIES + "\nframe = y.to_frame()",
            "train, test = frame[:-12], frame[-12:]",
            "model = ARIMA(train, order=(1, 1, 1))\nresults = model.fit()",
            EVALUATE_FORECAST,
        ],
        served="forecast",
        metrics=("mae",),
    ),
    "holt_winters_on_a_split_series": Shape(
        [
            SERIES_IMPORTS
            + "\nfrom sklearn.model_selection import train_test_split"
            + "\nfrom statsmodels.tsa.holtwinters import ExponentialSmoothing",
            LOAD_SERIES,
            "train, test = train_test_split(y, test_size=0.2, shuffle=False)",
            'fitted = ExponentialSmoothing(train, trend="add", seasonal="add", '
            "seasonal_periods=12).fit()",
            EVALUATE_FORECAST.replace("results", "fitted"),
        ],
        served="forecast",
        metrics=("mae",),
    ),
    "forecaster_on_the_whole_series": Shape(
        [
            SERIES_IMPORTS + "\nfrom statsmodels.tsa.holtwinters import ExponentialSmoothing",
            LOAD_SERIES,
            'fitted = ExponentialSmoothing(y, trend="add").fit()\nprint(fitted.summary())',
            "forecast = fitted.forecast(12)\nforecast.plot()",
        ],
        served="fitted.fittedvalues",
        retrain="forecaster",
    ),
    "forecaster_fitted_on_the_whole_series_despite_a_split": Shape(
        [
            SERIES_IMPORTS + "\nfrom statsmodels.tsa.holtwinters import ExponentialSmoothing",
            LOAD_SERIES,
            "train, test = y[:-12], y[-12:]",
            'fitted = ExponentialSmoothing(y, trend="add").fit()',
        ],
        served="fitted.fittedvalues",
        retrain="forecaster",
    ),
    "forecaster_with_exogenous_inputs": Shape(
        [
            SERIES_IMPORTS + "\nfrom statsmodels.tsa.statespace.sarimax import SARIMAX",
            LOAD_SERIES,
            "train, test = y[:-12], y[-12:]",
            "months = np.arange(len(y)) % 12\n"
            "results = SARIMAX(train, months[:-12], order=(1, 0, 0)).fit(disp=False)",
            "forecast = results.forecast(12, exog=months[-12:])\n"
            'print(f"MAE: {mean_absolute_error(test, forecast):.4f}")',
        ],
        served=None,
        reason="exogenous",
    ),
    "sklearn_model_fitted_on_every_row": Shape(
        [
            TABLE_IMPORTS,
            LOAD_TABLE,
            'X = df.drop(columns=["target", "c"])\ny = df["target"]',
            "model = make_pipeline(StandardScaler(), Ridge(alpha=3.0)).fit(X, y)",
        ],
        served="model.predict(X)",
    ),
    "statsmodels_ols_on_every_row": Shape(
        [
            TABLE_IMPORTS,
            LOAD_TABLE,
            'X = sm.add_constant(df[["a", "b"]])\ny = df["target"]',
            "results = sm.OLS(y, X).fit()\nprint(results.summary())",
        ],
        served="results.predict(X)",
    ),
    "statsmodels_ols_on_a_split": Shape(
        [
            TABLE_IMPORTS
            + "\nfrom sklearn.metrics import mean_absolute_error"
            + "\nfrom sklearn.model_selection import train_test_split",
            LOAD_TABLE,
            'X = sm.add_constant(df[["a", "b"]])\ny = df["target"]\n'
            "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)",
            "results = sm.OLS(y_train, X_train).fit()",
            "pred = results.predict(X_test)\nmae = mean_absolute_error(y_test, pred)\n"
            'print(f"MAE: {mae:.4f}")',
        ],
        served="results.predict(X)",
        metrics=("mae",),
    ),
    "statsmodels_dataset_attributes": Shape(
        [
            "import statsmodels.api as sm",
            "data = sm.datasets.spector.load()\n" + ADD_CONSTANT,
            "logit_res = sm.Logit(data.endog, data.exog).fit(disp=0)\nprint(logit_res.summary())",
        ],
        served="logit_res.predict(data.exog)",
    ),
    "binomial_counts_outcome": Shape(
        [
            "import statsmodels.api as sm",
            "data = sm.datasets.star98.load()\n" + ADD_CONSTANT,
            "model = sm.GLM(data.endog, data.exog, family=sm.families.Binomial())\n"
            "res = model.fit()",
        ],
        served="res.predict(data.exog)",
    ),
    "formula_on_every_row": Shape(
        [
            TABLE_IMPORTS + "\nimport statsmodels.formula.api as smf",
            LOAD_TABLE,
            'results = smf.ols("target ~ a + np.log(b + 5) + C(c)", data=df).fit()',
        ],
        served="results.predict(df)",
        columns=("a", "b", "c"),
    ),
    "formula_on_a_split": Shape(
        [
            TABLE_IMPORTS
            + "\nimport statsmodels.formula.api as smf"
            + "\nfrom sklearn.metrics import mean_absolute_error"
            + "\nfrom sklearn.model_selection import train_test_split",
            LOAD_TABLE,
            "train, test = train_test_split(df, test_size=0.25, random_state=0)",
            'formula = "target ~ a * b"\nresults = smf.ols(formula, data=train).fit()',
            'pred = results.predict(test)\nmae = mean_absolute_error(test["target"], pred)\n'
            'print(f"MAE: {mae:.4f}")',
        ],
        served="results.predict(train)",
        metrics=("mae",),
        columns=("a", "b"),
    ),
    "formula_of_an_expression": Shape(
        [
            TABLE_IMPORTS + "\nimport statsmodels.formula.api as smf",
            LOAD_TABLE,
            'results = smf.ols("np.exp(target) ~ a", data=df).fit()',
        ],
        served=None,
        reason="is an expression",
    ),
    "weighted_least_squares": Shape(
        [
            TABLE_IMPORTS,
            LOAD_TABLE,
            'X = sm.add_constant(df[["a", "b"]])\ny = df["target"]\nw = 1.0 + (df["a"] > 0)',
            "results = sm.WLS(y, X, weights=w).fit()",
        ],
        served="results.predict(X)",
        retrain="weights",
    ),
    "cross_validation_only": Shape(
        [
            TABLE_IMPORTS + "\nfrom sklearn.model_selection import cross_val_score",
            LOAD_TABLE,
            'X = df[["a", "b"]]\ny = df["target"]',
            "scores = cross_val_score(Ridge(alpha=1.0), X, y, cv=5)\n"
            'print(f"R2: {scores.mean():.3f}")',
        ],
        served=None,
        reason="only cross-validates (cross_val_score",
    ),
    "models_fitted_on_different_data": Shape(
        [
            TABLE_IMPORTS,
            LOAD_TABLE,
            'X = sm.add_constant(df[["a"]])\ny = df["target"]',
            "first = sm.OLS(y, X).fit()",
            'X = sm.add_constant(df[["a", "b"]])\nsecond = sm.OLS(y, X).fit()',
        ],
        served="second.predict(X)",
        warning="the project serves second (cell 5), the last that can be served alone",
    ),
    "examples_drawing_from_one_random_state": Shape(
        [
            "import numpy as np\nimport statsmodels.api as sm\n\nnp.random.seed(7)",
            "x = np.linspace(0, 10, 40)\nX = sm.add_constant(np.column_stack((x, x**2)))\n"
            "y = X @ [1.0, 0.1, 10.0] + np.random.normal(size=40)",
            "first = sm.OLS(y, X).fit()\nprint(first.params)",
            "x = np.linspace(0, 20, 30)\nX = np.column_stack((x, np.sin(x), np.ones(30)))\n"
            "y = X @ [0.5, 0.5, 5.0] + 0.5 * np.random.normal(size=30)",
            "second = sm.OLS(y, X).fit()\nprint(second.params)",
        ],
        # the second example's noise comes after the first one's draws: both are kept
        served="second.predict(X)",
        warning="leaves the other models' cells 3 out",
    ),
    "examples_drawing_from_one_generator": Shape(
        [
            "import numpy as np\nimport statsmodels.api as sm\n\nrng = np.random.default_rng(7)",
            "x = np.linspace(0, 10, 40)\nX = sm.add_constant(x)\n"
            "y = X @ [1.0, 0.5] + rng.normal(size=40)",
            "first = sm.OLS(y, X).fit()",
            "x = np.linspace(0, 20, 30)\nX = np.column_stack((x, np.ones(30)))\n"
            "y = X @ [0.5, 5.0] + rng.normal(size=30)",
            "second = sm.OLS(y, X).fit()",
        ],
        served="second.predict(X)",
        warning="leaves the other models' cells 3 out",
    ),
    "a_selector_fitted_after_the_model": Shape(
        [
            TABLE_IMPORTS + "\nfrom sklearn.feature_selection import SequentialFeatureSelector",
            LOAD_TABLE,
            'X = df[["a", "b"]]\ny = df["target"]',
            "ridge = Ridge(alpha=3.0).fit(X, y)",
            "sfs = SequentialFeatureSelector(ridge, n_features_to_select=1).fit(X, y)\n"
            "print(sfs.get_support())",
        ],
        served="ridge.predict(X)",  # a fitted selector has no predict: not the model
    ),
    "last_model_predicts_per_category": Shape(
        [
            TABLE_IMPORTS,
            LOAD_TABLE,
            'X = sm.add_constant(df[["a", "b"]])\ny = df["target"]',
            "results = sm.OLS(y, X).fit()",
            'codes = pd.Categorical(df["c"]).codes\nZ = sm.add_constant(df[["a"]])\n'
            "multinomial = sm.MNLogit(codes, Z)\nper_category = multinomial.fit(disp=0)",
        ],
        served="results.predict(X)",
        warning="MNLogit predicts a probability for each category",
    ),
    "series_examples_in_turn": Shape(
        [
            "import pandas as pd\nfrom statsmodels.tsa.holtwinters import ExponentialSmoothing",
            f"levels = {[round(50 + 2.5 * i + (i % 3), 2) for i in range(30)]}\n"
            'first = pd.Series(levels, index=pd.date_range("1990", periods=30, freq="YS"))',
            "fitted = ExponentialSmoothing(first).fit()",
            f"visits = {[round(30 + 0.5 * i + 4 * ((i % 4) == 1), 2) for i in range(48)]}\n"
            'index = pd.date_range("2000-03-01", periods=48, freq="3MS")\n'
            "second = pd.Series(visits, index=index)",
            'fitted = ExponentialSmoothing(second, trend="add", seasonal="add", '
            "seasonal_periods=4).fit()",
        ],
        served="fitted.fittedvalues",
        retrain="forecaster",
        warning="leaves the other models' cells 2-3 out",
    ),
    "statsmodels_model_on_expressions": Shape(
        [
            TABLE_IMPORTS,
            LOAD_TABLE,
            'results = sm.OLS(df["target"], sm.add_constant(df[["a", "b"]])).fit()',
        ],
        served=None,
        reason="bind them to names",
    ),
}


def write_data(folder: Path) -> None:
    rng = np.random.default_rng(3)
    months = 96
    t = np.arange(months)
    sales = 20 + 0.1 * t + 3 * np.sin(2 * np.pi * t / 12) + rng.normal(scale=0.5, size=months)
    pd.DataFrame(
        {"month": pd.date_range("2015-01-01", periods=months, freq="MS"), "sales": sales.round(3)}
    ).to_csv(folder / "sales.csv", index=False)
    rows = 80
    a, b = rng.normal(size=rows).round(3), rng.normal(size=rows).round(3)
    target = (2 * a - b + rng.normal(scale=0.2, size=rows)).round(3)
    c = rng.choice(["x", "y", "z"], size=rows)
    pd.DataFrame({"a": a, "b": b, "c": c, "target": target}).to_csv(
        folder / "table.csv", index=False
    )


TRAINER = """\
import importlib, json, sys, traceback
from pathlib import Path
import pandas as pd
results = {}
for name, package in json.loads(sys.argv[1]):
    try:
        pipeline = importlib.import_module(package + ".pipeline")
        module = importlib.import_module(package + ".settings")
        # each project's own config/ (commands find it in the working folder, one project's)
        settings = module.load_settings(Path(module.__file__).parents[2] / "config/params.yaml")
        run = pipeline.train(settings)
        rows = run.inputs
        served = run.model.predict(rows)
        alone = [run.model.predict(rows.iloc[[i]])[0] for i in range(len(rows))]
        results[name] = {
            "metrics": run.metrics,
            "columns": list(rows.columns),
            "served": [float(v) for v in served],
            "alone": [float(v) for v in alone],
            "evaluated": pipeline.evaluate(settings, run.model),
        }
        if list(rows.columns) == ["step"]:
            results[name]["steps"] = rows["step"].tolist()
            ahead = pd.DataFrame({"step": [1, 2, 3]})
            results[name]["ahead"] = [float(v) for v in run.model.predict(ahead)]
        target = run.target.head(3).to_numpy()
        extra = run.inputs.head(3).assign(**{pipeline.TARGET: target})
        try:
            results[name]["retrained_rows"] = len(pipeline.train(settings, extra).inputs)
        except ValueError as refused:  # FeedbackRefused
            results[name]["retrain_refused"] = str(refused)
    except Exception:  # one project's crash must not hide the others' results
        results[name] = {"error": traceback.format_exc()}
with open(sys.argv[2], "w") as out:
    json.dump(results, out)
"""


@dataclass
class Outcome:
    reference: dict[str, Any]
    servable: bool
    reason: str
    result: dict[str, Any]
    warnings: list[str]
    project: Path


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    root = tmp_path_factory.mktemp("shapes")
    found: dict[str, Outcome] = {}
    jobs = []
    for name, shape in SHAPES.items():
        folder = root / name
        folder.mkdir()
        write_data(folder)
        notebook = folder / f"{name}.ipynb"
        nbformat.write(build_notebook(shape.cells), notebook)
        made = scaffold_project(notebook, folder / "project", force=True, git=False, verify=False)
        extraction = made.extraction
        found[name] = Outcome(
            run_cells(shape.cells, folder),
            extraction.servable,
            extraction.no_service_reason,
            {},
            [str(warning) for warning in extraction.warnings],
            folder / "project",
        )
        if extraction.servable:
            jobs.append((name, made.package))
    sources = [root / name / "project" / "src" for name, _ in jobs]
    for name, result in results_of_projects(TRAINER, jobs, sources, root / "out.json").items():
        found[name].result = result
    return found


SERVED = [name for name, shape in SHAPES.items() if shape.served is not None]
REFUSED = [name for name, shape in SHAPES.items() if shape.served is None]


@pytest.mark.parametrize("name", SERVED)
def test_served_values_equal_the_notebook(outcomes: dict[str, Outcome], name: str) -> None:
    outcome = outcomes[name]
    assert outcome.servable, outcome.reason
    assert "error" not in outcome.result, outcome.result.get("error")
    expected = np.asarray(eval(SHAPES[name].served or "", outcome.reference), dtype=float)
    np.testing.assert_allclose(outcome.result["served"], expected, rtol=1e-9, atol=1e-9)
    # one row (one step) alone gets what it gets in the batch
    np.testing.assert_allclose(outcome.result["alone"], expected, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("name", SERVED)
def test_metrics_equal_the_notebook(outcomes: dict[str, Outcome], name: str) -> None:
    result = outcomes[name].result
    assert "error" not in result, result.get("error")
    expected = {key: float(outcomes[name].reference[key]) for key in SHAPES[name].metrics}
    assert result["metrics"] == pytest.approx(expected, rel=1e-12)
    assert result["evaluated"] == pytest.approx(result["metrics"], rel=1e-12)


@pytest.mark.parametrize("name", [n for n in SERVED if SHAPES[n].served == "forecast"])
def test_forecasters_are_served_by_step(outcomes: dict[str, Outcome], name: str) -> None:
    result = outcomes[name].result
    assert result["columns"] == ["step"]
    assert len(result["served"]) == len(outcomes[name].reference["test"])


def test_a_forecaster_of_the_whole_series_serves_its_periods_and_the_future(
    outcomes: dict[str, Outcome],
) -> None:
    """In-sample steps ..., -1, 0 are its fitted values; steps 1, 2, ... its forecast."""
    result = outcomes["forecaster_on_the_whole_series"].result
    assert result["columns"] == ["step"]
    assert result["steps"][-1] == 0
    forecast = outcomes["forecaster_on_the_whole_series"].reference["forecast"]
    np.testing.assert_allclose(result["ahead"], np.asarray(forecast)[:3], rtol=1e-9)


@pytest.mark.parametrize("name", REFUSED)
def test_no_service_says_why(outcomes: dict[str, Outcome], name: str) -> None:
    outcome = outcomes[name]
    assert not outcome.servable
    assert SHAPES[name].reason in outcome.reason


def helpers(kind: str) -> dict[str, Any]:
    """The generated array helpers for `kind` outcomes, executed."""
    code = fragment_source("array_helpers", outcomes=kind)
    cst.parse_module(code)  # what the generator emits is Python
    namespace: dict[str, Any] = {"np": np, "pd": pd, "TARGET": "outcome"}
    exec(compile(code, "<helpers>", "exec"), namespace)
    return namespace


def test_survival_outcomes_travel_as_records_and_come_back() -> None:
    generated = helpers("survival")
    y = np.array([(True, 12.5), (False, 40.0)], dtype=[("event", "?"), ("time", "<f8")])
    outcomes = generated["as_outcomes"](y, pd.RangeIndex(2))
    assert outcomes.tolist() == [{"event": True, "time": 12.5}, {"event": False, "time": 40.0}]
    assert json.loads(outcomes.to_json(orient="values"))[0] == {"event": True, "time": 12.5}
    inputs = pd.DataFrame({"a": [1.0, 2.0]})
    feedback = pd.DataFrame({"a": [3.0], "outcome": [{"event": False, "time": 7.0}]})
    inputs_more, y_more = generated["with_extra_rows"](inputs, y, feedback)
    assert inputs_more["a"].tolist() == [1.0, 2.0, 3.0]
    assert y_more.dtype == y.dtype
    assert y_more.tolist() == [(True, 12.5), (False, 40.0), (False, 7.0)]


def test_plain_outcomes_are_a_column() -> None:
    generated = helpers("plain")
    outcomes = generated["as_outcomes"](np.array([1, 0]), pd.RangeIndex(2))
    assert outcomes.name == "outcome"
    feedback = pd.DataFrame({"x0": [5.0], "outcome": [1]})
    inputs_more, y_more = generated["with_extra_rows"](np.array([[1.0], [2.0]]), [1, 0], feedback)
    assert inputs_more.tolist() == [[1.0], [2.0], [5.0]]
    assert y_more.tolist() == [1, 0, 1]


def test_outcomes_of_several_columns_travel_as_records() -> None:
    generated = helpers("records")
    y = pd.DataFrame({"successes": [3, 5], "failures": [7, 5]})
    outcomes = generated["as_outcomes"](y, pd.RangeIndex(2))
    assert outcomes.tolist() == [{"successes": 3, "failures": 7}, {"successes": 5, "failures": 5}]
    feedback = pd.DataFrame({"x0": [1.0], "outcome": [{"successes": 1, "failures": 9}]})
    _, joined = generated["with_extra_rows"](np.array([[0.5], [0.7]]), y, feedback)
    assert joined.to_dict(orient="list") == {"successes": [3, 5, 1], "failures": [7, 5, 9]}
    single = generated["as_outcomes"](pd.Series([1.5, 2.5]), pd.RangeIndex(2))
    assert single.tolist() == [1.5, 2.5]


def test_generated_projects_are_ruff_clean(outcomes: dict[str, Outcome]) -> None:
    projects = [str(outcome.project) for outcome in outcomes.values()]
    for command in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--no-cache", *projects],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.parametrize("name", [n for n in SHAPES if SHAPES[n].warning])
def test_the_summary_warns(outcomes: dict[str, Outcome], name: str) -> None:
    assert any(SHAPES[name].warning in warning for warning in outcomes[name].warnings), outcomes[
        name
    ].warnings


@pytest.mark.parametrize("name", [n for n in SERVED if SHAPES[n].columns])
def test_served_columns(outcomes: dict[str, Outcome], name: str) -> None:
    assert tuple(outcomes[name].result["columns"]) == SHAPES[name].columns


@pytest.mark.parametrize("name", SERVED)
def test_feedback_rows_join_the_training_or_are_refused(
    outcomes: dict[str, Outcome], name: str
) -> None:
    """Three feedback rows: the next training sees them, or says why it cannot."""
    result = outcomes[name].result
    expected = SHAPES[name].retrain or ("forecaster" if SHAPES[name].served == "forecast" else "")
    if expected:
        assert expected in result["retrain_refused"]
    else:
        assert result["retrained_rows"] == len(result["served"]) + 3
