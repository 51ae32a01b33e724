"""The settings of the generated project: render data for config/params.yaml and settings.py."""

from __future__ import annotations

import keyword
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from scaffold.analysis.results import Setting


def setting_groups(settings: Sequence[Setting], data_files: dict[str, str]) -> list[dict[str, Any]]:
    """The template's `setting_groups`: config/params.yaml and settings.py are rendered from it.

    One entry per section of config/params.yaml: its `name`, the `class_name` of its dataclass,
    and its `fields`: `name`, Python `type`, the notebook's `value` as YAML text, `path` (a data
    file copied into the project, read from the project folder) and `origin` (cell and line).
    A path to a data file copied into the project becomes its place there (`data/<name>`); any
    other string stays as the notebook wrote it.
    """
    return [
        {
            "name": group,
            "class_name": _class_name(group),
            "fields": [_field(setting, data_files) for setting in members],
        }
        for group, members in _groups(settings).items()
    ]


def _field(setting: Setting, data_files: dict[str, str]) -> dict[str, object]:
    in_project = setting.kind == "path" and setting.value in data_files
    value = data_files[str(setting.value)] if in_project else setting.value
    flow = yaml.safe_dump({"k": value}, default_flow_style=True, width=10**6).strip()
    return {
        "name": setting.name,
        "type": "Path" if in_project else _type_name(setting.value),
        "value": flow.removeprefix("{k: ").removesuffix("}"),
        "path": in_project,
        "origin": f"cell {setting.cell}, line {setting.line}",
    }


def _type_name(value: object) -> str:
    if value is None:
        return "Any"
    if isinstance(value, bool | int | float | str):
        return type(value).__name__ if not isinstance(value, float) else "float"
    if isinstance(value, list | tuple):
        return "list[Any]"
    if isinstance(value, dict):
        return "dict[str, Any]"
    return "Any"


def _class_name(group: str) -> str:
    name = "".join(part.capitalize() for part in group.split("_")) + "Settings"
    return name if name.isidentifier() and not keyword.iskeyword(name) else "GroupSettings"


def _groups(settings: Sequence[Setting]) -> dict[str, list[Setting]]:
    groups: dict[str, list[Setting]] = {}
    for setting in settings:
        groups.setdefault(setting.group, []).append(setting)
    return groups


def data_file_targets(notebook_dir: Path, settings: Sequence[Setting]) -> dict[str, str]:
    """Path literal -> its place in the project (`data/<name>`), for files beside the notebook."""
    targets = {}
    for setting in settings:
        if setting.kind != "path" or not isinstance(setting.value, str):
            continue
        source = (notebook_dir / setting.value).resolve()
        if source.is_file() and notebook_dir.resolve() in source.parents:
            targets[setting.value] = f"data/{source.relative_to(notebook_dir.resolve())}"
    return targets
