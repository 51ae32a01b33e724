"""`scaffold lint-templates`: a clean template passes; each seeded fault gives one precise line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scaffold import template_store
from scaffold.cli import app
from scaffold.errors import TemplateLintError
from scaffold.template_lint import lint_template
from scaffold.template_store import TemplateVersion

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


def lines(template: Path, **options: Any) -> list[str]:
    return [str(problem) for problem in lint_template(template, **options).problems]


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
        "project/README.md:3: template syntax left in the output: 'Hello {{ name }}' (rendered "
        "with kind=alpha, with_ci=true; and 3 more combination(s))"
    ]


def test_broken_yaml(build: Build) -> None:
    problems = lines(build(**{"project__config.yaml.jinja": "name: [{{ name }}\nkind: x\n"}))
    assert len(problems) == 1
    assert problems[0].startswith(
        "project/config.yaml.jinja:2: invalid YAML: while parsing a flow sequence"
    )
    assert "(in config.yaml:2, rendered with" in problems[0]


def test_broken_toml(build: Build) -> None:
    text = '[project]\nname = "{{ name }}"\nversion = 0.1.0\n'
    problems = lines(build(**{"project__pyproject.toml.jinja": text}))
    assert len(problems) == 1
    assert problems[0].startswith("project/pyproject.toml.jinja:3: invalid TOML:")


def test_ruff_unclean_output(build: Build) -> None:
    text = '"""The {{ kind }} module."""\n\nimport os\nKIND={{ kind | tojson }}\n'
    problems = lines(build(**{"project__{{ name }}.py.jinja": text}))
    where = "project/{{ name }}.py.jinja"
    unused = f"{where}:3: ruff check: F401 [*] `os` imported but unused (in demo.py:3, "
    assert any(p.startswith(unused) for p in problems)
    assert any(p.startswith(f"{where}:4: ruff format would change it") for p in problems)
    assert all(p.startswith(where) for p in problems)


def test_broken_github_expression_only_where_the_workflow_renders(build: Build) -> None:
    workflow = FILES["project/{% if with_ci %}.github{% endif %}/workflows/ci.yml.jinja"]
    broken = workflow.replace("${{ github.ref }}", "${{ github.ref }")
    problems = lines(
        build(**{"project__{% if with_ci %}.github{% endif %}__workflows__ci.yml.jinja": broken})
    )
    assert problems == [
        "project/{% if with_ci %}.github{% endif %}/workflows/ci.yml.jinja:6: broken GitHub "
        "expression: '- run: echo ${{ github.ref }' (in .github/workflows/ci.yml:6, rendered "
        "with kind=alpha, with_ci=true; and 1 more combination(s))"
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


WORKFLOW = "project__{% if with_ci %}.github{% endif %}__workflows__ci.yml.jinja"


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_unraw_github_expression_is_reported_where_it_is(build: Build) -> None:
    """Its name was looked up as text: the comment naming `github` on line 1 was reported."""
    workflow = (
        "# runs on github\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo {% raw %}${{ github.sha }}{% endraw %}\n"
        "      - run: echo ${{ github.ref }}\n"
    )
    problems = lines(build(**{WORKFLOW: workflow}))
    assert problems == [
        "project/{% if with_ci %}.github{% endif %}/workflows/ci.yml.jinja:8: undefined "
        "variable 'github' (rendered with kind=alpha, with_ci=true; and 1 more combination(s))"
    ]


def test_a_render_fault_is_reported_at_the_template_line_that_wrote_it(build: Build) -> None:
    """Conditional blocks and loops shift the rendered lines away from the template's."""
    config = (
        "{% if kind == 'beta' %}\nbeta: true\nextra: 1\n{% endif %}\n"
        "{% for n in [1, 2, 3] %}\nitem{{ n }}: {{ n }}\n{% endfor %}\n"
        "bad: {{ name }}: x\nlast: 1\n"
    )
    problems = lines(build(**{"project__config.yaml.jinja": config}))
    assert problems == [
        "project/config.yaml.jinja:8: invalid YAML: mapping values are not allowed here "
        "(in config.yaml:9, rendered with kind=alpha, with_ci=true; and 3 more combination(s))"
    ]


def test_ruff_findings_after_a_multiline_expression(build: Build) -> None:
    module = (
        '"""The {{ kind }} module."""\n\n'
        "{{ ['A = 1', 'B = 2', 'C = 3'] | join('\\n') }}\n"
        "{% if with_ci %}\nCI = True\n{% endif %}\n"
        "import os\n"
    )
    problems = lines(build(**{"project__{{ name }}.py.jinja": module}))
    assert (
        "project/{{ name }}.py.jinja:7: ruff check: F401 [*] `os` imported but unused (in "
        "demo.py:9, rendered with kind=alpha, with_ci=true; and 3 more combination(s))" in problems
    )


def test_progress_is_told_each_render(build: Build) -> None:
    told: list[tuple[int, int]] = []
    lint_template(build(), progress=lambda done, total: told.append((done, total)))
    assert told == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]


def test_renders_in_worker_processes_find_the_same_problems(build: Build) -> None:
    config = CONFIG.replace("choices: [alpha, beta]", "choices: [a, b, c, d, e]")
    template = build(config, **{"project__README.md": "# Demo\n\nHello {{ name }}\n"})
    alone = lint_template(template, workers=1)
    parallel = lint_template(template, workers=2)
    assert alone.combinations == parallel.combinations == 10
    assert [str(p) for p in parallel.problems] == [str(p) for p in alone.problems] != []


def test_identical_python_files_are_linted_once(build: Build) -> None:
    report = lint_template(build())
    assert report.linted == 2  # the module differs by kind; with_ci changes no Python file


ANSWERS = ("project/{{ _copier_conf.answers_file }}.jinja", "{{ _copier_answers | to_nice_yaml }}")


def previous_version(template: Path, tmp_path: Path) -> TemplateVersion:
    store = tmp_path / "store"
    return template_store.ensure_version(template, "1.0.0", store)


def test_a_project_of_the_previous_version_updates_cleanly(build: Build, tmp_path: Path) -> None:
    old = build(**{ANSWERS[0].replace("/", "__"): ANSWERS[1]})
    previous = previous_version(old, tmp_path)
    readme = old / "project" / "README.md"
    readme.write_text(readme.read_text() + "\nNew in the next version.\n")
    report = lint_template(old, previous=previous)
    assert report.problems == ()
    assert report.notes == (
        "updated a default project from template v1.0.0 to the linted template",
    )


def test_an_update_that_leaves_a_file_behind_is_a_problem(build: Build, tmp_path: Path) -> None:
    """The new version excludes a file the old one rendered: copier's update keeps it."""
    old = build(**{ANSWERS[0].replace("/", "__"): ANSWERS[1]})
    previous = previous_version(old, tmp_path)
    config = old / "copier.yml"
    config.write_text(config.read_text() + '\n_exclude: ["copier.yml", "README.md"]\n')
    assert lines(old, previous=previous) == [
        "README.md: updating a project from template v1.0.0 leaves it behind (a fresh render "
        "has no such file) (rendered with the defaults)"
    ]


def test_a_template_without_an_answers_file_cannot_be_updated(build: Build, tmp_path: Path) -> None:
    old = build()
    previous = previous_version(old, tmp_path)
    (old / "project" / "README.md").write_text("# Demo, version 2\n")
    assert lines(old, previous=previous) == [
        ".copier-answers.yml: a project of template v1.0.0 has no .copier-answers.yml, so it "
        "cannot be updated: the template must render `{{ _copier_conf.answers_file }}.jinja` "
        "with `{{ _copier_answers | to_nice_yaml }}` (rendered with the defaults)"
    ]


@pytest.mark.slow
def test_run_tests_runs_each_distinct_renders_tests(build: Build) -> None:
    test = 'KIND = "{{ kind }}"\n\n\ndef test_kind() -> None:\n    assert KIND == "alpha"\n'
    problems = lines(build(**{"project__tests__test_kind.py.jinja": test}), run_tests=True)
    assert problems == [
        "tests: the render's own tests fail: 1 failed (rendered with kind=beta, with_ci=true; "
        "and 1 more combination(s))"
    ]


def test_no_progress_when_piped(build: Build) -> None:
    result = CliRunner().invoke(app, ["lint-templates", str(build())])
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"{build()}: 0 problem(s) in 4 option combination(s) "
        "(2 distinct set(s) of Python files for ruff)"
    ]
