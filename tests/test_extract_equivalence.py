"""The generated pipeline computes what the notebook computed: the checks for silent errors.

Each form is a tiny notebook built in code around one construct. The reference is the notebook's
cells run top to bottom in one namespace; the generated project is scaffolded, trained in a
subprocess (one for all forms), and its metrics must equal the reference exactly. Where the model
is served, scoring the raw rows through the served model must also give the notebook's
predictions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pandas as pd
import pytest
from conftest import build_notebook, results_of_projects, run_cells

from scaffold.api import scaffold_project
from scaffold.errors import ExtractionError

EXAMPLES = Path(__file__).parent.parent / "examples"

IMPORTS = """\
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, log_loss, r2_score
from sklearn.model_selection import train_test_split"""
LOAD = 'df = pd.read_csv("data.csv")'
DUMMIES = 'df = pd.get_dummies(df, columns=["c"], dtype=float)'
DROP_ID = 'df = df.drop(columns=["id"])'
SPLIT = """\
X = df.drop(columns=["target"])
y = df["target"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)"""
RIDGE = "model = Ridge(alpha=10.0, random_state=0)\nmodel.fit(X_train, y_train)"
LOGISTIC = "model = LogisticRegression(C=0.1, random_state=0)\nmodel.fit(X_train, y_train)"
EVAL_R2 = 'pred = model.predict(X_test)\nprint(f"R2: {r2_score(y_test, pred):.4f}")'
EVAL_ACC = """\
pred = model.predict(X_test)
print(f"Accuracy: {accuracy_score(y_test, pred):.4f}")
print(f"Log loss: {log_loss(y_test, model.predict_proba(X_test)):.4f}")"""
R2 = {"r2": "r2_score(y_test, pred)"}
ACC = {
    "accuracy": "accuracy_score(y_test, pred)",
    "log_loss": "log_loss(y_test, model.predict_proba(X_test))",
}


@dataclass(frozen=True)
class Form:
    """A notebook around one construct, and the metrics (key -> reference expression)."""

    cells: list[str]
    metrics: dict[str, str] = field(default_factory=lambda: dict(R2))
    task: str = "regression"
    missing: bool = False
    rows_kept: bool = True  # every raw row reaches the model (served predictions comparable)
    served_reference: str = "model.predict(X)"  # the notebook's predictions for the raw rows
    kept_rows: str = ""  # rows_kept False: the raw rows (index) the notebook's filters kept
    missing_columns: tuple[str, ...] = ("a",)  # where `missing` puts empty values


FORMS: dict[str, Form] = {
    "inplace": Form(
        [
            IMPORTS,
            LOAD,
            'df.drop(columns=["id"], inplace=True)',
            'df.fillna({"a": df["a"].median()}, inplace=True)\n'
            "df.reset_index(drop=True, inplace=True)",
            DUMMIES,
            SPLIT,
            RIDGE,
            EVAL_R2,
        ],
        missing=True,
    ),
    "inplace_chained": Form(
        [
            IMPORTS,
            LOAD,
            'df.drop(columns=["id"], inplace=True)',
            'df["a"].fillna(df["a"].median(), inplace=True)',
            DUMMIES,
            SPLIT,
            "model = HistGradientBoostingRegressor(max_iter=20, random_state=0)\n"
            "model.fit(X_train, y_train)",
            EVAL_R2,
        ],
        missing=True,
    ),
    "augmented": Form(
        [
            IMPORTS,
            LOAD,
            DROP_ID,
            'offset = 1\noffset += 2\ndf["a"] *= 2\ndf["b"] = df["b"] + offset\ndf["b"] **= 2',
            DUMMIES,
            SPLIT,
            RIDGE,
            EVAL_R2,
        ]
    ),
    "lambda": Form(
        [
            IMPORTS,
            "k = 3",
            LOAD,
            DROP_ID,
            'df["a2"] = df["a"].apply(lambda v: v * v * k)',
            DUMMIES,
            SPLIT,
            RIDGE,
            EVAL_R2,
        ]
    ),
    "function_global": Form(
        [
            IMPORTS,
            "SCALE = 2.5",
            "def scaled(col):\n    return col * col * SCALE",
            LOAD,
            DROP_ID,
            'df["s"] = scaled(df["a"])',
            DUMMIES,
            SPLIT,
            RIDGE,
            EVAL_R2,
        ]
    ),
    "helper_reads_frame": Form(
        [
            IMPORTS,
            "def predicted():\n    return model.predict(X_test)",
            LOAD,
            DROP_ID,
            DUMMIES,
            SPLIT,
            RIDGE,
            'pred = predicted()\nprint(f"R2: {r2_score(y_test, pred):.4f}")',
        ]
    ),
    "helper_global_rebound": Form(
        [
            IMPORTS,
            "def bump(v):\n    return v * k",
            LOAD,
            DROP_ID,
            'k = 2\ndf["a2"] = bump(df["a"])\nk = 3\ndf["b2"] = bump(df["b"])',
            DUMMIES,
            SPLIT,
            RIDGE,
            EVAL_R2,
        ]
    ),
    "helper_for_plots_only": Form(
        [
            IMPORTS + "\nimport matplotlib.pyplot as plt",
            LOAD,
            "def show(col):\n    plt.hist(df[col])\n    plt.close()",
            'for col in ["a", "b"]:\n    show(col)',
            DROP_ID,
            DUMMIES,
            SPLIT,
            RIDGE,
            EVAL_R2,
        ]
    ),
    "helper_calls_helper": Form(
        [
            IMPORTS,
            "def residuals(pred):\n    return y_test - pred",
            "def squared_error(pred):\n    return float((residuals(pred) ** 2).mean())",
            LOAD,
            DROP_ID,
            DUMMIES,
            SPLIT,
            RIDGE,
            'pred = model.predict(X_test)\nprint(f"R2: {r2_score(y_test, pred):.4f}")\n'
            'print(f"MSE: {squared_error(pred):.4f}")',
        ],
        metrics={**R2, "mse": "squared_error(pred)"},
    ),
    "class_used_later": Form(
        [
            IMPORTS,
            LOAD,
            "class Clipper:\n"
            "    def __init__(self, low, high):\n"
            "        self.low = low\n"
            "        self.high = high\n\n"
            "    def apply(self, values):\n"
            "        return values.clip(self.low, self.high)",
            DROP_ID,
            'clipper = Clipper(-0.5, 0.5)\ndf["a"] = clipper.apply(df["a"])',
            DUMMIES,
            SPLIT,
            RIDGE,
            EVAL_R2,
        ]
    ),
    "control_flow": Form(
        [
            IMPORTS,
            LOAD,
            'for col in ["a", "b"]:\n'
            "    df[col] = df[col] - df[col].mean()\n"
            'if "id" in df.columns:\n'
            '    df = df.drop(columns=["id"])',
            DUMMIES,
            SPLIT,
            LOGISTIC,
            EVAL_ACC,
        ],
        metrics=ACC,
        task="classification",
    ),
    "del": Form(
        [
            IMPORTS,
            LOAD,
            'tmp = df["a"] * df["b"]\ndf["ab"] = tmp\ndel tmp\ndel df["id"]',
            DUMMIES,
            SPLIT,
            RIDGE,
            EVAL_R2,
        ]
    ),
    "reassignment": Form(
        [
            IMPORTS,
            'df = pd.read_csv("data.csv")\ndf = df.drop(columns=["id"])',
            'df = df.assign(ab=df["a"] * df["b"])',
            DUMMIES,
            'X = df.drop(columns=["target"])\nX = X * 2\ny = df["target"]\n'
            "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, "
            "random_state=0)",
            RIDGE,
            "pred = model.predict(X_test)\npred = np.clip(pred, -1.0, 1.0)\n"
            'print(f"R2: {r2_score(y_test, pred):.4f}")',
        ]
    ),
    "shared_constant": Form(
        [
            IMPORTS,
            "SEED = 0",
            LOAD,
            DROP_ID,
            DUMMIES,
            'X = df.drop(columns=["target"])\ny = df["target"]\n'
            "X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, "
            "random_state=SEED)",
            "model = RandomForestClassifier(n_estimators=10, random_state=SEED)\n"
            "model.fit(X_train, y_train)",
            EVAL_ACC,
        ],
        metrics=ACC,
        task="classification",
    ),
    "subscript_literal": Form(
        [
            IMPORTS,
            LOAD,
            DROP_ID,
            'groups = np.zeros(len(df))\ngroups[20:40] = 1\ndf["grp"] = groups * df["a"]',
            DUMMIES,
            SPLIT,
            RIDGE,
            EVAL_R2,
        ],
        rows_kept=False,  # `groups` depends on row positions: a single row cannot reproduce it
    ),
    "literal_column": Form(
        [
            IMPORTS,
            LOAD,
            DROP_ID,
            'df["flag"] = 0\ndf.loc[df["a"] > 0, "flag"] = 1',
            DUMMIES,
            SPLIT,
            RIDGE,
            EVAL_R2,
        ]
    ),
    "dummies_of_column": Form(
        [
            IMPORTS,
            LOAD,
            DROP_ID,
            'df = pd.concat([df, pd.get_dummies(df["c"], prefix="c", dtype=float)], axis=1)\n'
            'df = df.drop(columns=["c"])',
            SPLIT,
            RIDGE,
            EVAL_R2,
        ]
    ),
    "transformers_fitted_on_all_rows": Form(
        [
            IMPORTS + "\nfrom sklearn.preprocessing import LabelEncoder, StandardScaler",
            LOAD,
            DROP_ID,
            'df["c"] = LabelEncoder().fit_transform(df["c"])\n'
            'scaler = StandardScaler()\ndf[["a", "b"]] = scaler.fit_transform(df[["a", "b"]])',
            SPLIT,
            RIDGE,
            EVAL_R2,
        ]
    ),
    "scaler_after_split": Form(
        [
            IMPORTS + "\nfrom sklearn.preprocessing import StandardScaler",
            LOAD,
            DROP_ID,
            DUMMIES,
            SPLIT,
            "scaler = StandardScaler()\nX_train = scaler.fit_transform(X_train)\n"
            "X_test = scaler.transform(X_test)",
            "model = Ridge(alpha=10.0, random_state=0)\nmodel.fit(X_train, y_train)",
            EVAL_R2,
        ],
        served_reference="model.predict(scaler.transform(X))",
    ),
    # --- the input domain: rows a filter removes are rejected when served --------------------
    "dropna": Form(
        [IMPORTS, LOAD, DROP_ID, "df = df.dropna()", DUMMIES, SPLIT, RIDGE, EVAL_R2],
        missing=True,
        rows_kept=False,
        kept_rows="df.index",
    ),
    "boolean_filter_and_learnt_cut": Form(
        [
            IMPORTS,
            LOAD,
            DROP_ID,
            'df = df[df["b"] < df["b"].quantile(0.9)]\ndf = df.loc[df.a.notna() & (df.a > -2)]',
            DUMMIES,
            SPLIT,
            RIDGE,
            EVAL_R2,
        ],
        missing=True,
        rows_kept=False,
        kept_rows="df.index",
    ),
    "kaggle_test_frame_beside_the_training_one": Form(
        [
            IMPORTS,
            LOAD + '\ntest = pd.read_csv("data.csv").drop(columns=["target"])',
            "for frame in [df, test]:\n"
            '    frame["c"] = frame["c"].str.upper().map({"X": 0, "Y": 1, "Z": 2})\n'
            '    frame["ab"] = pd.DataFrame({"a": frame["a"], "b": frame["b"]}).sum(axis=1)',
            'test["a"] = test["a"].fillna(test["a"].mean())\ndf = df.drop(columns=["id"])',
            SPLIT,
            RIDGE,
            EVAL_R2,
            'predictions = model.predict(test.drop(columns=["id"]))',
            'submission = pd.DataFrame({"id": test["id"], "target": predictions})',
            'submission.to_csv("submission.csv", index=False)',
        ]
    ),
    "helper_learning_a_fill_value": Form(
        [
            IMPORTS,
            LOAD,
            "def fill(frame):\n"
            '    frame["a"] = frame["a"].fillna(frame["a"].median())\n'
            '    frame["b"] = frame["b"] - frame["b"].mean()',
            'fill(df)\ndf = df.drop(columns=["id"])',
            DUMMIES,
            SPLIT,
            RIDGE,
            EVAL_R2,
        ],
        missing=True,
    ),
    "quantile_bins": Form(
        [
            IMPORTS,
            LOAD,
            DROP_ID,
            'df["a_band"] = pd.qcut(df["a"], 4, labels=False)\n'
            'df["b_band"] = pd.cut(df["b"], 3, labels=[0.0, 1.0, 2.0]).astype(float)',
            DUMMIES,
            SPLIT,
            RIDGE,
            EVAL_R2,
        ]
    ),
    "quantile_bins_imported_by_name": Form(
        [
            IMPORTS.replace("import pandas as pd", "from pandas import get_dummies, read_csv")
            + "\nfrom pandas import qcut",
            'df = read_csv("data.csv")',
            DROP_ID,
            'df["a_band"] = qcut(df.a, 4, labels=False)\n'
            'df["b_band"] = qcut(x=df["b"], q=[0, 0.2, 0.5, 1], labels=False)',
            'df = get_dummies(df, columns=["c"], dtype=float)',
            SPLIT,
            RIDGE,
            EVAL_R2,
        ]
    ),
    "bins_by_keyword": Form(
        [
            IMPORTS,
            LOAD,
            DROP_ID,
            'df["a_band"] = pd.qcut(x=df["a"], q=4, labels=False)\n'
            'df["b_band"] = pd.cut(x=df["b"], bins=3, right=False, labels=False)',
            DUMMIES,
            SPLIT,
            RIDGE,
            EVAL_R2,
        ]
    ),
    # --- learnt state in the forms people write ------------------------------------------------
    "encoder_reused": Form(
        [
            IMPORTS + "\nfrom sklearn.preprocessing import LabelEncoder",
            LOAD,
            DROP_ID,
            'df["d"] = df["c"].map({"x": "p", "y": "q", "z": "p"})\nle = LabelEncoder()\n'
            'df["c"] = le.fit_transform(df["c"])\ndf["d"] = le.fit_transform(df["d"])',
            SPLIT,
            RIDGE,
            EVAL_R2,
        ]
    ),
    "encoder_in_a_loop": Form(
        [
            IMPORTS + "\nfrom sklearn.preprocessing import LabelEncoder",
            LOAD,
            DROP_ID,
            'df["d"] = df["c"].map({"x": "p", "y": "q", "z": "p"})\nle = LabelEncoder()\n'
            'for col in ["c", "d"]:\n    df[col] = le.fit_transform(df[col])',
            SPLIT,
            RIDGE,
            EVAL_R2,
        ]
    ),
    "frames_edited_through_a_list": Form(
        [
            IMPORTS,
            LOAD,
            'holdout = pd.read_csv("data.csv").tail(10)\nboth = [df, holdout]',
            'for frame in both:\n    frame["a2"] = frame["a"] * frame["b"]\n'
            '    frame.drop(columns=["id"], inplace=True)',
            DUMMIES,
            SPLIT,
            RIDGE,
            EVAL_R2,
        ]
    ),
    "pipeline_named_model": Form(
        [
            IMPORTS
            + "\nfrom sklearn.pipeline import make_pipeline"
            + "\nfrom sklearn.preprocessing import StandardScaler",
            LOAD,
            DROP_ID,
            DUMMIES,
            SPLIT,
            "model = LogisticRegression(C=0.1)\npipe = make_pipeline(StandardScaler(), model)\n"
            "pipe.fit(X_train, y_train)",
            'pred = pipe.predict(X_test)\nprint(f"Accuracy: {accuracy_score(y_test, pred):.4f}")',
        ],
        metrics={"accuracy": "accuracy_score(y_test, pred)"},
        task="classification",
        served_reference="pipe.predict(X)",
    ),
    "bundle_scaled_before_the_split": Form(
        [
            IMPORTS
            + "\nfrom sklearn.datasets import load_diabetes"
            + "\nfrom sklearn.preprocessing import StandardScaler",
            "data = load_diabetes()\ndf = pd.DataFrame(data.data, columns=data.feature_names)\n"
            'df["target"] = data.target',
            "scaler = StandardScaler()\n"
            'X = scaler.fit_transform(df.drop(columns=["target"]))\ny = df["target"]\n'
            "X_train, X_test, y_train, y_test = train_test_split("
            "X, y, test_size=0.25, random_state=0)",
            RIDGE,
            EVAL_R2,
        ],
        rows_kept=False,  # its rows are the bundle's, not data.csv's
    ),
    # a module replaced by an instance: inside a function the name is a local (ruff F823)
    "module_rebound_in_evaluation": Form(
        [
            IMPORTS + "\nfrom sklearn import svm",
            "def make_svr(c):\n    return svm.SVR(C=c)",
            LOAD,
            DROP_ID,
            DUMMIES,
            SPLIT,
            RIDGE,
            EVAL_R2,
            "svr = make_svr(2.0)\nsvr.fit(X_train, y_train)\n"
            'print(f"R2 svr: {r2_score(y_test, svr.predict(X_test)):.4f}")',
            "svm = svm.SVR()\nsvm.fit(X_train, y_train)\n"
            'print(f"R2 svm: {r2_score(y_test, svm.predict(X_test)):.4f}")',
        ],
        metrics={
            **R2,
            "r2_svr": "r2_score(y_test, svr.predict(X_test))",
            "r2_svm": "r2_score(y_test, svm.predict(X_test))",
        },
    ),
    "module_rebound_as_the_model": Form(
        [
            IMPORTS + "\nimport sklearn.linear_model as lm",
            LOAD,
            DROP_ID,
            DUMMIES,
            SPLIT,
            "lm = lm.Ridge(alpha=10.0)\nlm.fit(X_train, y_train)",
            'pred = lm.predict(X_test)\nprint(f"R2: {r2_score(y_test, pred):.4f}")',
        ],
        served_reference="lm.predict(X)",
    ),
    "bare_except": Form(
        [
            IMPORTS,
            "def to_number(v):\n    try:\n        return float(v)\n    except:\n        return 0.0",
            LOAD,
            DROP_ID,
            'df["c_number"] = df["c"].apply(to_number) + df["a"].apply(to_number)',
            DUMMIES,
            SPLIT,
            RIDGE,
            EVAL_R2,
        ]
    ),
    "trailing_spaces_in_a_string": Form(
        [
            IMPORTS,
            LOAD,
            DROP_ID,
            'query = """\n    a > -10   \n    \n    and b < 10 \n"""\n'
            'df = df.query(" ".join(query.split()))',
            DUMMIES,
            SPLIT,
            RIDGE,
            EVAL_R2,
        ],
        rows_kept=False,  # the query drops rows in training only
    ),
    # a statistic per column: each column gets its own learnt value, also for a row alone
    "fillna_per_column_loop": Form(
        [
            IMPORTS,
            LOAD,
            DROP_ID,
            'for c in ["a", "b"]:\n    df[c] = df[c].fillna(df[c].median())',
            DUMMIES,
            SPLIT,
            RIDGE,
            EVAL_R2,
        ],
        missing=True,
        missing_columns=("a", "b"),
    ),
    "fillna_per_column_list_comprehension": Form(
        [
            IMPORTS,
            LOAD,
            DROP_ID,
            'cols = ["a", "b"]\n'
            "df[cols] = pd.concat([df[c].fillna(df[c].mean()) for c in cols], axis=1)",
            DUMMIES,
            SPLIT,
            RIDGE,
            EVAL_R2,
        ],
        missing=True,
        missing_columns=("a", "b"),
    ),
    "fillna_per_column_dict_comprehension": Form(
        [
            IMPORTS,
            LOAD,
            DROP_ID,
            'df = df.assign(**{c: df[c].fillna(df[c].mean()) for c in ["a", "b"]})',
            DUMMIES,
            SPLIT,
            RIDGE,
            EVAL_R2,
        ],
        missing=True,
        missing_columns=("a", "b"),
    ),
    "fillna_per_column_apply": Form(
        [
            IMPORTS,
            LOAD,
            DROP_ID,
            'cols = ["a", "b"]\ndf[cols] = df[cols].apply(lambda s: s.fillna(s.mean()))',
            DUMMIES,
            SPLIT,
            RIDGE,
            EVAL_R2,
        ],
        missing=True,
        missing_columns=("a", "b"),
    ),
    "own_lambda_in_a_loop": Form(
        [
            IMPORTS,
            LOAD,
            DROP_ID,
            'for c in ["a", "b"]:\n'
            '    df[c + "_z"] = df[c].apply(lambda v: (v - df[c].mean()) / df[c].std())',
            DUMMIES,
            SPLIT,
            RIDGE,
            EVAL_R2,
        ],
    ),
}

KNOWN_BUGS: dict[str, pytest.MarkDecorator] = {}
SERVING_BUGS: dict[str, pytest.MarkDecorator] = {}


def make_data(task: str, *, missing: bool, columns: tuple[str, ...] = ("a",)) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 120
    a, b = rng.normal(size=n), rng.normal(size=n)
    c = rng.choice(["x", "y", "z"], size=n)
    effect = np.select([c == "x", c == "y"], [0.5, -0.5], 0.0)
    outcome = 1.5 * a - b + 0.8 * a * b + effect + rng.normal(scale=0.3, size=n)
    frame = pd.DataFrame(
        {"id": range(n), "a": a.round(3), "b": b.round(3), "c": c, "target": outcome.round(3)}
    )
    if task == "classification":
        frame["target"] = (outcome > np.median(outcome)).astype(int)
    for column in columns if missing else ():
        frame.loc[rng.choice(n, 10, replace=False), column] = np.nan
    return frame


TRAINER = """\
import importlib, json, sys, traceback
from pathlib import Path
import pandas as pd
results = {}
for name, package, servable, data in json.loads(sys.argv[1]):
    try:
        pipeline = importlib.import_module(package + ".pipeline")
        module = importlib.import_module(package + ".settings")
        # each project's own config/ (commands find it in the working folder, one project's)
        settings = module.load_settings(Path(module.__file__).parents[2] / "config/params.yaml")
        if servable:
            run = pipeline.train(settings)
            results[name] = {"metrics": run.metrics}
            raw = pd.read_csv(data).drop(columns=[pipeline.TARGET])
            try:
                results[name]["served"] = [float(v) for v in run.model.predict(raw)]
                results[name]["alone"] = [
                    float(run.model.predict(raw.iloc[[i]])[0]) for i in range(0, len(raw), 17)
                ]
            except Exception:
                results[name]["serve_error"] = traceback.format_exc()
            try:
                scored = run.model.score(raw)
                results[name]["accepted"] = scored.accepted.tolist()
                results[name]["scored"] = [float(v) for v in scored.values]
                results[name]["scored_alone"] = [
                    [float(v) for v in run.model.score(raw.iloc[[i]]).values]
                    for i in range(len(raw))
                ]
            except Exception:
                results[name]["score_error"] = traceback.format_exc()
        else:
            results[name] = {"metrics": pipeline.run(settings)}
    except Exception:
        results[name] = {"error": traceback.format_exc()}
with open(sys.argv[2], "w") as out:
    json.dump(results, out)
"""


@dataclass
class Outcome:
    folder: Path
    reference: dict[str, Any]
    refusal: ExtractionError | None = None
    servable: bool = False
    result: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Every form: its reference namespace, and the generated project's trained results."""
    root = tmp_path_factory.mktemp("forms")
    found: dict[str, Outcome] = {}
    jobs = []
    for name, form in FORMS.items():
        folder = root / name
        folder.mkdir()
        data = make_data(form.task, missing=form.missing, columns=form.missing_columns)
        data.to_csv(folder / "data.csv", index=False)
        notebook = folder / f"form_{name}.ipynb"
        nbformat.write(build_notebook(form.cells), notebook)
        outcome = Outcome(folder, run_cells(form.cells, folder))
        found[name] = outcome
        try:
            result = scaffold_project(notebook, folder / "project", force=True, git=False)
        except ExtractionError as error:
            outcome.refusal = error
            continue
        except Exception:  # a crash of one form must not hide the others' results
            outcome.result = {"error": traceback.format_exc()}
            continue
        outcome.servable = result.extraction.servable
        jobs.append((name, result.package, outcome.servable, str(folder / "data.csv")))
    sources = [found[name].folder / "project" / "src" for name, *_ in jobs]
    for name, result in results_of_projects(TRAINER, jobs, sources, root / "out.json").items():
        found[name].result = result
    return found


def trained(outcome: Outcome) -> dict[str, Any]:
    assert outcome.refusal is None, f"refused: {outcome.refusal}"
    assert "error" not in outcome.result, outcome.result.get("error")
    return outcome.result


def with_marks(names: dict[str, Any], bugs: dict[str, pytest.MarkDecorator]) -> list[Any]:
    return [pytest.param(name, marks=bugs.get(name, ()), id=name) for name in names]


@pytest.mark.parametrize("name", with_marks(FORMS, KNOWN_BUGS))
def test_metrics_equal_the_notebook(outcomes: dict[str, Outcome], name: str) -> None:
    outcome = outcomes[name]
    metrics = trained(outcome)["metrics"]
    expected = {key: eval(expr, outcome.reference) for key, expr in FORMS[name].metrics.items()}
    assert metrics.keys() == expected.keys()
    for key, value in expected.items():
        assert metrics[key] == pytest.approx(float(value), rel=1e-12, abs=1e-12), key


SERVED = {name: form for name, form in FORMS.items() if form.rows_kept}


@pytest.mark.parametrize("name", with_marks(SERVED, {**KNOWN_BUGS, **SERVING_BUGS}))
def test_served_predictions_equal_the_notebook(outcomes: dict[str, Outcome], name: str) -> None:
    """The raw rows scored by the served model get the notebook's predictions for those rows."""
    outcome = outcomes[name]
    assert outcome.servable
    result = trained(outcome)
    assert "serve_error" not in result, result["serve_error"]
    served = np.asarray(result["served"])
    reference = outcome.reference
    expected = eval(FORMS[name].served_reference, reference)
    np.testing.assert_allclose(served, expected.astype(float), rtol=1e-12, atol=1e-12)
    # a row scored alone gets what it gets in the batch: nothing is learnt from the request
    alone = np.asarray(result["alone"])
    np.testing.assert_allclose(alone, served[::17], rtol=1e-12, atol=1e-12)


DOMAIN = {name: form for name, form in FORMS.items() if form.kept_rows}


@pytest.mark.parametrize("name", with_marks(DOMAIN, {}))
def test_rows_a_filter_removed_are_rejected_and_the_others_scored_as_trained(
    outcomes: dict[str, Outcome], name: str
) -> None:
    """Serving runs the notebook's filters: the rows it kept are scored, the others rejected."""
    result = trained(outcomes[name])
    assert "score_error" not in result, result["score_error"]
    reference = outcomes[name].reference
    kept = np.isin(np.arange(len(result["accepted"])), eval(FORMS[name].kept_rows, reference))
    assert result["accepted"] == kept.tolist()
    expected = eval(FORMS[name].served_reference, reference).astype(float)
    np.testing.assert_allclose(result["scored"], expected, rtol=1e-12, atol=1e-12)
    # each row alone: scored as in the batch, or rejected (no prediction) as in the batch
    alone = result["scored_alone"]
    assert [len(values) == 1 for values in alone] == kept.tolist()
    np.testing.assert_allclose([v[0] for v in alone if v], expected, rtol=1e-12, atol=1e-12)


def test_a_helper_gets_the_notebook_variables_it_reads(outcomes: dict[str, Outcome]) -> None:
    """The constant that became a setting is passed from the settings at the call."""
    helpers = next(outcomes["function_global"].folder.glob("project/src/*/pipeline/helpers.py"))
    assert "def scaled(col, *, SCALE):" in helpers.read_text()
    features = helpers.with_name("features.py").read_text()
    assert 'scaled(\n        df["a"], SCALE=' in features
    assert "settings.params.scale" in features


def test_a_helper_only_exploration_uses_is_left_out(outcomes: dict[str, Outcome]) -> None:
    pipeline = next(outcomes["helper_for_plots_only"].folder.glob("project/src/*/pipeline"))
    assert "def show" not in "".join(p.read_text() for p in pipeline.glob("*.py"))


# --- the example notebook: a row scored alone gets its prediction in a batch ---------------

ROWS_SCRIPT = """\
import io, json, sys
import pandas as pd
from churn.pipeline import train
from churn.settings import load_settings
served = train(load_settings()).model
rows = pd.read_json(io.StringIO(sys.argv[1]), orient="split")
batch = served.predict(rows)
alone = [served.predict(rows.iloc[[i]])[0] for i in range(len(rows))]
print(json.dumps({"batch": batch.tolist(), "alone": [v.item() for v in alone]}))
"""


@pytest.fixture(scope="module")
def churn_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("churn")
    for name in ("churn.ipynb", "customer_churn.csv"):
        (folder / name).write_bytes((EXAMPLES / name).read_bytes())
    scaffold_project(folder / "churn.ipynb", folder / "project", force=True, git=False)
    return folder / "project"


def churn_rows() -> pd.DataFrame:
    data = pd.read_csv(EXAMPLES / "customer_churn.csv").drop(columns=["churn"])
    others = data[data["contract"] != "two-year"]
    missing = others[others.isna().any(axis=1)]
    assert len(missing) >= 5, "the example data should have rows with missing values"
    complete = others.dropna()
    # a contract level alone: the only row of the batch on that contract
    lone = data[data["contract"] == "two-year"].head(1)
    rows = pd.concat([complete.head(39), missing.head(10), lone], ignore_index=True)
    assert (rows["contract"] == "two-year").sum() == 1
    assert rows.isna().any(axis=1).sum() == 10
    return rows


def test_example_row_alone_equals_batch(churn_project: Path) -> None:
    rows = churn_rows()
    completed = subprocess.run(
        [sys.executable, "-c", ROWS_SCRIPT, rows.to_json(orient="split")],
        env={**os.environ, "PYTHONPATH": str(churn_project / "src")},
        cwd=churn_project,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert len(result["batch"]) == len(rows) >= 45
    assert result["alone"] == result["batch"]


def test_generated_projects_are_ruff_clean(outcomes: dict[str, Outcome]) -> None:
    """Extracted code lints clean under the project's own rules (F823, E722, B023, ...)."""
    projects = [
        str(outcome.folder / "project") for outcome in outcomes.values() if outcome.servable
    ]
    for command in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--no-cache", *projects],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
