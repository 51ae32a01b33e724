"""Emit one function per stage from its rewritten statements: parameters, returns, docstring."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

from scaffold.analysis import Analysis
from scaffold.extract.functions import (
    Signature,
    free_reads,
    function_def,
    in_order_of_appearance,
    modules_per_stage,
    produced,
)
from scaffold.extract.plan import (
    STAGES,
)
from scaffold.extract.rewrites.unused_locals import without_unused_locals
from scaffold.extract.stage_code import (
    StageCode,
    StageFunction,
)
from scaffold.extract.statements import Statement
from scaffold.notebook import Role

STAGE_FUNCTIONS = {
    "load": ("data", "load_data", "Load the raw data."),
    "prepare": ("features", "prepare", "Clean the data and compute the features."),
    "split": ("data", "split_data", "Split the rows into training and test sets."),
    "train": ("model", "train_model", "Fit the model."),
    "evaluate": ("evaluation", "evaluate_model", "Score the model on the held-out rows."),
}


SPECIAL_NAMES = ("state", "settings")


def make_functions(
    analysis: Analysis, stages: Mapping[str, Sequence[Statement]], code: StageCode
) -> tuple[StageFunction, ...]:
    """One function per non-empty stage: what later stages read is returned."""
    functions: list[StageFunction] = []
    later_reads: set[str] = set()
    reads_after: dict[str, set[str]] = {}
    per_stage = modules_per_stage([stages[name] for name in STAGES], code.module_names)
    modules = dict(zip(STAGES, per_stage, strict=True))
    for name in reversed(STAGES):
        reads_after[name] = set(later_reads)
        later_reads |= set(free_reads(stages[name], modules[name]))
    for name in STAGES:
        statements = stages[name]
        if not statements:
            continue
        module, function, summary = STAGE_FUNCTIONS[name]
        parameters = _ordered(free_reads(statements, modules[name]))
        if name == "evaluate":
            returns: tuple[str, ...] = (code.metrics_name,)
        else:
            wanted = reads_after[name] | ({code.estimator} if name == "train" else set())
            # `np.sort(x)` does not make `np`; `svm = svm.SVC()` makes `svm`
            made = produced(statements) - (modules[name] - _defined(statements))
            returns = tuple(_in_binding_order(made & wanted, statements))
        signature = Signature(function, tuple(parameters), returns)
        docstring = _docstring(analysis, statements, summary)
        node = function_def(signature, [s.node for s in statements], docstring=docstring)
        functions.append(StageFunction(name, module, signature, without_unused_locals(node)))
    return tuple(functions)


def _defined(statements: Sequence[Statement]) -> set[str]:
    return {name for statement in statements for name in statement.symbols.defines}


def _ordered(parameters: list[str]) -> list[str]:
    """Data first, then `state` and `settings`."""
    special = [name for name in SPECIAL_NAMES if name in parameters]
    return [name for name in parameters if name not in SPECIAL_NAMES] + special


def _in_binding_order(names: set[str], statements: Sequence[Statement]) -> list[str]:
    """`names` in the order the statements first bind them (left to right within one)."""
    ordered: list[str] = []
    for statement in statements:
        bound = (statement.symbols.defines | statement.symbols.mutated_names) & names
        ordered += [n for n in in_order_of_appearance(bound, statement.code) if n not in ordered]
    return ordered


def _docstring(analysis: Analysis, statements: Sequence[Statement], summary: str) -> str:
    """The stage's summary, the notebook's words above its first cell, and where it came from."""
    cells = sorted({s.cell for s in statements if s.cell})
    headings: list[str] = []
    for number in cells:
        heading = _heading_above(analysis, number)
        if heading and heading not in headings:
            headings.append(heading)
    where = ", ".join(str(number) for number in cells)
    text = summary
    words = _text_above(analysis, cells[0]) if cells else ""
    if words:
        text += "\n\n" + words
    if headings:
        text += "\n\nNotebook sections: " + "; ".join(headings) + f" (cells {where})."
    elif cells:
        text += f"\n\nFrom notebook cells {where}."
    return text


def _markdown_above(analysis: Analysis, number: int) -> list[str]:
    """The markdown cells between cell `number` and the pipeline code before it, nearest last."""
    found: list[str] = []
    for cell in reversed(analysis.cells[: number - 1]):
        if cell.cell.kind == "markdown":
            found.insert(0, cell.cell.source)
        elif cell.role not in (Role.EXPLORE, Role.SKIP):
            break
    return found


def _heading_above(analysis: Analysis, number: int) -> str | None:
    for source in reversed(_markdown_above(analysis, number)):
        for line in source.split("\n"):
            if line.lstrip().startswith("#"):
                return line.lstrip("# ").strip()
    return None


def _text_above(analysis: Analysis, number: int, limit: int = 300) -> str:
    """The first paragraph of prose right above the cell (not a heading), shortened."""
    for source in reversed(_markdown_above(analysis, number)):
        paragraphs = [p.strip() for p in source.split("\n\n")]
        prose = [p for p in paragraphs if p and not p.startswith(("#", "```", "|", "<", "!["))]
        if prose:
            text = " ".join(prose[0].split())
            return textwrap.fill(textwrap.shorten(text, limit, placeholder=" ..."), width=88)
    return ""
