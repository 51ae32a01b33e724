"""The interface of a formula model served on the columns its formula names."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING

from scaffold.extract.emit.calls import (
    PipelineInterface,
    evaluation_data,
    interface_statements,
    scored_on,
    shape_data,
    stage_calls,
)
from scaffold.extract.formulas import FormulaFit

if TYPE_CHECKING:
    from scaffold.extract.stage_code import StageCode


def formula_pipeline(
    code: StageCode, formula: FormulaFit, header: Mapping[str, object], docstring: str
) -> PipelineInterface:
    """A formula model served on the columns its formula names; its results build the rows."""
    shared = code.table_shared()  # other steps read the table: feedback rows carry every column
    body = interface_statements(
        "formula_interface",
        **header,
        **shape_data(code),
        **evaluation_data(code),
        prepared=stage_calls(code, ["load", "prepare", "split"]),
        fitting=stage_calls(code, ["train", "evaluate"]),
        table=formula.data,
        shared=shared,
        inputs=list(formula.inputs),
        scored=scored_on(code),
    )
    served = (
        "the table's columns (the notebook's other steps read them too)"
        if shared
        else "the columns it names"
    )
    words = (
        f"The model is fitted through the formula {formula.formula!r}; the service takes "
        f"{served}, and the fitted results build the model's rows."
    )
    docstring += "\n\n" + textwrap.fill(words, width=96, break_long_words=False)
    return PipelineInterface(docstring, body)
