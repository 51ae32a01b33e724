"""The `scaffold` command line: options in, one call of `scaffold.api`, a message out.

Only this module prints. Every `ScaffoldError` becomes one line on stderr and exit code 1.
Each command imports the pipeline when it runs, so `scaffold --help` loads only typer.
"""

from __future__ import annotations

if __name__ == "__main__":  # `python -m scaffold.cli`: started as `python -m scaffold` is
    from scaffold.entry import main as _main

    _main()  # imports this file as `scaffold.cli`, Ctrl-C handled from the first import on
    raise SystemExit(0)

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from scaffold._version import __version__
from scaffold.errors import ScaffoldError


class _NotebookFirstGroup(TyperGroup):
    """`scaffold NOTEBOOK ...` runs `scaffold new NOTEBOOK ...`; named commands work as usual."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["new", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    name="scaffold",
    cls=_NotebookFirstGroup,
    help="Turn a research Jupyter notebook into a production ML project.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # click's plain help: rich's renderer alone costs 0.15 s at start-up
)

NotebookArgument = Annotated[
    Path, typer.Argument(help="The notebook: a .ipynb file or a jupytext percent-format .py.")
]


def _show_version(show: bool) -> None:
    if show:
        typer.echo(f"scaffold {__version__}")
        raise typer.Exit()


@app.callback()
def _group(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Turn a research Jupyter notebook into a production ML project."""


@contextlib.contextmanager
def _progress() -> Iterator[Callable[[str], None]]:
    """Show each step as it starts: a status line on a terminal, plain lines otherwise."""
    if not sys.stderr.isatty():
        yield lambda step: typer.echo(f"scaffold: {step}", err=True)
        return
    from rich.console import Console

    with Console(stderr=True).status("scaffold") as status:
        yield lambda step: status.update(f"scaffold: {step}...")


def _fail(error: ScaffoldError) -> typer.Exit:
    typer.echo(f"scaffold: error: {error}", err=True)
    return typer.Exit(code=1)


@contextlib.contextmanager
def _interruptible(what: Callable[[], str] = str) -> Iterator[None]:
    """Ctrl-C ends in one line and exit code 130 (the shell's code for SIGINT), not a traceback.

    `what` says, when the line is printed, what the interrupted command kept or removed.
    """
    try:
        yield
    except KeyboardInterrupt:
        typer.echo(f"scaffold: interrupted{what()}", err=True)
        raise typer.Exit(code=130) from None


def _kept(steps: list[str]) -> str:
    """What an interrupted `scaffold NOTEBOOK` leaves, from the last step it started.

    The project is written to a staging folder that is removed on any failure and moved into
    place once complete; verifying runs on the project in place.
    """
    if "verify" in steps:
        return "; the project is written but not verified: run its tests (`python -m pytest`)"
    return "; nothing was written (the staging folder was removed)"


@app.command(short_help="Generate a production project from NOTEBOOK (also: `scaffold NOTEBOOK`).")
def new(
    notebook: NotebookArgument,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Where to write the project (default: ./NAME)."),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Project name; the package name derives from it.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing non-empty output folder.")
    ] = False,
    git: Annotated[
        bool, typer.Option("--git/--no-git", help="git init and commit the project.")
    ] = True,
    verify: Annotated[
        bool | None,
        typer.Option(
            "--verify/--no-verify",
            help="Run the project's tests and training and compare with the notebook's numbers "
            "(default: when what the pipeline imports is installed).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Generate a production project from NOTEBOOK (also: `scaffold NOTEBOOK`).

    With verification, the exit code is 0 only when the project's own tests pass and its
    training does not contradict the notebook's numbers; 1 names the first failing test.
    """
    steps: list[str] = []
    try:
        # the imports too: typer would turn a Ctrl-C during them into a silent exit 130
        with _interruptible(lambda: _kept(steps)), _progress() as show:
            from scaffold import api
            from scaffold.report import summary_lines

            def step(name: str) -> None:
                steps.append(name)
                show(name)

            result = api.scaffold_project(
                notebook, output, name=name, force=force, git=git, verify=verify, progress=step
            )
    except ScaffoldError as error:
        raise _fail(error) from None
    for line in summary_lines(result):
        typer.echo(line)
    check = result.verification
    if check is not None:
        typer.echo(f"verify: {check.outcome}: {check.message}")
        if check.outcome in ("mismatch", "failed"):
            raise typer.Exit(code=1)


@app.command(short_help="Show the plan for NOTEBOOK (roles, data flow, settings), writing nothing.")
def inspect(
    notebook: NotebookArgument,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
) -> None:
    """Show the plan for NOTEBOOK (roles, data flow, settings) without writing anything."""
    try:
        with _interruptible():
            from scaffold import api
            from scaffold.report import analysis_as_data, analysis_as_text

            analysis = api.inspect_notebook(notebook)
    except ScaffoldError as error:
        raise _fail(error) from None
    if as_json:
        typer.echo(json.dumps(analysis_as_data(analysis), indent=2, default=str))
    else:
        typer.echo(analysis_as_text(analysis))


@app.command(short_help="Merge the installed template's changes into PROJECT, keeping your edits.")
def update(
    project: Annotated[
        Path, typer.Argument(help="The generated project (default: the current folder).")
    ] = Path(),
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Only say whether a newer template version is installed; exit code 2 if so.",
        ),
    ] = False,
    template: Annotated[
        Path | None,
        typer.Option(help="For template developers: update to this template folder instead."),
    ] = None,
    template_version: Annotated[
        str | None,
        typer.Option(help="For template developers: the version of --template (PEP 440)."),
    ] = None,
) -> None:
    """Merge the installed template's changes into PROJECT, keeping your edits."""
    with _interruptible():
        _update(project, check=check, template=template, version=template_version)


def _update(project: Path, *, check: bool, template: Path | None, version: str | None) -> None:
    from scaffold import update as updating

    try:
        if check:
            status = updating.check_update(project, template=template, version=version)
            if status.available:
                typer.echo(
                    f"template update available: {status.current} -> {status.latest} "
                    f"(run `scaffold update {project}`)"
                )
                raise typer.Exit(code=2)
            typer.echo(f"template up to date ({status.current}; installed {status.latest})")
            return
        result = updating.update_project(project, template=template, version=version)
    except updating.AlreadyUpToDateError as done:
        typer.echo(str(done))
        return
    except ScaffoldError as error:
        raise _fail(error) from None
    typer.echo(f"updated {result.project} from template {result.old} to {result.new}")
    for path in result.changed:
        mark = "C" if path in result.conflicts else "M"
        typer.echo(f"  {mark} {path}")
    for path in result.restored:
        typer.echo(f"  kept {path} (holds code from the notebook)")
    if result.conflicts:
        typer.echo(
            f"scaffold: {len(result.conflicts)} file(s) with conflict markers "
            f"({', '.join(result.conflicts)}): resolve them, then commit",
            err=True,
        )
        raise typer.Exit(code=1)
    typer.echo("review with `git diff`, then commit")


@app.command(
    "lint-templates",
    short_help="Check a copier template (syntax, questions, every option combination, ruff).",
)
def lint_templates(
    template: Annotated[
        Path | None,
        typer.Argument(help="The copier template folder (default: scaffold's own template)."),
    ] = None,
    run_tests: Annotated[
        bool, typer.Option("--run-tests", help="Also run each render's own tests (slow).")
    ] = False,
) -> None:
    """Check a copier template (syntax, questions, every option combination, ruff, updates)."""
    try:
        with _interruptible(), _counter("lint-templates") as progress:
            from scaffold import template_lint

            report = template_lint.lint_template(template, run_tests=run_tests, progress=progress)
    except ScaffoldError as error:
        raise _fail(error) from None
    for problem in report.problems:
        typer.echo(str(problem))
    for note in report.notes:
        typer.echo(f"lint-templates: {note}", err=True)
    summary = (
        f"{report.template}: {len(report.problems)} problem(s) in "
        f"{report.combinations} option combination(s) "
        f"({report.linted} distinct set(s) of Python files for ruff)"
    )
    typer.echo(summary, err=True)
    if report.problems:
        raise typer.Exit(code=1)


@contextlib.contextmanager
def _counter(what: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal; nothing when stderr is piped or a file."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(what, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def main() -> None:
    """Entry point of the `scaffold` console script."""
    try:
        # one program name however it is started (`python -m scaffold` too): the shell
        # completion script and its variable `_SCAFFOLD_COMPLETE` are named after it
        app(prog_name="scaffold")
    except KeyboardInterrupt:  # outside a command (while click parses, say)
        typer.echo("scaffold: interrupted", err=True)
        sys.exit(130)
