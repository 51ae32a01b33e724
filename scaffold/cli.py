"""The `scaffold` command line: options in, one call of `scaffold.api`, a message out.

Only this module prints. Every `ScaffoldError` becomes one line on stderr and exit code 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from scaffold import api
from scaffold.errors import ScaffoldError
from scaffold.report import analysis_as_data, analysis_as_text, summary_lines


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
    add_completion=False,
    pretty_exceptions_enable=False,
)

NotebookArgument = Annotated[
    Path, typer.Argument(help="The notebook: a .ipynb file or a jupytext percent-format .py.")
]


@app.callback()
def _group() -> None:
    """Turn a research Jupyter notebook into a production ML project."""


def _fail(error: ScaffoldError) -> typer.Exit:
    typer.echo(f"scaffold: error: {error}", err=True)
    return typer.Exit(code=1)


@app.command()
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
    """Generate a production project from NOTEBOOK (also: `scaffold NOTEBOOK`)."""
    try:
        result = api.scaffold_project(
            notebook, output, name=name, force=force, git=git, verify=verify
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


@app.command()
def inspect(
    notebook: NotebookArgument,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
) -> None:
    """Show the plan for NOTEBOOK (roles, data flow, settings) without writing anything."""
    try:
        analysis = api.inspect_notebook(notebook)
    except ScaffoldError as error:
        raise _fail(error) from None
    if as_json:
        typer.echo(json.dumps(analysis_as_data(analysis), indent=2, default=str))
    else:
        typer.echo(analysis_as_text(analysis))


def main() -> None:
    """Entry point of the `scaffold` console script."""
    app()
