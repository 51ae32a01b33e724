"""`scaffold.extract`: what it refuses (naming cell and line) and what it reports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from scaffold.api import inspect_notebook
from scaffold.errors import CellError, ExtractionError
from scaffold.extract import SETTINGS_ONLY, UNUSED, Extraction, extract
from scaffold.extract.config import setting_groups

EXAMPLE = Path(__file__).parent.parent / "examples" / "churn.ipynb"

IMPORTS = (
    "import pandas as pd\n"
    "from sklearn.linear_model import Ridge\n"
    "from sklearn.model_selection import train_test_split"
)
LOAD = 'df = pd.read_csv("data.csv")'
TAIL = [
    'X = df.drop(columns=["target"])\ny = df["target"]\n'
    "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)",
    "model = Ridge()\nmodel.fit(X_train, y_train)",
    'print(f"R2: {model.score(X_test, y_test):.4f}")',
]


@pytest.fixture
def extract_cells(make_notebook: Callable[..., Path]) -> Callable[[list[str]], Extraction]:
    def run(cells: list[str]) -> Extraction:
        return extract(inspect_notebook(make_notebook(cells)))

    return run


def test_a_plain_notebook_extracts(extract_cells: Callable[[list[str]], Extraction]) -> None:
    extraction = extract_cells([IMPORTS, LOAD, *TAIL])
    assert extraction.servable
    assert [m.key for m in extraction.metrics] == ["r2"]


REFUSALS = {
    "star-import": (
        [IMPORTS, "from numpy import *\nx = 1", LOAD, *TAIL],
        2,
        1,
        "import *",
    ),
    "global-statement": (
        [
            IMPORTS,
            LOAD,
            'count = 0\ndef bump():\n    global count\n    count += 1\nbump()\ndf["n"] = count',
            *TAIL,
        ],
        3,
        3,
        "'global'",
    ),
    "read-before-defined": (
        [IMPORTS, LOAD, 'df["b"] = df["a"] * scale', "scale = 2", *TAIL],
        3,
        1,
        "'scale'",
    ),
}


@pytest.mark.parametrize("name", REFUSALS)
def test_refusal_names_the_cell(
    extract_cells: Callable[[list[str]], Extraction], name: str
) -> None:
    cells, cell, _, text = REFUSALS[name]
    with pytest.raises(ExtractionError) as raised:
        extract_cells(cells)
    error = raised.value
    assert isinstance(error, CellError)
    assert error.cell == cell
    assert str(error).startswith(f"cell {cell}")
    assert text in str(error)
    assert "\n" not in str(error)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("star-import"),
        pytest.param("global-statement"),
        pytest.param("read-before-defined"),
    ],
)
def test_refusal_names_the_line(
    extract_cells: Callable[[list[str]], Extraction], name: str
) -> None:
    cells, cell, line, _ = REFUSALS[name]
    with pytest.raises(ExtractionError) as raised:
        extract_cells(cells)
    assert raised.value.line == line
    assert str(raised.value).startswith(f"cell {cell}, line {line}: ")


def test_refusal_through_the_api(make_notebook: Callable[..., Path], tmp_path: Path) -> None:
    """scaffold_project refuses before writing anything."""
    from scaffold.api import scaffold_project

    cells, *_ = REFUSALS["star-import"]
    notebook = make_notebook(cells)
    with pytest.raises(ExtractionError):
        scaffold_project(notebook, tmp_path / "out", git=False)
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [notebook.name]


# --- the example notebook --------------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> Extraction:
    return extract(inspect_notebook(EXAMPLE))


def test_example_settings(example: Extraction) -> None:
    assert [s.key for s in example.settings] == [
        "data.customer_churn_path",
        "split.test_size",
        "split.random_state",
        "random_forest_classifier.n_estimators",
        "random_forest_classifier.max_depth",
        "random_forest_classifier.random_state",
    ]
    groups = setting_groups(example.settings, example.data_files)
    assert [(group["name"], group["class_name"]) for group in groups] == [
        ("data", "DataSettings"),
        ("split", "SplitSettings"),
        ("random_forest_classifier", "RandomForestClassifierSettings"),
    ]
    assert groups[0]["fields"] == [
        {
            "name": "customer_churn_path",
            "type": "Path",
            "value": "data/customer_churn.csv",
            "path": True,
            "origin": "cell 6, line 1",
        }
    ]
    fields = {field["name"]: field for group in groups for field in group["fields"]}
    assert (fields["n_estimators"]["type"], fields["n_estimators"]["value"]) == ("int", "200")
    assert (fields["test_size"]["type"], fields["test_size"]["value"]) == ("float", "0.2")
    # config/params.yaml and settings.py are the template's, rendered from these groups
    assert not {"config/params.yaml", "src/{package}/settings.py"} & set(example.files)


def test_example_metrics(example: Extraction) -> None:
    printed = [m for m in example.metrics if m.cell == 27]
    assert [m.key for m in printed] == ["baseline_nobody_churns", "accuracy", "f1", "roc_auc"]
    assert [m.label for m in printed][1:] == ["Accuracy: ", "F1: ", "ROC AUC: "]
    # cell 28 prints a classification report: its summary rows become metrics too
    report = [m for m in example.metrics if m.cell == 28]
    assert [(m.key, m.label.strip(), m.column) for m in report] == [
        ("accuracy_2", "accuracy", 0),
        ("macro_avg_precision", "macro avg", 0),
        ("macro_avg_recall", "macro avg", 1),
        ("macro_avg_f1_score", "macro avg", 2),
        ("weighted_avg_precision", "weighted avg", 0),
        ("weighted_avg_recall", "weighted avg", 1),
        ("weighted_avg_f1_score", "weighted avg", 2),
    ]
    evaluation = example.files["src/{package}/pipeline/evaluation.py"]
    assert 'metrics["accuracy"] = float(accuracy_score(y_test, y_pred))' in evaluation
    assert (
        "report = classification_report(y_test, y_pred, digits=4, output_dict=True)" in evaluation
    )
    assert 'metrics["macro_avg_f1_score"] = float(report["macro avg"]["f1-score"])' in evaluation


def test_example_is_servable(example: Extraction) -> None:
    assert example.servable
    assert example.no_service_reason == ""
    assert not example.unseeded
    assert example.warnings == ()


def test_example_left_out_cells(example: Extraction) -> None:
    left_out = {number: role for number, role, _ in example.left_out}
    assert left_out == {
        3: "skip",
        7: "explore",
        8: "explore",
        9: "explore",
        11: "explore",
        12: "explore",
        13: "explore",
        18: "explore",
        29: "explore",
        30: "explore",
    }
    assert all(reason for _, _, reason in example.left_out)


def test_pipeline_cells_whose_code_is_all_dropped_are_listed(
    extract_cells: Callable[[list[str]], Extraction],
) -> None:
    """Nothing is dropped silently: a prediction only shown and a constant lifted are listed."""
    extraction = extract_cells(
        [
            "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n"
            "from sklearn.model_selection import train_test_split",
            "C = 0.5",
            'df = pd.read_csv("data.csv")\nX = df.drop(columns=["label"])\ny = df["label"]',
            "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)",
            "model = LogisticRegression(C=C).fit(X_train, y_train)",
            "probabilities = model.predict_proba(X_test.head())\nprint(probabilities)",
        ]
    )
    reasons = {number: reason for number, _, reason in extraction.left_out}
    assert reasons[2] == SETTINGS_ONLY
    assert reasons[6] == UNUSED
    assert 5 not in reasons


def test_example_files(example: Extraction) -> None:
    assert set(example.files) >= {
        "src/{package}/pipeline/__init__.py",
        "src/{package}/pipeline/data.py",
        "src/{package}/pipeline/features.py",
        "src/{package}/pipeline/model.py",
        "src/{package}/pipeline/evaluation.py",
    }
    features = example.files["src/{package}/pipeline/features.py"]
    assert 'state.statistic("total_charges_median"' in features.replace("'", '"')
    assert "state.categories(" in features
    for path, source in example.files.items():
        if path.endswith(".py"):
            compile(source, path, "exec")


def test_example_data_file_copied(example: Extraction, tmp_path: Path) -> None:
    assert example.data_files == {"customer_churn.csv": "data/customer_churn.csv"}
    from scaffold.api import scaffold_project

    for name in ("churn.ipynb", "customer_churn.csv"):
        (tmp_path / name).write_bytes((EXAMPLE.parent / name).read_bytes())
    result = scaffold_project(tmp_path / "churn.ipynb", tmp_path / "out", git=False)
    copied = tmp_path / "out" / "data" / "customer_churn.csv"
    assert copied.read_bytes() == (EXAMPLE.parent / "customer_churn.csv").read_bytes()
    assert "data/customer_churn.csv" in result.files
    assert (tmp_path / "out" / "notebooks" / "churn.ipynb").is_file()


IMPORTS_AND_LOAD = [
    "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n"
    "from sklearn.model_selection import train_test_split\n"
    "from sklearn.preprocessing import StandardScaler",
    'df = pd.read_csv("data.csv")',
]


def test_a_scaler_fitted_after_the_split_joins_the_served_model(
    make_notebook: Callable[..., Path],
) -> None:
    """`scaler.fit_transform(X_train)` / `scaler.transform(X_test)`: the service applies it too."""
    notebook = make_notebook(
        [
            *IMPORTS_AND_LOAD,
            'X = df.drop(columns=["target"])\ny = df["target"]\n'
            "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)",
            "scaler = StandardScaler()\nX_train_s = scaler.fit_transform(X_train)\n"
            "X_test_s = scaler.transform(X_test)",
            "model = LogisticRegression()\nmodel.fit(X_train_s, y_train)",
            'print(f"Accuracy: {model.score(X_test_s, y_test):.4f}")',
        ]
    )
    extraction = extract(inspect_notebook(notebook))
    assert extraction.servable, extraction.no_service_reason
    data = extraction.files["src/{package}/pipeline/data.py"]
    assert 'X_train_s = state.transformer("scaler", scaler, X_train)' in data
    assert 'X_test_s = state.apply("scaler", X_test)' in data
    features = extraction.files["src/{package}/pipeline/features.py"]
    assert 'return state.apply("scaler", model_inputs(' in features


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        pytest.param(
            [
                'X = df.drop(columns=["target"])\ny = df["target"]\n'
                "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)",
                "X_train = X_train * 2\nX_test = X_test * 2",
            ],
            "cell 4 changes X_train after the split",
            id="training-rows-changed-after-split",
        ),
        pytest.param(
            [
                'df = df.rename(columns={"label": "target"})',
                'X = df.drop(columns=["target"])\ny = df["target"]\n'
                "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)",
            ],
            "the outcome column 'target' is made in cell 3",
            id="outcome-made-by-a-rename",
        ),
    ],
)
def test_what_a_request_could_not_reproduce_gets_no_service(
    make_notebook: Callable[..., Path], cells: list[str], reason: str
) -> None:
    notebook = make_notebook(
        [
            *IMPORTS_AND_LOAD,
            *cells,
            "model = LogisticRegression()\nmodel.fit(X_train, y_train)",
        ]
    )
    extraction = extract(inspect_notebook(notebook))
    assert not extraction.servable
    assert reason in extraction.no_service_reason
    assert "state." not in extraction.files["src/{package}/pipeline/data.py"]


def test_an_outcome_named_by_a_constant_is_found_and_served(
    make_notebook: Callable[..., Path],
) -> None:
    notebook = make_notebook(
        [
            'TARGET = "target"\nSEED = 7',
            *IMPORTS_AND_LOAD,
            "X = df.drop(columns=[TARGET])\ny = df[TARGET]\n"
            "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=SEED)",
            "model = LogisticRegression()\nmodel.fit(X_train, y_train)",
            'print(f"Accuracy: {model.score(X_test, y_test):.4f}")',
        ]
    )
    analysis = inspect_notebook(notebook)
    assert analysis.target == "target"
    extraction = extract(analysis)
    assert extraction.servable, extraction.no_service_reason
    # the served feature step replays the value the model was trained with
    assert (
        'X = df.drop(columns=["target"])' in extraction.files["src/{package}/pipeline/features.py"]
    )


def test_cross_validation_before_training_moves_to_the_evaluation(
    make_notebook: Callable[..., Path],
) -> None:
    notebook = make_notebook(
        [
            *IMPORTS_AND_LOAD,
            'X = df.drop(columns=["target"])\ny = df["target"]\nmodel = LogisticRegression()',
            "from sklearn.model_selection import cross_val_score\n"
            "scores = cross_val_score(model, X, y, cv=5)\n"
            'print("CV accuracy: %.3f +/- %.3f" % (scores.mean(), scores.std()))',
            "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\n"
            "model.fit(X_train, y_train)",
            'print(f"Accuracy: {model.score(X_test, y_test):.4f}")',
        ]
    )
    extraction = extract(inspect_notebook(notebook))
    assert extraction.servable, extraction.no_service_reason
    evaluation = extraction.files["src/{package}/pipeline/evaluation.py"]
    assert "scores = cross_val_score(model, X, y, cv=5)" in evaluation
    assert [m.key for m in extraction.metrics] == ["cv_accuracy", "accuracy"]


@pytest.mark.parametrize(
    "fits",
    [
        pytest.param("models = (clf.fit(X, y) for clf in models)", id="generator"),
        pytest.param("models = [clf.fit(X, y) for clf in models]", id="list"),
    ],
)
def test_models_fitted_in_a_comprehension_extract(
    extract_cells: Callable[[list[str]], Extraction], fits: str
) -> None:
    """`clf` is the comprehension's own: not a notebook variable, nor the model to serve."""
    extraction = extract_cells(
        [
            "from sklearn.datasets import load_iris\nfrom sklearn.svm import SVC",
            "X, y = load_iris(return_X_y=True)\nmodels = (SVC(C=1.0), SVC(C=10.0))\n"
            f"{fits}\nfor clf in models:\n    print(clf.score(X, y))",
        ]
    )
    assert fits in extraction.files["src/{package}/pipeline/model.py"]
    assert "Model(clf" not in extraction.files["src/{package}/pipeline/__init__.py"]
    assert "fitted in a comprehension (cell 2): a sweep" in extraction.no_service_reason
    for path, source in extraction.files.items():
        if path.endswith(".py"):
            compile(source, path, "exec")


LATE_USE = [
    "from sklearn.datasets import load_diabetes\nfrom sklearn.linear_model import Ridge",
    "X, y = load_diabetes(return_X_y=True)\nmodel = Ridge().fit(X, y)",
]


def test_a_function_may_use_a_module_a_later_cell_imports(
    extract_cells: Callable[[list[str]], Extraction],
) -> None:
    """The function looks `np` up when called; its module imports numpy at the top."""
    extraction = extract_cells(
        [
            *LATE_USE,
            "def rescale(v):\n    return np.log(v)",
            'import numpy as np\n\nprint(f"log r2: {rescale(model.score(X, y)):.4f}")',
        ]
    )
    helpers = extraction.files["src/{package}/pipeline/helpers.py"]
    assert "import numpy as np" in helpers
    assert "def rescale(v):" in helpers


def test_a_function_reading_a_value_a_later_cell_makes_gets_it_when_called(
    extract_cells: Callable[[list[str]], Extraction],
) -> None:
    """The call passes `factor` as it is then, which is what the notebook's function read."""
    extraction = extract_cells(
        [
            *LATE_USE,
            "def rescale(v):\n    return v * factor",
            'factor = 2\nprint(f"scaled r2: {rescale(model.score(X, y)):.4f}")',
        ]
    )
    files = extraction.files
    assert "def rescale(v, *, factor):" in files["src/{package}/pipeline/helpers.py"]
    assert (
        "rescale(model.score(X, y), factor=factor)"
        in (files["src/{package}/pipeline/evaluation.py"])
    )


def test_no_default_metric_pairs_one_split_with_another(
    extract_cells: Callable[[list[str]], Extraction],
) -> None:
    """A second split rebinds X_test: an accuracy of the first split's y_test would not fit."""
    extraction = extract_cells(
        [
            "from sklearn.datasets import load_iris\n"
            "from sklearn.linear_model import LogisticRegression\n"
            "from sklearn.model_selection import train_test_split\n"
            "from sklearn.multiclass import OneVsRestClassifier\n"
            "from sklearn.preprocessing import label_binarize",
            "X, y = load_iris(return_X_y=True)\n"
            "X_train, X_test, y_train, y_test = train_test_split(\n"
            "    X[y < 2], y[y < 2], test_size=0.5, random_state=0\n)\n"
            "classifier = LogisticRegression().fit(X_train, y_train)",
            "Y = label_binarize(y, classes=[0, 1, 2])\n"
            "X_train, X_test, Y_train, Y_test = train_test_split(X, Y, random_state=0)\n"
            "classifier = OneVsRestClassifier(LogisticRegression()).fit(X_train, Y_train)\n"
            "y_score = classifier.decision_function(X_test)",
        ]
    )
    assert "accuracy" not in extraction.files["src/{package}/pipeline/evaluation.py"]


@pytest.mark.parametrize(
    ("imports", "call"),
    [
        ("import sklearn", 'sklearn.set_config(transform_output="pandas")'),
        ("from sklearn import set_config", 'set_config(transform_output="pandas")'),
    ],
)
def test_library_settings_hold_wherever_the_package_is_imported(
    extract_cells: Callable[[list[str]], Extraction], imports: str, call: str
) -> None:
    """Set inside `train_model`, a fresh `serve` process would compute with the defaults."""
    extraction = extract_cells(
        [
            f"{imports}\nimport pandas as pd\nfrom sklearn.linear_model import Ridge\n"
            "from sklearn.model_selection import train_test_split",
            'df = pd.read_csv("data.csv")\nX = df.drop(columns=["y"])\ny = df["y"]\n'
            "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)",
            f"{call}\nmodel = Ridge().fit(X_train, y_train)",
        ]
    )
    package = extraction.files["src/{package}/pipeline/__init__.py"]
    module_level = [line for line in package.splitlines() if line == call]
    assert module_level, package
    others = [f for p, f in extraction.files.items() if p.endswith(".py") and "__init__" not in p]
    assert not any(call in source for source in others)
    assert extraction.servable


@pytest.mark.parametrize(
    ("shown", "metric"),
    [("      mean   std\npositive  16.7  4.38", False), ("0.912", True), ("'0.91200'", True)],
)
def test_a_displayed_value_is_a_metric_only_when_it_showed_one_number(
    tmp_path: Path, shown: str, metric: bool
) -> None:
    """`fold_score(model)` is the notebook's own function: it may return a table."""
    notebook = nbformat.v4.new_notebook()
    sources = [
        IMPORTS,
        LOAD,
        *TAIL[:-1],
        "def fold_score(model, X, y):\n    return model.score(X, y)",
        "fold_score(model, X_test, y_test)",
    ]
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    result = nbformat.v4.new_output("execute_result", {"text/plain": shown}, execution_count=1)
    notebook.cells[-1].outputs = [result]
    path = tmp_path / "shown.ipynb"
    nbformat.write(notebook, path)
    extraction = extract(inspect_notebook(path))
    assert ("fold" in {m.key for m in extraction.metrics}) is metric


# --- functions reading notebook variables ----------------------------------------------------

COUNTER = "count = 0\ndef bump():\n    global count\n    count += 1"


def test_a_helper_only_exploration_uses_is_left_out_with_a_reason(
    extract_cells: Callable[[list[str]], Extraction],
) -> None:
    """Neither reading a variable nor changing one matters for code the project leaves out."""
    extraction = extract_cells(
        [IMPORTS, LOAD, "def peek(col):\n    print(df[col].describe())", COUNTER, *TAIL]
    )
    reasons = {cell: reason for cell, _, reason in extraction.left_out}
    assert "only code left out" in reasons[3]
    assert 4 in reasons  # the counter is exploration too
    assert "def peek" not in "".join(extraction.files.values())


def test_a_used_helper_that_changes_a_global_is_refused(
    extract_cells: Callable[[list[str]], Extraction],
) -> None:
    with pytest.raises(ExtractionError) as raised:
        extract_cells([IMPORTS, LOAD, COUNTER, 'bump()\ndf["n"] = count', *TAIL])
    assert str(raised.value).startswith("cell 3, line 3: 'bump' changes a notebook variable")


def test_a_caller_of_a_helper_that_cannot_be_carried_over_is_refused(
    extract_cells: Callable[[list[str]], Extraction],
) -> None:
    with pytest.raises(ExtractionError) as raised:
        extract_cells(
            [
                IMPORTS,
                LOAD,
                COUNTER,
                "def twice():\n    bump()\n    bump()",
                'twice()\ndf["n"] = count',
                *TAIL,
            ]
        )
    assert "'bump'" in str(raised.value)


def test_a_helper_calling_a_helper_passes_the_variables_on(
    extract_cells: Callable[[list[str]], Extraction],
) -> None:
    extraction = extract_cells(
        [
            IMPORTS,
            LOAD,
            "def scaled(v):\n    return v / spread",
            "def centred(col):\n    return scaled(df[col] - df[col].mean())",
            'spread = 2.0\ndf["a"] = centred("a")',
            *TAIL,
        ]
    )
    helpers = extraction.files["src/{package}/pipeline/helpers.py"]
    assert "def scaled(v, *, spread):" in helpers
    # centred learns its mean once, through the feature state (it is called once, not in a loop)
    assert "def centred(col, *, state, df, spread):" in helpers
    assert 'scaled(df[col] - state.statistic("mean", lambda: df[col].mean()), spread=spread)' in (
        helpers
    )


def test_a_helper_called_in_a_loop_keeps_computing_its_values(
    extract_cells: Callable[[list[str]], Extraction],
) -> None:
    """One call site, several columns: one state key would keep only the last column's value."""
    extraction = extract_cells(
        [
            IMPORTS,
            LOAD,
            "def centred(values):\n    return values - values.mean()",
            'for c in ["a", "b"]:\n    df[c] = centred(df[c])',
            *TAIL,
        ]
    )
    helpers = extraction.files["src/{package}/pipeline/helpers.py"]
    assert "def centred(values):" in helpers
    assert "state" not in helpers
