"""Choose each code cell's role from what it calls, what it binds and the headings above it.

The user's directives come first; then the calls a cell makes (qualified through the notebook's
imports: `pd.read_csv` is `pandas.read_csv`); then the shape of its statements; last the
markdown heading above it. Cells whose results only feed exploration become exploration too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from scaffold.analysis.facts import Call, CellSymbols
from scaffold.notebook import Role

LOAD_METHODS = frozenset(
    {
        "read_csv", "read_table", "read_excel", "read_parquet", "read_json", "read_sql",
        "read_sql_query", "read_sql_table", "read_feather", "read_pickle", "read_hdf",
        "read_fwf", "read_orc", "read_stata", "read_sas", "read_spss", "read_xml",
        "loadtxt", "genfromtxt", "load_dataset", "load_pandas", "open_dataset", "read_arff",
    }
)  # fmt: skip
SPLIT_FUNCTIONS = frozenset({"train_test_split", "temporal_train_test_split"})
TRAIN_METHODS = frozenset({"fit", "partial_fit", "fit_predict", "train"})
TRAIN_FUNCTIONS = frozenset({"auto_arima"})
PREDICT_METHODS = frozenset(
    {
        "predict", "predict_proba", "predict_log_proba", "decision_function", "forecast",
        "get_forecast", "get_prediction", "predict_survival_function",
        "predict_cumulative_hazard_function",
    }
)  # fmt: skip
METRIC_NAMES = frozenset(
    {"classification_report", "confusion_matrix", "log_loss", "score", "f_test", "t_test"}
)
METRIC_SUFFIXES = (
    "_score",
    "_error",
    "_loss",
    "concordance_index_censored",
    "concordance_index_ipcw",
)
PREPARE_METHODS = frozenset(
    {
        "fillna", "dropna", "drop", "get_dummies", "astype", "map", "apply", "replace",
        "merge", "concat", "join", "rename", "fit_transform", "transform", "reshape",
        "drop_duplicates", "pivot_table", "melt", "cut", "qcut", "to_datetime", "clip",
        "log", "log1p", "sqrt", "where", "interpolate", "set_index", "reset_index",
        "encode_categorical", "fit_resample", "add_constant", "sort_values", "groupby",
    }
)  # fmt: skip
DISPLAY_METHODS = frozenset(
    {
        "head", "tail", "describe", "info", "value_counts", "sample", "nunique", "isna",
        "isnull", "corr", "show", "savefig", "summary", "print", "display", "unique",
        "plot", "hist", "boxplot", "scatter", "imshow", "legend", "pairplot", "heatmap",
        "set_title", "set_xlabel", "set_ylabel", "subplots", "figure", "tight_layout",
        "suptitle", "bar", "barh", "axhline", "axvline", "subplot", "xlabel", "ylabel",
        "title", "from_estimator", "from_predictions", "step", "fill_between", "errorbar",
        "set_xticks", "set_yticks", "grid", "text", "annotate", "set", "despine", "xlim",
        "ylim", "set_xlim", "set_ylim", "xticks", "yticks", "matshow", "contourf", "violinplot",
    }
)  # fmt: skip
PLOT_MODULES = frozenset(
    {"matplotlib", "seaborn", "plotly", "altair", "bokeh", "IPython", "missingno", "yellowbrick"}
)
TRANSFORMER_NAME = re.compile(
    r"(Scaler|Encoder|Imputer|Transformer|Vectorizer|PCA|SVD|Selector|Binarizer|"
    r"Discretizer|Normalizer|PolynomialFeatures|SelectKBest|SelectFromModel|SimpleImputer|NMF|"
    r"Embedding)$"
)
_DATA = r"\b(load|read|import(ing)? (the )?data|data ?set|get (the )?data)"
_CLEAN = r"\b(clean|preprocess|prepar|feature|encod|transform|impute|wrangl)"
HEADING_HINTS: tuple[tuple[re.Pattern[str], Role], ...] = (
    (re.compile(_DATA, re.I), Role.LOAD),
    (re.compile(_CLEAN, re.I), Role.PREPARE),
    (re.compile(r"\b(split|train.?test|hold.?out)", re.I), Role.SPLIT),
    (re.compile(r"\b(train|fit|model(l)?ing|build (the )?model)", re.I), Role.TRAIN),
    (re.compile(r"\b(evaluat|metric|score|accuracy|performance|result)", re.I), Role.EVALUATE),
    (re.compile(r"\b(predict|inference|forecast)", re.I), Role.PREDICT),
    (re.compile(r"\b(explor|eda|visuali[sz]|plot|inspect|look at)", re.I), Role.EXPLORE),
)  # fmt: skip
SIGNAL_PRIORITY = (
    Role.TRAIN, Role.SPLIT, Role.LOAD, Role.EVALUATE, Role.PREDICT, Role.PREPARE, Role.CONFIG
)  # fmt: skip
SEED_FUNCTIONS = frozenset({"seed", "manual_seed", "set_seed"})
"""A cell that does several things is named after the first of them in this order."""


@dataclass(frozen=True)
class RoleChoice:
    """A role and the reason, as shown by `scaffold inspect`."""

    role: Role
    reason: str


def qualify(dotted: str, imports: Mapping[str, str]) -> str:
    """`pd.read_csv` -> `pandas.read_csv`, through the notebook's import aliases."""
    head, _, rest = dotted.partition(".")
    target = imports.get(head)
    if target is None:
        return dotted
    return f"{target}.{rest}" if rest else target


def classify_call(
    call: Call, imports: Mapping[str, str], estimators: Mapping[str, str]
) -> Role | None:
    """The role a single call suggests, if any."""
    qualified = qualify(call.dotted, imports)
    method = call.method
    receiver = call.dotted.rsplit(".", 1)[0] if "." in call.dotted else None
    top_module = qualified.split(".", 1)[0]
    if top_module in PLOT_MODULES or method == "print" or call.dotted in ("print", "display"):
        return Role.EXPLORE
    if method in SPLIT_FUNCTIONS:
        return Role.SPLIT
    if method in SEED_FUNCTIONS:
        return Role.CONFIG
    if method in LOAD_METHODS or _is_loader(method, qualified):
        return Role.LOAD
    if method in TRAIN_METHODS and receiver is not None:
        estimator = estimators.get(receiver.split(".", 1)[0], "")
        if TRANSFORMER_NAME.search(estimator):
            return Role.PREPARE
        return Role.TRAIN
    if method in TRAIN_FUNCTIONS:
        return Role.TRAIN
    if method in METRIC_NAMES or method.endswith(METRIC_SUFFIXES) or "cross_val" in method:
        return Role.EVALUATE
    if method in PREDICT_METHODS:
        return Role.PREDICT
    if method in PREPARE_METHODS:
        return Role.PREPARE
    if method in DISPLAY_METHODS:
        return Role.EXPLORE
    return None


def _is_loader(method: str, qualified: str) -> bool:
    if method.startswith(("load_", "fetch_")) and method != "load_ext":
        return True
    # statsmodels' bundled data: `sm.datasets.longley.load()`
    return method == "load" and ".datasets." in qualified


def choose_role(
    symbols: CellSymbols,
    imports: Mapping[str, str],
    estimators: Mapping[str, str],
    heading: str | None,
) -> RoleChoice:
    """The role of a code cell from its own code (flows are considered later)."""
    kinds = [kind for kind in symbols.statement_kinds if kind != "docstring"]
    if not kinds:
        return RoleChoice(Role.SKIP, "no code: only comments or IPython magics")
    if all(kind == "import" for kind in kinds):
        return RoleChoice(Role.IMPORTS, "only imports")
    if all(kind in ("import", "def", "class") for kind in kinds):
        return RoleChoice(
            Role.DEFINITIONS, "defines " + _names(symbols.functions | symbols.classes)
        )
    signals: dict[Role, str] = {}
    display_settings = {
        m.name for m in symbols.mutates if qualify(m.name, imports).split(".")[0] in PLOT_MODULES
    }
    if display_settings:
        signals[Role.EXPLORE] = "changes display settings"
    mutates = symbols.mutated_names - display_settings
    if "import" in kinds and all(
        kind in ("import", "assign", "literal", "expression") for kind in kinds
    ):
        only_display = all(
            classify_call(call, imports, estimators) is Role.EXPLORE
            for call in symbols.calls
            if call.module_level
        )
        if (
            only_display
            and display_settings == symbols.mutated_names
            and not (symbols.defines - _imported(symbols))
        ):
            return RoleChoice(Role.IMPORTS, "imports (and display settings)")
    for call in symbols.calls:
        if not call.module_level:
            continue
        role = classify_call(call, imports, estimators)
        if role is not None and role not in signals:
            signals[role] = f"calls {call.dotted}()"
    for role in SIGNAL_PRIORITY:
        if role in signals:
            return RoleChoice(role, signals[role])
    if all(kind in ("import", "literal") for kind in kinds) and not mutates:
        return RoleChoice(Role.CONFIG, "only binds literal constants")
    displays_only = all(kind == "expression" for kind in kinds) and not mutates
    if displays_only or (Role.EXPLORE in signals and not mutates):
        reason = signals.get(Role.EXPLORE, "only shows values")
        if symbols.defines and not displays_only:
            return RoleChoice(Role.EXPLORE, f"{reason}; binds only what it shows")
        return RoleChoice(Role.EXPLORE, reason)
    hinted = heading_role(heading)
    if hinted is not None and hinted not in (Role.EXPLORE,):
        return RoleChoice(hinted, f"heading {heading!r}")
    if mutates:
        names = _names(frozenset(mutates))
        return RoleChoice(Role.PREPARE, f"changes {names} in place")
    return RoleChoice(Role.PREPARE, "computes " + _names(symbols.defines))


def _imported(symbols: CellSymbols) -> set[str]:
    return {item.alias for item in symbols.imports}


def heading_role(heading: str | None) -> Role | None:
    """The role a markdown heading suggests, if any."""
    if not heading:
        return None
    for pattern, role in HEADING_HINTS:
        if pattern.search(heading):
            return role
    return None


def _names(names: frozenset[str] | set[str]) -> str:
    shown = sorted(names)
    if len(shown) > 4:
        return ", ".join(shown[:4]) + f" (+{len(shown) - 4})"
    return ", ".join(shown) or "nothing"
