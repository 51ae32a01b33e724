"""The settings of the generated project: `config/params.yaml` and the typed `settings.py`."""

from __future__ import annotations

import keyword
from collections.abc import Sequence
from pathlib import Path

import yaml

from scaffold.analysis.results import Setting

SETTINGS_HEADER = '''"""Settings lifted from the notebook; the values live in config/params.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PARAMS = PROJECT_ROOT / "config" / "params.yaml"
'''

SETTINGS_FOOTER = '''

def load_settings(path: Path | None = None) -> Settings:
    """Read the settings from `path` (default: config/params.yaml of this project)."""
    path = path or DEFAULT_PARAMS
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return Settings.from_dict(raw)
'''


def params_yaml(settings: Sequence[Setting], data_files: dict[str, str]) -> str:
    """`config/params.yaml`: one section per group, the notebook's values, where each came from."""
    lines = ["# Settings lifted from the notebook; `python -m <package> train` reads them.", ""]
    for group, members in _groups(settings).items():
        lines.append(f"{group}:")
        for setting in members:
            value = _value(setting, data_files)
            dumped = yaml.safe_dump({setting.name: value}, default_flow_style=True).strip()
            dumped = dumped[1:-1] if dumped.startswith("{") else dumped
            lines.append(f"  {dumped}  # cell {setting.cell}, line {setting.line}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _value(setting: Setting, data_files: dict[str, str]) -> object:
    if setting.kind == "path" and isinstance(setting.value, str):
        return data_files.get(setting.value, setting.value)
    return setting.value


def settings_module(settings: Sequence[Setting], data_files: dict[str, str]) -> str:
    """`settings.py`: a frozen dataclass per group and `Settings` holding them.

    A path to a data file copied into the project is resolved against the project root; any
    other string stays as the notebook wrote it.
    """
    parts = [SETTINGS_HEADER]
    groups = _groups(settings)
    for group, members in groups.items():
        parts.append(_group_class(group, members, data_files))
    fields = "\n".join(f"    {group}: {_class_name(group)}" for group in groups) or "    pass"
    converters = "\n".join(
        f'            {group}={_class_name(group)}(**raw.get("{group}", {{}})),' for group in groups
    )
    parts.append(
        f'''

@dataclass(frozen=True)
class Settings:
    """Every setting of the pipeline, by section of config/params.yaml."""

{fields}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Settings:
        """Build the settings from the parsed YAML."""
        return cls(
{converters}
        )
'''
    )
    parts.append(SETTINGS_FOOTER)
    return "".join(parts)


def _group_class(group: str, members: Sequence[Setting], data_files: dict[str, str]) -> str:
    fields = []
    post = []
    for setting in members:
        in_project = setting.kind == "path" and setting.value in data_files
        kind = "Path" if in_project else _type_name(setting.value)
        fields.append(f"    {setting.name}: {kind}")
        if in_project:
            post.append(
                f'        object.__setattr__(self, "{setting.name}", '
                f"PROJECT_ROOT / self.{setting.name})"
            )
    body = "\n".join(fields)
    post_init = ""
    if post:
        post_init = (
            "\n\n    def __post_init__(self) -> None:\n"
            '        """Paths are relative to the project root."""\n' + "\n".join(post)
        )
    return f'''

@dataclass(frozen=True)
class {_class_name(group)}:
    """Settings of `{group}` in config/params.yaml."""

{body}{post_init}
'''


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
