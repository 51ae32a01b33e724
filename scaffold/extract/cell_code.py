"""A pipeline cell's statements with the settings in place, ready to be routed to stages.

Lifted literals and constants read `settings`; in-place pandas calls become assignments. Takes
the `Analysis` and the pipeline cells; gives `PipelineCells`, which the plan of a smaller
pipeline of the same notebook (one model of several) reuses where its constants are the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from types import MappingProxyType

from scaffold.analysis import Analysis, Finding, parse_cell
from scaffold.extract.rewrites.inplace import inplace_to_assignment, is_chained_inplace
from scaffold.extract.rewrites.settings_literals import replace_literals
from scaffold.extract.rewrites.settings_names import replace_names
from scaffold.extract.statements import Statement, split_statements


def _pandas_version() -> str:
    try:
        return metadata.version("pandas")
    except metadata.PackageNotFoundError:
        return "0"


PANDAS_VERSION = _pandas_version()


COPY_ON_WRITE = int(PANDAS_VERSION.split(".")[0]) >= 3
"""Whether the pandas the notebook ran with here copies on write (pandas 3 and later)."""


@dataclass(frozen=True)
class PipelineCells:
    """The statements of each pipeline cell, settings in place.

    Attributes:
        constants: constant name -> settings key, for the pipeline these cells were made for.
        statements: cell -> its statements (code cells only).
        warnings: cell -> what the user should look at in it (a change pandas ignores).
    """

    constants: Mapping[str, str]
    statements: Mapping[int, tuple[Statement, ...]]
    warnings: Mapping[int, tuple[Finding, ...]]


def pipeline_cells(
    analysis: Analysis, pipeline: Sequence[int], known: PipelineCells | None = None
) -> PipelineCells:
    """The statements of the pipeline's code cells; those of `known` when its constants agree.

    A cell's statements depend on the cell and on which names are constants: a pipeline made
    of some of `known`'s cells gets the same statements unless leaving cells out makes a name
    bound once (a constant) that was bound twice.
    """
    constants = setting_constants(analysis, pipeline)
    statements: dict[int, tuple[Statement, ...]] = {}
    warnings: dict[int, tuple[Finding, ...]] = {}
    reuse = known is not None and dict(known.constants) == constants
    for number in pipeline:
        if analysis.cell(number).cell.kind != "code" or analysis.cell(number).symbols is None:
            continue
        if reuse and known is not None and number in known.statements:
            statements[number], warnings[number] = known.statements[number], known.warnings[number]
            continue
        found: list[Finding] = []
        statements[number] = tuple(cell_statements(analysis, number, constants, found))
        warnings[number] = tuple(found)
    return PipelineCells(
        MappingProxyType(constants), MappingProxyType(statements), MappingProxyType(warnings)
    )


def cell_statements(
    analysis: Analysis, number: int, constants: dict[str, str], warnings: list[Finding]
) -> list[Statement]:
    """The statements of cell `number`, settings in place; what pandas ignores is left out."""
    cell = analysis.cell(number).cell
    keys_at = {
        (setting.line, setting.column): setting.key
        for setting in analysis.settings
        if setting.cell == number and setting.group != "params"
    }
    module = replace_literals(parse_cell(cell), keys_at)
    statements = []
    for statement in split_statements(number, module, dict(analysis.cell(number).statements)):
        if _binds_constant(statement, constants):
            continue  # the constant is a setting now
        if COPY_ON_WRITE and is_chained_inplace(statement.node):
            warnings.append(
                Finding(
                    f"{statement.code.strip()!r} changes nothing with pandas "
                    f"{PANDAS_VERSION} (copy-on-write), so the pipeline leaves it out as the "
                    "notebook's run did; assign the result to the column if the change was meant",
                    cell=number,
                    line=statement.line,
                )
            )
            continue
        if statement.kind in ("def", "class"):
            statements.append(statement)  # a function's names are its own; it is checked as is
            continue
        node = replace_names(statement.node, constants)
        node = inplace_to_assignment(node)
        statements.append(statement.replaced(node) if node is not statement.node else statement)
    return statements


def setting_constants(analysis: Analysis, pipeline: Sequence[int]) -> dict[str, str]:
    """Constant name -> settings key, for names bound once in the pipeline and never changed."""
    bindings: dict[str, int] = {}
    changed: set[str] = set()
    for number in pipeline:
        symbols = analysis.cell(number).symbols
        if symbols is not None:
            for name in symbols.defines:
                bindings[name] = bindings.get(name, 0) + 1
            changed |= symbols.mutated_names
    constants = {}
    for setting in analysis.settings:
        name = setting.context.split(" ", 1)[0]
        if setting.group == "params" and bindings.get(name) == 1 and name not in changed:
            constants[name] = setting.key
    return constants


def _binds_constant(statement: Statement, constants: dict[str, str]) -> bool:
    """`SEED = 42` whose value now lives in the settings."""
    symbols = statement.symbols
    return (
        statement.kind == "literal"
        and bool(symbols.defines)
        and symbols.defines <= constants.keys()
        and not symbols.mutates
    )
