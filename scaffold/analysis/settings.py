"""Decide which literals are settings, and name them for `config/params.yaml`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from scaffold.analysis.literals import LiteralUse
from scaffold.analysis.results import Setting, SettingKind
from scaffold.analysis.roles import (
    LOAD_METHODS,
    METRIC_SUFFIXES,
    SEED_FUNCTIONS,
    SPLIT_FUNCTIONS,
    qualify,
)
from scaffold.naming import unique_name
from scaffold.notebook import Role

SEED_KEYWORDS = frozenset({"random_state", "seed", "random_seed"})
PATH_KEYWORDS = frozenset({"filepath_or_buffer", "path", "fname", "io", "file", "filename"})
NOT_SETTINGS = frozenset(
    {"verbose", "axis", "inplace", "columns", "index", "ax", "figsize", "color", "label",
     "return_X_y", "as_frame", "copy", "dtype", "errors", "how", "sep", "header", "names",
     "stratify", "n_jobs", "data", "formula"}
)  # fmt: skip
SETTING_ROLES = frozenset({Role.CONFIG, Role.LOAD, Role.PREPARE, Role.SPLIT, Role.TRAIN})
_PATH_LIKE = re.compile(
    r"(^|/)[\w.-]+\.(csv|tsv|txt|parquet|json|xlsx?|feather|pkl|pickle|h5|npy|npz|zip|gz|arff|data)$"
)


def find_settings(
    literals: Iterable[tuple[int, Role, LiteralUse]], imports: Mapping[str, str]
) -> tuple[Setting, ...]:
    """The settings among the literals of the cells (cell number, role, literal)."""
    found: list[tuple[Setting, tuple[int, int, int]]] = []
    for cell, role, use in literals:
        if role not in SETTING_ROLES:
            continue
        setting = _as_setting(cell, role, use, imports)
        if setting is not None:
            found.append((setting, (cell, *use.site)))
    return tuple(_unique_names(found))


def _as_setting(
    cell: int, role: Role, use: LiteralUse, imports: Mapping[str, str]
) -> Setting | None:
    if use.callee is None:
        return _constant(cell, role, use)
    method = use.callee.rsplit(".", 1)[-1]
    qualified = qualify(use.callee, imports)
    if qualified.split(".", 1)[0] in {"matplotlib", "seaborn", "plotly"} or method == "print":
        return None
    if method in SEED_FUNCTIONS and use.position == 0 and isinstance(use.value, int):
        return _make("seed", "seed", "seed", cell, use, f"{use.callee}(...)")
    if isinstance(use.value, str) and _is_path(use, method):
        stem = (
            re.sub(r"\W+", "_", use.value.rsplit("/", 1)[-1].rsplit(".", 1)[0]).strip("_").lower()
        )
        group = "data" if method in LOAD_METHODS or method.startswith("read") else "outputs"
        return _make(group, f"{stem or 'file'}_path", "path", cell, use, f"{use.callee}(...)")
    if (
        use.keyword is None
        or use.keyword in NOT_SETTINGS
        or isinstance(use.value, list | tuple | set)
    ):
        return None
    if method.endswith(METRIC_SUFFIXES):
        return None
    context = f"{use.callee}({use.keyword}=...)"
    if use.keyword in SEED_KEYWORDS:
        group = "split" if method in SPLIT_FUNCTIONS else _snake(method)
        return _make(group, use.keyword, "seed", cell, use, context)
    if method in SPLIT_FUNCTIONS:
        return _make("split", use.keyword, "split", cell, use, context)
    if method[:1].isupper() or method in {"fit", "auto_arima", "cross_val_score", "cross_validate"}:
        if isinstance(use.value, bool) and not method[:1].isupper():
            return None
        return _make(_snake(method), use.keyword, "hyperparameter", cell, use, context)
    return None


def _is_path(use: LiteralUse, method: str) -> bool:
    value = str(use.value)
    if use.keyword in PATH_KEYWORDS or (
        use.position == 0 and (method in LOAD_METHODS or method in {"open", "load", "read_csv"})
    ):
        return bool(value) and ("/" in value or "." in value)
    return bool(_PATH_LIKE.search(value)) and method in {
        "to_csv",
        "to_parquet",
        "dump",
        "save",
        "savez",
        "to_pickle",
        "open",
    }


SETTING_WORDS = re.compile(
    r"seed|random_state|test_size|train_size|n_estimators|learning_rate|max_depth|epochs|"
    r"batch_size|n_splits|path|file|alpha|threshold"
)
"""Words of constant names that are settings even outside a config cell (`random_state = 20`)."""


def _constant(cell: int, role: Role, use: LiteralUse) -> Setting | None:
    if use.keyword is None:
        return None
    if role is not Role.CONFIG and (
        isinstance(use.value, list | tuple | dict | set | None)
        or not (use.keyword.isupper() or SETTING_WORDS.search(use.keyword.lower()))
    ):
        return None
    name = use.keyword.lower()
    kind: SettingKind = "constant"
    if "seed" in name or "random_state" in name:
        kind = "seed"
    elif isinstance(use.value, str) and (
        "path" in name or "file" in name or _PATH_LIKE.search(use.value)
    ):
        kind = "path"
    elif "size" in name and ("test" in name or "train" in name or "val" in name):
        kind = "split"
    elif isinstance(use.value, int | float) and not isinstance(use.value, bool):
        kind = "hyperparameter"
    return _make("params", name, kind, cell, use, f"{use.keyword} = ...")


def _make(
    group: str, name: str, kind: SettingKind, cell: int, use: LiteralUse, context: str
) -> Setting:
    return Setting(
        group=group,
        name=name,
        kind=kind,
        value=use.value,
        source=use.source,
        cell=cell,
        line=use.line,
        column=use.column,
        context=context,
    )


def _snake(name: str) -> str:
    """`RandomForestClassifier` -> `random_forest_classifier`."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return name.lower().strip("_") or "settings"


SHARED_GROUPS = frozenset({"params", "data", "outputs", "split", "seed"})


def _unique_names(settings: Sequence[tuple[Setting, tuple[int, int, int]]]) -> list[Setting]:
    """Give every setting its own key.

    A shared section (`data`, `split`, ...) numbers a repeated name (`random_state_2`); a
    section named after a class or function numbers the section when a second call of it has
    settings too (`svc_2`).
    """
    group_of_site: dict[tuple[int, int, int, str], str] = {}
    keys: set[str] = set()
    unique: list[Setting] = []
    for setting, call_site in settings:
        group, name = setting.group, setting.name
        if group not in SHARED_GROUPS:
            site = (*call_site, group)
            if site not in group_of_site:
                group_of_site[site] = unique_name(group, set(group_of_site.values()))
            group = group_of_site[site]
        name = unique_name(name, keys, prefix=f"{group}.")
        unique.append(replace(setting, group=group, name=name))
    return unique
