"""Requirements of the generated project: imported modules mapped to installed distributions."""

from __future__ import annotations

from importlib import metadata

import pytest

from scaffold import dependencies


def test_each_module_maps_to_the_distributions_the_stdlib_names() -> None:
    expected = metadata.packages_distributions()
    for top in [*expected, "no_such_module_here"]:
        assert list(dependencies._distributions_of(top)) == expected.get(top, []), top


def test_requirements_do_not_map_every_installed_distribution(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def everything() -> None:
        raise AssertionError("packages_distributions() parses every file list installed")

    monkeypatch.setattr(metadata, "packages_distributions", everything)
    dependencies._distributions_of.cache_clear()
    found = dependencies.requirements(["pandas", "sklearn.ensemble", "os", "yaml"], ["xgboost"])
    names = [requirement.split(">=")[0] for requirement in found]
    assert names == ["pandas", "pyyaml", "scikit-learn", "xgboost"]
    assert found[0] == f"pandas>={metadata.version('pandas')}"
