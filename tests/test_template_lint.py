"""`scaffold lint-templates`: a clean template passes; each seeded fault gives one precise line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaffold.cli import app
from scaffold.errors import TemplateLintError
from scaffold.template_lint import lint_template

CONFIG = """\
_subdirectory: project
_templates_suffix: .jinja
_envops:
  undefined: jinja2.StrictUndefined
  keep_trailing_newline: true

name:
  type: str
  help: Package name (lower case)
  default: demo
  validator: "{% if name != name.lower() %}must be lower case{% endif %}"

kind:
  type: str
  help: What it does
  default: alpha
  choices: [alpha, beta]

with_ci:
  type: bool
  help: Add a CI workflow?
  default: true
"""

FILES = {
    "project/{{ name }}.py.jinja": '"""The {{ kind }} module."""\n\nKIND = "{{ kind }}"\n',
    "project/config.yaml.jinja": "name: {{ name }}\nkind: {{ kind }}\n",
    "project/pyproject.toml.jinja": '[project]\nname = "{{ name }}"\nversion = "0.1.0"\n',
    "project/README.md": "# Demo\n",
    "project/{% if with_ci %}.github{% endif %}/workflows/ci.yml.jinja": (
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo {% raw %}${{ github.ref }}{% endraw %}\n"
    ),
}

Build = Callable[..., Path]


@pytest.fixture
def build(tmp_path: Path) -> Build:
    """Write the clean template, with `changes` (path -> text, or None to delete) applied."""

    def make(config: str = CONFIG, **changes: str | None) -> Path:
        root = tmp_path / "template"
        files = {"copier.yml": config, **FILES}
        for key, text in changes.items():
            path = key.replace("__", "/")
            if text is None:
                files.pop(path)
            else:
                files[path] = text
        for relative, text in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return root

    return make


def lines(template: Path) -> list[str]:
    return [str(problem) for problem in lint_template(template).problems]


def test_clean_template_passes_in_every_combination(build: Build) -> None:
    report = lint_template(build())
    assert report.problems == ()
    assert report.combinations == 4  # kind x with_ci


def test_jinja_syntax_error(build: Build) -> None:
    problems = lines(build(**{"project__notes.txt.jinja": "# notes\n{{ kind }\n"}))
    assert problems == ["project/notes.txt.jinja:2: Jinja syntax error: unexpected '}'"]


def test_question_without_help(build: Build) -> None:
    config = CONFIG.replace("  help: What it does\n", "")
    assert lines(build(config)) == ["copier.yml: question 'kind': has no help text"]


def test_default_failing_its_validator(build: Build) -> None:
    config = CONFIG.replace("default: demo", "default: Demo")
    assert lines(build(config)) == [
        "copier.yml: question 'name': default 'Demo' fails its validator: must be lower case"
    ]


# copier leaves a directory iterator open when rendering fails part-way
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_undefined_variable(build: Build) -> None:
    problems = lines(build(**{"project__notes.txt.jinja": "# {{ kind }}\n{{ misspelt }}\n"}))
    assert problems == [
        "project/notes.txt.jinja:2: undefined variable 'misspelt' (rendered with kind=alpha, "
        "with_ci=true; and 3 more combination(s))"
    ]


def test_leftover_template_syntax(build: Build) -> None:
    problems = lines(build(**{"project__README.md": "# Demo\n\nHello {{ name }}\n"}))
    assert problems == [
        "README.md:3: template syntax left in the output: 'Hello {{ name }}' (rendered with "
        "kind=alpha, with_ci=true; and 3 more combination(s))"
    ]


def test_broken_yaml(build: Build) -> None:
    problems = lines(build(**{"project__config.yaml.jinja": "name: [{{ name }}\nkind: x\n"}))
    assert len(problems) == 1
    assert problems[0].startswith("config.yaml:2: invalid YAML: while parsing a flow sequence")


def test_broken_toml(build: Build) -> None:
    text = '[project]\nname = "{{ name }}"\nversion = 0.1.0\n'
    problems = lines(build(**{"project__pyproject.toml.jinja": text}))
    assert len(problems) == 1
    assert problems[0].startswith("pyproject.toml:3: invalid TOML:")


def test_ruff_unclean_output(build: Build) -> None:
    text = '"""The {{ kind }} module."""\n\nimport os\nKIND={{ kind | tojson }}\n'
    problems = lines(build(**{"project__{{ name }}.py.jinja": text}))
    unused = "demo.py:3: ruff check: F401 [*] `os` imported but unused"
    assert any(p.startswith(unused) for p in problems)
    assert any(p.startswith("demo.py: ruff format would change it") for p in problems)
    assert all(p.startswith("demo.py") for p in problems)


def test_broken_github_expression_only_where_the_workflow_renders(build: Build) -> None:
    workflow = FILES["project/{% if with_ci %}.github{% endif %}/workflows/ci.yml.jinja"]
    broken = workflow.replace("${{ github.ref }}", "${{ github.ref }")
    problems = lines(
        build(**{"project__{% if with_ci %}.github{% endif %}__workflows__ci.yml.jinja": broken})
    )
    assert problems == [
        ".github/workflows/ci.yml:6: broken GitHub expression: '- run: echo ${{ github.ref }' "
        "(rendered with kind=alpha, with_ci=true; and 1 more combination(s))"
    ]


def test_strict_undefined_is_required(build: Build) -> None:
    config = CONFIG.replace("  undefined: jinja2.StrictUndefined\n", "")
    assert lines(build(config))[0].startswith(
        "copier.yml: _envops.undefined is not jinja2.StrictUndefined"
    )


def test_not_a_template(tmp_path: Path) -> None:
    with pytest.raises(TemplateLintError, match=r"has no copier\.yml"):
        lint_template(tmp_path)


def test_cli_prints_one_line_per_problem_and_fails(build: Build) -> None:
    config = CONFIG.replace("  help: What it does\n", "").replace("default: demo", "default: Demo")
    result = CliRunner().invoke(app, ["lint-templates", str(build(config))])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "copier.yml: question 'kind': has no help text",
        "copier.yml: question 'name': default 'Demo' fails its validator: must be lower case",
    ]


def test_cli_passes_a_clean_template(build: Build) -> None:
    result = CliRunner().invoke(app, ["lint-templates", str(build())])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "0 problem(s) in 4 option combination(s)" in result.stderr
