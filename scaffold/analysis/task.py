"""Find the outcome column and the kind of problem, when the code shows them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from scaffold.analysis.facts import CellSymbols
from scaffold.analysis.results import TaskKind
from scaffold.analysis.roles import SPLIT_FUNCTIONS, qualify

CLASSIFIER = re.compile(
    r"(Classifier|LogisticRegression(CV)?|^SVC|^LinearSVC|^NuSVC|NB|^Perceptron|"
    r"LinearDiscriminantAnalysis|QuadraticDiscriminantAnalysis)$"
)
REGRESSOR = re.compile(
    r"(Regressor|Regression|^Ridge(CV)?|^Lasso\w*|^ElasticNet\w*|^SVR|^LinearSVR|^NuSVR|"
    r"^Lars\w*|^OrthogonalMatchingPursuit\w*|^BayesianRidge|^ARDRegression|^KernelRidge)$"
)
CLASSIFICATION_METRICS = re.compile(
    r"^(accuracy_score|f1_score|precision_score|recall_score|roc_auc_score|"
    r"classification_report|confusion_matrix|log_loss|balanced_accuracy_score)$"
)
REGRESSION_METRICS = re.compile(
    r"^(mean_\w+_error|r2_score|root_mean_squared_error|median_absolute_error)$"
)
FORECASTERS = re.compile(
    r"^(auto_arima|ARIMA|SARIMAX|ExponentialSmoothing|Holt|SimpleExpSmoothing|Prophet|AutoARIMA|"
    r"ETSModel|AutoReg|ThetaModel|UnobservedComponents|STLForecast)$"
)
STATISTICAL = re.compile(
    r"^(ols|wls|gls|glm|logit|probit|mixedlm|OLS|WLS|GLS|GLM|Logit|Probit|TreatmentEffect|from_formula)$"
)


def find_task(symbols: Sequence[CellSymbols], imports: Mapping[str, str]) -> TaskKind:
    """The kind of problem the notebook's models and metrics show."""
    methods: list[tuple[str, str]] = []
    for cell in symbols:
        for call in cell.calls:
            methods.append((call.method, qualify(call.dotted, imports)))
    qualified = [q for _, q in methods]
    if any(q.startswith("sksurv.") for q in qualified):
        return "survival"
    if any(FORECASTERS.match(method) for method, _ in methods):
        return "forecasting"
    if any(q.startswith("statsmodels.") for q in qualified) or any(
        STATISTICAL.match(method) and "statsmodels" in q for method, q in methods
    ):
        return "statistical"
    votes = {"classification": 0, "regression": 0}
    for method, _ in methods:
        if CLASSIFIER.search(method) or CLASSIFICATION_METRICS.match(method):
            votes["classification"] += 1
        elif REGRESSOR.search(method) or REGRESSION_METRICS.match(method):
            votes["regression"] += 1
    if votes["classification"] == votes["regression"] == 0:
        return "unknown"
    return "classification" if votes["classification"] >= votes["regression"] else "regression"


def find_target(
    symbols: Sequence[CellSymbols], constants: Mapping[str, object] | None = None
) -> str | None:
    """The outcome column: `y` of `fit(X, y)` / `train_test_split(X, y)` traced to `df["col"]`.

    `df[TARGET]` is resolved through the notebook's string `constants`.
    """
    constants = constants or {}
    picks: dict[str, str] = {}
    for cell in symbols:
        for name, column in cell.column_picks:
            value = constants.get(column[1:]) if column.startswith("$") else column
            if isinstance(value, str):
                picks[name] = value
    for cell in symbols:
        for call in cell.calls:
            if call.method in SPLIT_FUNCTIONS or call.method == "fit":
                for outcome in call.positional_names[1:2]:
                    if outcome is not None and outcome in picks:
                        return picks[outcome]
    for cell in symbols:
        for call in cell.calls:
            formula = next((text for text in call.string_args if "~" in text), None)
            if formula is not None:
                target = formula.split("~", 1)[0].strip()
                if re.fullmatch(r"[A-Za-z_]\w*", target):
                    return target
    names = {"y", "target", "label", "labels"}
    return next((column for name, column in picks.items() if name in names), None)
