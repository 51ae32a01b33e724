"""Build hook: ship the template's released versions in the wheel (`scaffold/template_history.py`).

In a git checkout the bundle is made from the repository's release tags; an sdist carries the
bundle it was built with, so a wheel built from the sdist ships the same one.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def _history_module(root: Path) -> ModuleType:
    """`scaffold/template_history.py`, loaded alone: scaffold itself is not installed yet."""
    spec = importlib.util.spec_from_file_location(
        "_scaffold_template_history", root / "scaffold" / "template_history.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TemplateHistoryHook(BuildHookInterface):  # type: ignore[type-arg]
    """Add `template_history.bundle`: to the sdist's top folder, or into the wheel's package."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Make the bundle (or take the sdist's) and add it to the build."""
        root = Path(self.root)
        history = _history_module(root)
        inside = "scaffold/" if self.target_name == "wheel" else ""
        target = f"{inside}{history.BUNDLE_NAME}"
        packed = root / history.BUNDLE_NAME  # present when building from an sdist
        if (root / ".git").exists():
            self._scratch = Path(tempfile.mkdtemp(prefix="scaffold-build-"))
            bundle = self._scratch / history.BUNDLE_NAME
            tags = history.build_bundle(root, bundle)
            if not tags:
                self.app.display_warning(
                    "no release tag v<version> with templates/ in this repository: the "
                    "template history is empty, so projects of earlier versions update only "
                    "where those versions ran (fetch the tags: git fetch --tags)"
                )
                return
            self.app.display_info(f"template history: {', '.join(tags)}")
            build_data["force_include"][str(bundle)] = target
        elif packed.is_file():
            build_data["force_include"][str(packed)] = target
        else:
            self.app.display_warning("neither a git checkout nor a template history bundle")

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the bundle made for this build."""
        scratch = getattr(self, "_scratch", None)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
