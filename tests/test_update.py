"""`scaffold update`: a 3-way merge from the local template store that keeps the user's edits."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import copier
import pytest
import yaml
from typer.testing import CliRunner

import scaffold
from scaffold import template_history, template_store
from scaffold import update as updating
from scaffold.cli import app
from scaffold.errors import (
    DirtyProjectError,
    NewerProjectError,
    NotScaffoldProjectError,
    TemplateVersionUnavailableError,
    UpdateError,
)
from scaffold.render import render_project, template_dir
from scaffold.update import AlreadyUpToDateError, check_update, update_project

PACKAGE = "demo_model"
IDENTITY = ["-c", "user.name=Test", "-c", "user.email=test@localhost"]


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *IDENTITY, *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    return result.stdout


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "store"
    monkeypatch.setenv(template_store.STORE_ENV, str(path))
    return path


@pytest.fixture
def versions(tmp_path: Path, store: Path) -> tuple[Path, Path]:
    """Two template versions in the store: v1.0.0 (ours) and v1.1.0 (README and CI changed)."""
    first = tmp_path / "template-1.0.0"
    shutil.copytree(template_dir(), first)
    template_store.ensure_version(first, "1.0.0", store)
    second = tmp_path / "template-1.1.0"
    shutil.copytree(first, second)
    readme = second / "project" / "README.md.jinja"
    readme.write_text(readme.read_text().replace("## Layout\n", "## Project layout\n", 1))
    workflow = next((second / "project").glob("*/workflows/ci.yml.jinja"))
    workflow.write_text(workflow.read_text().replace("run: python -m pytest\n", "run: pytest\n"))
    pipeline = next((second / "project").rglob("*pipeline/*with_service*__init__*"))
    pipeline.write_text("# the template's new example pipeline\n" + pipeline.read_text())
    return first, second


@pytest.fixture
def project(tmp_path: Path, versions: tuple[Path, Path], store: Path) -> Path:
    """Generated from v1.0.0 the way `scaffold` does: rendered, notebook code added, committed."""
    root = tmp_path / "project"
    render_project(root, {"package_name": PACKAGE}, template=store, vcs_ref="v1.0.0")
    pipeline = root / "src" / PACKAGE / "pipeline"
    (pipeline / "__init__.py").write_text('"""From the notebook."""\n\nTASK = "classification"\n')
    (pipeline / "features.py").write_text('"""From the notebook."""\n')
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "Generated")
    return root


def commit(root: Path, message: str = "my edits") -> None:
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", message)


def answers(root: Path) -> dict[str, object]:
    loaded = yaml.safe_load((root / ".copier-answers.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def update(root: Path, versions: tuple[Path, Path]) -> object:
    return update_project(root, template=versions[1], version="1.1.0")


def test_generation_records_the_version_and_no_machine_path(project: Path, store: Path) -> None:
    recorded = answers(project)
    assert recorded["_src_path"] == template_store.SRC_PATH == "~/.local/share/scaffold/templates"
    assert recorded["_commit"] == "v1.0.0"
    assert str(store.parent) not in (project / ".copier-answers.yml").read_text()


def test_default_render_reads_the_installed_folder_and_records_its_tag(
    tmp_path: Path, store: Path
) -> None:
    root = tmp_path / "fresh"
    render_project(root, {"package_name": PACKAGE})
    recorded = answers(root)
    assert recorded["_commit"] == f"v{scaffold.__version__}"
    assert recorded["_src_path"] == template_store.SRC_PATH
    assert template_store.has_version(store, f"v{scaffold.__version__}")
    assert list(recorded) == sorted(recorded)  # the order copier writes, so updates diff cleanly


def test_default_render_runs_no_git_clone_and_no_git_per_file(tmp_path: Path, store: Path) -> None:
    """copier cloned the store and asked `git config core.fileMode` once per rendered file."""
    shim = tmp_path / "bin"
    shim.mkdir()
    log = tmp_path / "git.log"
    real = shutil.which("git")
    (shim / "git").write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {real} "$@"\n')
    (shim / "git").chmod(0o755)
    template_store.ensure_version(template_dir(), scaffold.__version__, store)  # first use
    environment = {**os.environ, "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}"}
    code = "from pathlib import Path; from scaffold.render import render_project; "
    code += f"render_project(Path({str(tmp_path / 'out')!r}), {{'package_name': 'demo'}})"
    subprocess.run([sys.executable, "-c", code], env=environment, check=True)
    calls = log.read_text().splitlines()
    assert not [call for call in calls if call.startswith(("clone", "checkout"))], calls
    assert not [call for call in calls if "core.fileMode" in call], calls
    rendered = [path for path in (tmp_path / "out").rglob("*") if path.is_file()]
    assert len(calls) < 12 < len(rendered)


def test_update_brings_the_template_change_and_keeps_both_edits(
    project: Path, versions: tuple[Path, Path]
) -> None:
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\n## Our notes\n\nKept by the update.\n")
    pipeline = project / "src" / PACKAGE / "pipeline" / "__init__.py"
    pipeline.write_text(pipeline.read_text() + "THRESHOLD = 0.5  # edited by hand\n")
    commit(project)

    result = update_project(project, template=versions[1], version="1.1.0")

    text = readme.read_text()
    assert "## Project layout\n" in text  # the template change arrived
    assert "## Layout\n" not in text
    assert text.endswith("## Our notes\n\nKept by the update.\n")  # the user's edit survived
    assert "run: pytest\n" in (project / ".github/workflows/ci.yml").read_text()
    source = pipeline.read_text()
    assert source.endswith("THRESHOLD = 0.5  # edited by hand\n")  # notebook code untouched
    assert "the template's new example pipeline" not in source
    assert (project / "src" / PACKAGE / "pipeline" / "features.py").is_file()
    assert answers(project)["_commit"] == "v1.1.0"
    assert result.conflicts == ()
    assert {"README.md", ".github/workflows/ci.yml", ".copier-answers.yml"} <= set(result.changed)
    assert not any("pipeline" in path for path in result.changed)


def test_a_conflicting_edit_shows_conflict_markers(
    project: Path, versions: tuple[Path, Path]
) -> None:
    readme = project / "README.md"
    readme.write_text(readme.read_text().replace("## Layout\n", "## What is where\n", 1))
    commit(project)

    result = update_project(project, template=versions[1], version="1.1.0")

    text = readme.read_text()
    assert "<<<<<<< before updating" in text
    assert "## What is where" in text
    assert "## Project layout" in text
    assert ">>>>>>> after updating" in text
    assert result.conflicts == ("README.md",)
    # the CI change merged cleanly beside the conflict
    assert "run: pytest\n" in (project / ".github/workflows/ci.yml").read_text()


def test_plain_copier_update_works_from_the_store(
    project: Path,
    versions: tuple[Path, Path],
    store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`_src_path` names the default store (`~/...`): copier finds it on any machine where
    scaffold has run."""
    home = tmp_path / "home"
    (home / ".local/share/scaffold").mkdir(parents=True)
    (home / ".local/share/scaffold/templates").symlink_to(store)
    monkeypatch.setenv("HOME", str(home))
    template_store.ensure_version(versions[1], "1.1.0", store)  # scaffold 1.1.0 has run once
    copier.run_update(str(project), defaults=True, overwrite=True, quiet=True, unsafe=False)
    assert answers(project)["_commit"] == "v1.1.0"  # the newest tag of the store
    assert "## Project layout\n" in (project / "README.md").read_text()


def test_refuses_a_dirty_work_tree(project: Path, versions: tuple[Path, Path]) -> None:
    (project / "README.md").write_text("changed\n")
    with pytest.raises(DirtyProjectError, match=r"uncommitted changes \(README.md\)"):
        update(project, versions)


def test_refuses_a_folder_without_answers(tmp_path: Path, versions: tuple[Path, Path]) -> None:
    with pytest.raises(NotScaffoldProjectError, match="not generated by scaffold"):
        update_project(tmp_path, template=versions[1], version="1.1.0")


def test_refuses_a_project_of_another_template(tmp_path: Path, versions: tuple[Path, Path]) -> None:
    root = tmp_path / "plain"
    render_project(root, {"package_name": PACKAGE}, template=versions[0])  # a plain folder
    recorded = answers(root)
    recorded["_commit"] = "v1.0.0"
    (root / ".copier-answers.yml").write_text(yaml.safe_dump(recorded))
    with pytest.raises(NotScaffoldProjectError, match="not a scaffold template store"):
        update_project(root, template=versions[1], version="1.1.0")


def test_says_already_up_to_date(project: Path, versions: tuple[Path, Path]) -> None:
    with pytest.raises(AlreadyUpToDateError, match="already up to date"):
        update_project(project, template=versions[0], version="1.0.0")


def test_refuses_a_project_from_a_newer_version(project: Path, versions: tuple[Path, Path]) -> None:
    with pytest.raises(NewerProjectError, match=r"newer than this scaffold's v0\.9\.0"):
        update_project(project, template=versions[1], version="0.9.0")


def test_missing_old_version_says_how_to_restore_it(
    project: Path, versions: tuple[Path, Path], store: Path
) -> None:
    git(store, "tag", "--delete", "v1.0.0")
    with pytest.raises(TemplateVersionUnavailableError) as caught:
        update(project, versions)
    message = str(caught.value)
    assert "from template v1.0.0 (not among the releases this scaffold carries)" in message
    assert "install scaffold 1.0.0" in message
    assert (project / "README.md").read_text() == git(project, "show", "HEAD:README.md")


def released_history(tmp_path: Path, template: Path, tag: str) -> Path:
    """A bundle of released templates as a wheel carries it, from a repository tagged `tag`."""
    repository = tmp_path / "scaffold-repository"
    shutil.copytree(template, repository / "templates")
    git(repository, "init", "--quiet", "--initial-branch=main")
    git(repository, "add", "--all")
    git(repository, "commit", "--quiet", "-m", "Release")
    git(repository, "tag", tag)
    git(repository, "tag", "not-a-version")
    bundle = tmp_path / template_history.BUNDLE_NAME
    assert template_history.build_bundle(repository, bundle) == [tag]
    return bundle


def test_a_machine_without_the_old_version_takes_it_from_the_released_history(
    project: Path,
    versions: tuple[Path, Path],
    store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bundle = released_history(tmp_path, versions[0], "v1.0.0")
    shutil.rmtree(store)  # another machine: no store at all
    monkeypatch.setattr(template_history, "shipped_bundle", lambda: bundle)

    result = update_project(project, template=versions[1], version="1.1.0")

    assert "## Project layout\n" in (project / "README.md").read_text()
    assert result.conflicts == ()
    assert template_store.tags(store) == ["v1.0.0", "v1.1.0"]
    recorded = answers(project)
    assert (recorded["_commit"], recorded["_src_path"]) == ("v1.1.0", template_store.SRC_PATH)
    assert not git(project, "ls-files", "-v", ".copier-answers.yml").startswith("h ")


def test_a_project_naming_another_machines_store_is_updated_from_this_one(
    project: Path, versions: tuple[Path, Path]
) -> None:
    """Projects generated before `_src_path` was portable name the generating machine's store."""
    text = (project / ".copier-answers.yml").read_text()
    elsewhere = text.replace(template_store.SRC_PATH, "/home/someone/.local/share/x/templates")
    (project / ".copier-answers.yml").write_text(elsewhere)
    commit(project, "generated on another machine")

    update_project(project, template=versions[1], version="1.1.0")

    assert answers(project)["_src_path"] == template_store.SRC_PATH
    assert "## Project layout\n" in (project / "README.md").read_text()


def test_a_version_missing_here_comes_from_the_store_the_project_names(
    project: Path, versions: tuple[Path, Path], store: Path, tmp_path: Path
) -> None:
    """Projects of older scaffolds name the store they were generated from (another user's,
    or one that `SCAFFOLD_TEMPLATE_STORE` chose)."""
    theirs = tmp_path / "their-store"
    shutil.copytree(store, theirs)
    git(store, "tag", "--delete", "v1.0.0")
    text = (project / ".copier-answers.yml").read_text()
    (project / ".copier-answers.yml").write_text(text.replace(template_store.SRC_PATH, str(theirs)))
    commit(project, "generated by an older scaffold")

    update_project(project, template=versions[1], version="1.1.0")

    assert template_store.has_version(store, "v1.0.0")
    assert "## Project layout\n" in (project / "README.md").read_text()
    assert answers(project)["_src_path"] == template_store.SRC_PATH


def test_a_failed_update_leaves_the_answers_file_as_committed(
    project: Path, versions: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(project: Path, vcs_ref: str) -> None:
        raise UpdateError("copier failed")

    monkeypatch.setattr(updating, "update_from_template", failing)
    with pytest.raises(UpdateError, match="copier failed"):
        update_project(project, template=versions[1], version="1.1.0")
    assert not git(project, "status", "--porcelain")
    assert not git(project, "ls-files", "-v", ".copier-answers.yml").startswith("h ")


def test_bundle_keeps_the_tags_a_store_has(tmp_path: Path, store: Path) -> None:
    template = tmp_path / "template"
    shutil.copytree(template_dir(), template)
    bundle = released_history(tmp_path, template, "v3.0.0")
    local = template_store.ensure_version(template, "2.0.0", store)
    assert template_store.add_history(store, bundle) == ["v3.0.0"]
    assert template_store.add_history(store, bundle) == []
    # both kept (their order is by creation time, which a slow machine can turn either way)
    assert sorted(template_store.tags(store)) == sorted([local.tag, "v3.0.0"])
    assert git(store, "rev-parse", "v3.0.0^{tree}") == git(store, "rev-parse", "v2.0.0^{tree}")


def test_files_rendered_from_generator_data_are_kept_and_the_loader_is_updated(
    tmp_path: Path, versions: tuple[Path, Path], store: Path
) -> None:
    """settings.py, params.yaml and the reproduction test come from render data scaffold does
    not record: an update renders them with the defaults, so it must leave them alone. The
    settings file lookup (params.py) is the template's and is updated."""
    second = versions[1] / "project"
    for name in ("src/{{ package_name }}/settings.py.jinja", "tests/test_reproduction.py.jinja"):
        path = second / name
        path.write_text(path.read_text() + "# the template's new version\n")
    params = second / "src" / "{{ package_name }}" / "params.py.jinja"
    params.write_text(params.read_text() + "# the template's new lookup\n")
    root = tmp_path / "generated"
    data = {
        "package_name": PACKAGE,
        "setting_groups": [
            {
                "name": "data",
                "class_name": "DataSettings",
                "fields": [
                    {"name": "csv", "type": "Path", "value": "data/x.csv", "path": True,
                     "origin": "cell 1, line 1"},
                ],
            }
        ],
        "notebook_name": "nb.ipynb",
        "printed_metrics": [{"key": "accuracy", "value": "0.9", "decimals": 2}],
        "retrain_tolerance": 0.1,
    }  # fmt: skip
    render_project(root, data, template=store, vcs_ref="v1.0.0")
    owned = ["src/demo_model/settings.py", "config/params.yaml", "tests/test_reproduction.py"]
    before = {name: (root / name).read_text() for name in owned}
    assert "csv: Path" in before["src/demo_model/settings.py"]
    assert "tolerance: 0.1" in before["config/params.yaml"]
    assert '"accuracy": (0.9, 2)' in before["tests/test_reproduction.py"]
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "Generated")

    result = update_project(root, template=versions[1], version="1.1.0")

    assert {name: (root / name).read_text() for name in owned} == before
    assert not set(owned) & set(result.changed)
    assert (root / "src/demo_model/params.py").read_text().endswith("# the template's new lookup\n")
    assert result.conflicts == ()


def test_check_update(project: Path, versions: tuple[Path, Path]) -> None:
    status = check_update(project, template=versions[1], version="1.1.0")
    assert (status.current, status.latest, status.available) == ("v1.0.0", "v1.1.0", True)
    assert not check_update(project, template=versions[0], version="1.0.0").available


def test_cli(project: Path, versions: tuple[Path, Path]) -> None:
    runner = CliRunner()
    options = ["--template", str(versions[1]), "--template-version", "1.1.0"]
    checked = runner.invoke(app, ["update", str(project), "--check", *options])
    assert checked.exit_code == 2
    assert "template update available: v1.0.0 -> v1.1.0" in checked.output

    (project / "README.md").write_text("dirty\n")
    refused = runner.invoke(app, ["update", str(project), *options])
    assert refused.exit_code == 1
    assert refused.output.count("\n") == 1
    assert "has uncommitted changes" in refused.output
    git(project, "checkout", "--", "README.md")

    (project / "README.md").write_text("our own README\n")  # the template changes it too
    commit(project, "our README")
    clashing = runner.invoke(app, ["update", str(project), *options])
    assert clashing.exit_code == 1, clashing.output
    assert "C README.md" in clashing.stdout
    assert "1 file(s) with conflict markers (README.md)" in clashing.stderr
    git(project, "reset", "--quiet", "--hard", "HEAD~1")
    git(project, "clean", "--quiet", "-fd")

    updated = runner.invoke(app, ["update", str(project), *options])
    assert updated.exit_code == 0, updated.output
    assert "from template v1.0.0 to v1.1.0" in updated.output
    assert "M README.md" in updated.output
    commit(project, "update")
    again = runner.invoke(app, ["update", str(project), *options])
    assert again.exit_code == 0
    assert "already up to date (template v1.1.0)" in again.output


def test_store_tags_each_version_once_and_dev_snapshots_apart(tmp_path: Path, store: Path) -> None:
    template = tmp_path / "template"
    shutil.copytree(template_dir(), template)
    first = template_store.ensure_version(template, "2.0.0", store)
    assert first.tag == "v2.0.0"
    assert template_store.ensure_version(template, "2.0.0", store) == first
    (template / "project" / "NOTES.md").write_text("edited without a version bump\n")
    assert template_store.ensure_version(template, "2.0.0", store).tag == "v2.0.0+dev.1"
    assert template_store.tags(store) == ["v2.0.0", "v2.0.0+dev.1"]
    assert not git(store, "status", "--porcelain")


def test_the_default_store_is_under_the_user_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv(template_store.STORE_ENV, raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    store = template_store.default_store()
    assert store == tmp_path / ".local/share/scaffold/templates"
    assert store == Path(template_store.SRC_PATH).expanduser()
    root = tmp_path / "project"
    render_project(root, {"package_name": PACKAGE})
    assert answers(root)["_commit"] == f"v{scaffold.__version__}"
    assert template_store.tags(store) == [f"v{scaffold.__version__}"]


def scaffold_source(destination: Path) -> Path:
    """A git repository holding this scaffold's source (uncommitted changes included)."""
    root = Path(__file__).resolve().parents[1]
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout.split("\0")  # fmt: skip
    for relative in filter(None, listed):
        if (root / relative).is_file():
            (destination / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / relative, destination / relative)
    git(destination, "init", "--quiet", "--initial-branch=main")
    return destination


def release(repository: Path, version: str, wheels: Path) -> Path:
    """Set the version, commit, tag `v<version>` and build the wheel, as a release would."""
    (repository / "scaffold" / "_version.py").write_text(f'__version__ = "{version}"\n')
    git(repository, "add", "--all")
    git(repository, "commit", "--quiet", "-m", f"Release {version}")
    git(repository, "tag", f"v{version}")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(wheels), str(repository)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = wheels.glob(f"scaffold-{version}-*.whl")
    return wheel


@pytest.mark.slow
def test_two_released_wheels_update_a_project_on_a_machine_without_the_old_store(
    tmp_path: Path,
) -> None:
    pytest.importorskip("hatchling")
    repository = scaffold_source(tmp_path / "scaffold")
    first = release(repository, "1.0.0", tmp_path / "wheels")
    readme = repository / "templates" / "project" / "README.md.jinja"
    readme.write_text(readme.read_text() + "\n## Released in 1.1.0\n\nA template change.\n")
    second = release(repository, "1.1.0", tmp_path / "wheels")
    with zipfile.ZipFile(second) as archive:
        assert "scaffold/template_history.bundle" in archive.namelist()

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    home = tmp_path / "home"
    home.mkdir()
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", template_store.STORE_ENV, "XDG_DATA_HOME"}
    }
    environment["HOME"] = str(home)

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, cwd=tmp_path, env=environment, capture_output=True, text=True, check=False
        )

    def install(wheel: Path, version: str) -> None:
        pip = run(str(venv / "bin/python"), "-m", "pip", "install", "-q", "--no-deps",
                  "--no-index", "--force-reinstall", str(wheel))  # fmt: skip
        assert pip.returncode == 0, pip.stderr
        assert run(str(venv / "bin/scaffold"), "--version").stdout == f"scaffold {version}\n"

    install(first, "1.0.0")
    notebook = str(repository / "examples" / "churn.ipynb")
    generated = run(str(venv / "bin/scaffold"), notebook, "-o", "churn", "--no-verify")
    assert generated.returncode == 0, generated.stderr
    project = tmp_path / "churn"
    recorded = (project / ".copier-answers.yml").read_text()
    assert "_commit: v1.0.0\n" in recorded
    assert str(tmp_path) not in recorded
    shutil.rmtree(home / ".local")  # the store is gone: another machine, or a cleaned one

    install(second, "1.1.0")
    updated = run(str(venv / "bin/scaffold"), "update", "churn")

    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert "from template v1.0.0 to v1.1.0" in updated.stdout
    change = "## Released in 1.1.0\n\nA template change.\n"
    assert (project / "README.md").read_text().endswith(change)
    assert "_commit: v1.1.0\n" in (project / ".copier-answers.yml").read_text()
    assert str(tmp_path) not in (project / ".copier-answers.yml").read_text()
