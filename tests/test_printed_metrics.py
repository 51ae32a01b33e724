"""Printed metrics as people print them: found in the code, read back from the output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import libcst as cst
import nbformat
import pytest

from scaffold.api import inspect_notebook
from scaffold.extract import Extraction, extract
from scaffold.extract.rewrites.metrics import printed_metrics
from scaffold.extract.rewrites.print_helpers import print_helpers
from scaffold.render import render_project
from scaffold.reproduction import PrintedMetric, printed_values, reproduction_data, threaded_model

SETUP = [
    "import numpy as np\nimport pandas as pd\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "from sklearn.metrics import accuracy_score, mean_squared_error, roc_auc_score\n"
    "from sklearn.model_selection import cross_val_score, cross_validate, train_test_split",
    'df = pd.read_csv("data.csv")\nX = df.drop(columns=["target"])\ny = df["target"]',
    "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)",
    "model = LogisticRegression(random_state=0)\nmodel.fit(X_train, y_train)",
    "pred = model.predict(X_test)",
]

Cell = str | tuple[str, str]
"""A code cell's source, or (source, what it printed)."""


def scaffolded(
    tmp_path: Path, cells: list[Cell], setup: list[str] = SETUP
) -> tuple[Extraction, dict[str, tuple[float, int]]]:
    """Extract a notebook of `setup` and `cells`; the printed value of each metric found."""
    notebook = nbformat.v4.new_notebook()
    for cell in [*setup, *cells]:
        source, printed = (cell, "") if isinstance(cell, str) else cell
        code = nbformat.v4.new_code_cell(source)
        if printed:
            code.outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed)]
        notebook.cells.append(code)
    path = tmp_path / "notebook.ipynb"
    nbformat.write(notebook, path)
    analysis = inspect_notebook(path)
    extraction = extract(analysis)
    found = printed_values(analysis.notebook, extraction.metrics)
    return extraction, {metric.key: (metric.value, metric.decimals) for metric in found}


ACC = "acc = accuracy_score(y_test, pred)\n"


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        pytest.param(
            [
                (
                    ACC + "auc = roc_auc_score(y_test, pred)\n"
                    'print(f"rows={len(X_test)} acc={acc:.4f} auc={auc:.4f}")',
                    "rows=539 acc=0.8741 auc=0.9712\n",
                )
            ],
            {"acc": (0.8741, 4), "auc": (0.9712, 4)},
            id="name=value pairs on one line",
        ),
        pytest.param(
            [
                (
                    ACC + 'auc = roc_auc_score(y_test, pred)\nprint("acc", acc, "auc", auc)',
                    "acc 0.8741 auc 0.9712\n",
                )
            ],
            {"acc": (0.8741, 4), "auc": (0.9712, 4)},
            id="label value label value",
        ),
        pytest.param(
            [(ACC + 'print("Accuracy:", "\\n", acc)', "Accuracy: \n 0.8741\n")],
            {"acc": (0.8741, 4)},
            id="label, line break, value",
        ),
        pytest.param(
            [
                (
                    ACC + 'print("Rows:", len(X_test))\nprint("Accuracy:")\nprint(acc)',
                    "Rows: 539\nAccuracy:\n0.8741\n",
                )
            ],
            {"accuracy": (0.8741, 4)},
            id="label printed on the line before",
        ),
        pytest.param(
            [
                (
                    ACC + 'print("Balanced Accuracy: 0.5")\nprint(f"Accuracy: {acc:.4f}")',
                    "Balanced Accuracy: 0.5\nAccuracy: 0.8741\n",
                )
            ],
            {"acc": (0.8741, 4)},
            id="a label that starts its print starts its line",
        ),
        pytest.param(
            [ACC, ('print(f"Accuracy: \\n {acc}")', "Accuracy: \n 0.8741\n")],
            {"acc": (0.8741, 4)},
            id="printed in a cell of its own, a line break in the f-string",
        ),
        pytest.param(
            [(ACC + 'print(f"Accuracy: {acc:.2%}")', "Accuracy: 87.41%\n")],
            {"acc": (0.8741, 4)},
            id="percent format",
        ),
        pytest.param(
            [(ACC + 'print("acc", acc * 100, "%")', "acc 87.41234 %\n")],
            {"acc": (0.8741234, 7)},
            id="times 100 then a percent sign",
        ),
        pytest.param(
            [
                (
                    'print(f"Accuracy: {accuracy_score(y_test, pred) * 100:.2f}%")',
                    "Accuracy: 87.41%\n",
                )
            ],
            {"accuracy": (0.8741, 4)},
            id="times 100 in an f-string",
        ),
        pytest.param(
            [
                (
                    "mse = mean_squared_error(y_test, pred)\n"
                    'print(f"MSE: {mse:,.2f}, RMSE: {np.sqrt(mse):,.1f}")',
                    "MSE: 402,469.95, RMSE: 634.4\n",
                )
            ],
            {"mse": (402469.95, 2), "rmse": (634.4, 1)},
            id="thousands separators",
        ),
        pytest.param(
            [
                "def report(name, y, p):\n"
                '    """Print the accuracy."""\n'
                "    score = accuracy_score(y, p)\n"
                '    print(f"{name} accuracy: {score:.4f}")',
                ('report("lr", y_test, pred)', "lr accuracy: 0.8741\n"),
            ],
            {"lr_accuracy": (0.8741, 4)},
            id="a print helper of the notebook",
        ),
        pytest.param(
            [
                (
                    "scores = cross_val_score(model, X_train, y_train, cv=5)\nprint(scores.mean())",
                    "0.8512\n",
                )
            ],
            {"scores_mean": (0.8512, 4)},
            id="mean of cross_val_score",
        ),
        pytest.param(
            [
                (
                    "cv = cross_validate(model, X_train, y_train, cv=5)\n"
                    "print(f\"CV accuracy: {np.mean(cv['test_score']):.2%}\")",
                    "CV accuracy: 85.12%\n",
                )
            ],
            {"cv_accuracy": (0.8512, 4)},
            id="mean of cross_validate's test scores",
        ),
    ],
)
def test_printed_metrics_are_found_and_read_back(
    tmp_path: Path, cells: list[Cell], expected: dict[str, tuple[float, int]]
) -> None:
    extraction, printed = scaffolded(tmp_path, cells)
    assert printed == expected, extraction.metrics


def test_a_percentage_of_times_100_is_computed_as_a_fraction(tmp_path: Path) -> None:
    extraction, _ = scaffolded(tmp_path, [(ACC + 'print("acc", acc * 100, "%")', "acc 87.4 %\n")])
    assert (
        'metrics["acc"] = float(acc)\n' in extraction.files["src/{package}/pipeline/evaluation.py"]
    )


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("    log.append(name)\n", id="mutates an argument"),
        pytest.param("    return accuracy_score(y, p)\n", id="returns a value"),
        pytest.param("    if p is None:\n        return\n", id="branches"),
    ],
)
def test_a_helper_with_other_effects_is_not_seen_through(body: str) -> None:
    """Its call must stay in the pipeline as written: dropping it would lose the effect."""
    helper = cst.parse_module(
        f"def report(name, y, p, log=None):\n{body}    print(name, accuracy_score(y, p))\n"
    )
    helpers = print_helpers(helper.body)
    assert helpers == {}
    assert printed_metrics(cst.parse_statement('report("lr", y_test, pred)'), set(), helpers) == []


def test_a_print_helper_is_seen_through_with_the_call_arguments() -> None:
    helper = cst.parse_module(
        "def report(name, y, p, digits=4):\n"
        "    acc = accuracy_score(y, p)\n"
        "    print(name, acc * 100, '%')\n"
    )
    call = cst.parse_statement('report("rf", y_test, model.predict(X_test) + 0)')
    found = printed_metrics(call, set(), print_helpers(helper.body))
    code = cst.Module(body=[]).code_for_node
    assert [(label, key, code(value)) for label, key, value in found] == [
        ("rf", "rf", "accuracy_score(y_test, (model.predict(X_test) + 0))")
    ]


def test_cross_validation_of_models_made_later_moves_to_the_evaluation(tmp_path: Path) -> None:
    """Each model is made after the first cross-validation and read by its own: that is safe."""
    cells: list[Cell] = [
        "from sklearn.model_selection import KFold\n"
        "from sklearn.tree import DecisionTreeClassifier",
        "kf = KFold(n_splits=5, shuffle=True, random_state=0)",
    ]
    for name, estimator in (("lin", "LogisticRegression()"), ("tree", "DecisionTreeClassifier()")):
        cells += [
            f"{name} = {estimator}\ncv = cross_validate({name}, X_train, y_train, cv=kf, "
            f'return_estimator=True)\nfitted_{name} = cv["estimator"]',
            (
                f"acc_{name} = np.mean([accuracy_score(y_test, m.predict(X_test)) "
                f"for m in fitted_{name}])\n"
                f'print("Accuracy of {name}: " f"{{acc_{name}:.2%}}")',
                f"Accuracy of {name}: 91.71%\n",
            ),
        ]
    _, printed = scaffolded(tmp_path, cells, setup=SETUP[:3])  # no model fitted before
    assert printed == {"acc_lin": (0.9171, 4), "acc_tree": (0.9171, 4)}


THREADS = [
    "import pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier\n"
    "from sklearn.metrics import accuracy_score\n"
    "from sklearn.model_selection import train_test_split",
    'df = pd.read_csv("data.csv")\nX = df.drop(columns=["target"])\ny = df["target"]',
    "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)",
]


@pytest.mark.parametrize(
    ("arguments", "threaded"),
    [
        pytest.param("n_jobs=-1, random_state=0", True, id="all cores"),
        pytest.param("n_jobs=4, random_state=0", True, id="four threads"),
        pytest.param("n_jobs=1, random_state=0", False, id="one thread"),
        pytest.param("random_state=0", False, id="default"),
    ],
)
def test_a_model_on_threads_is_compared_within_a_tolerance(
    tmp_path: Path, arguments: str, threaded: bool
) -> None:
    """Threads sum in another order each run: the last digits move, the test must allow it."""
    model = f"model = RandomForestClassifier({arguments})\nmodel.fit(X_train, y_train)"
    printed = (
        'print(f"Accuracy: {accuracy_score(y_test, model.predict(X_test)):.4f}")',
        "Accuracy: 0.8741\n",
    )
    extraction, _ = scaffolded(tmp_path, [model, printed], setup=THREADS)
    found = threaded_model(extraction.files.values(), extraction.settings)
    assert (found is not None) == threaded, found
    data = reproduction_data([PrintedMetric("accuracy", 0.8741, 4)], "nb.ipynb", threaded=found)
    render_project(tmp_path / "project", {"package_name": "pkg", "with_service": False, **data})
    test_module = (tmp_path / "project" / "tests" / "test_reproduction.py").read_text()
    namespace: dict[str, Any] = {}
    exec(compile(test_module, "test_reproduction.py", "exec"), namespace)
    check = namespace["test_training_reproduces_the_notebook"]
    check({"accuracy": 0.87412}, "accuracy")  # within the printed precision: always
    if threaded:
        assert "several threads (RandomForestClassifier(" in test_module
        check({"accuracy": 0.8745}, "accuracy")  # the last digits moved
    else:
        with pytest.raises(AssertionError):
            check({"accuracy": 0.8745}, "accuracy")


@pytest.mark.parametrize(
    ("source", "threaded"),
    [
        ("XGBClassifier(max_depth=3)", "XGBClassifier() on every core by default"),
        ("XGBClassifier(n_jobs=1)", None),
        ("LogisticRegression(n_jobs=None)", None),
        ("RandomForestRegressor(n_jobs=settings.model.n_jobs)", "RandomForestRegressor("),
    ],
)
def test_threaded_models_are_recognised(source: str, threaded: str | None) -> None:
    found = threaded_model([f"model = {source}\n"], [])
    assert found == threaded or (
        threaded is not None and found is not None and found.startswith(threaded)
    )


def test_threaded_model_parses_only_sources_that_can_hold_a_threaded_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parsed: list[str] = []
    parse = cst.parse_module

    def counting(source: str) -> cst.Module:
        parsed.append(source)
        return parse(source)

    monkeypatch.setattr(cst, "parse_module", counting)
    plain = "frame = load()\nmodel = LogisticRegression(C=1.0).fit(X, y)\n"
    threaded = "model = RandomForestClassifier(n_jobs=-1)\n"
    assert threaded_model([plain, threaded], []) == "RandomForestClassifier(-1)"
    assert parsed == [threaded]


def test_cross_validation_scores_printed_whole_are_no_metric(tmp_path: Path) -> None:
    """`print(scores)` shows one score per fold: `float(scores)` would fail in the project."""
    extraction, printed = scaffolded(
        tmp_path,
        [
            (
                "scores = cross_val_score(model, X_train, y_train, cv=5)\n"
                "print('CV scores:', scores)\nprint(cross_val_score(model, X, y))\n"
                "print(scores.mean())",
                "CV scores: [0.8 0.9 0.85 0.8 0.9]\n[0.8 0.9 0.85 0.8 0.9]\n0.85\n",
            )
        ],
    )
    evaluation = extraction.files["src/{package}/pipeline/evaluation.py"]
    assert printed == {"scores_mean": (0.85, 2)}
    assert "float(scores)" not in evaluation
    assert "float(cross_val_score(" not in evaluation


def test_a_table_of_results_printed_again_adds_no_metric(tmp_path: Path) -> None:
    """The scoring cell printed `acc`; a later cell that prints it again is a look back."""
    extraction, printed = scaffolded(
        tmp_path,
        [
            (ACC + 'print(f"Accuracy: {acc:.4f}")', "Accuracy: 0.8741\n"),
            ('print(f"Accuracy: {acc:.4f}")', "Accuracy: 0.8741\n"),
        ],
    )
    assert [metric.key for metric in extraction.metrics] == ["acc"]
    assert printed == {"acc": (0.8741, 4)}
