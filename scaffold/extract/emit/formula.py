"""The interface of a formula model served on the columns its formula names."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import libcst as cst

from scaffold.extract.emit.calls import (
    CHECK_INPUTS,
    PipelineInterface,
    evaluate_def,
    evaluation_body,
    feedback_guard,
    join_feedback,
    no_evaluation,
    scored_on,
    stage_calls,
    train_def,
)
from scaffold.extract.formulas import FormulaFit
from scaffold.extract.statements import Stmt

if TYPE_CHECKING:
    from scaffold.extract.stage_code import StageCode


def formula_pipeline(
    code: StageCode, formula: FormulaFit, header: list[Stmt], docstring: str
) -> PipelineInterface:
    """A formula model served on the columns its formula names; its results build the rows."""
    table = formula.data
    if code.table_shared():  # other steps read the table: feedback rows carry every column
        inputs = f"[column for column in {table}.columns if column != TARGET]"
        served = "the table's columns (the notebook's other steps read them too)"
    else:
        inputs = "[" + ", ".join(f'"{name}"' for name in formula.inputs) + "]"
        served = "the columns it names"
    train_body: list[Stmt] = [
        *feedback_guard(code),
        *stage_calls(code, ["load", "prepare", "split"]),
        *join_feedback(code, f"{table} = pd.concat([{table}, extra_rows], ignore_index=True)"),
        cst.parse_statement(f"raw_inputs = {table}[{inputs}]"),
        cst.parse_statement(f"raw_target = {table}[TARGET]"),
        CHECK_INPUTS,
        *stage_calls(code, ["train", "evaluate"]),
        *no_evaluation(code),
        cst.parse_statement(
            f"served_model = Model({code.estimator}, None, FeatureState().freeze(), "
            "list(raw_inputs.columns))"
        ),
        cst.parse_statement(
            f"return TrainingRun(served_model, {code.metrics_name}, raw_inputs, raw_target)"
        ),
    ]
    evaluate_body = evaluation_body(code)
    words = (
        f"The model is fitted through the formula {formula.formula!r}; the service takes "
        f"{served}, and the fitted results build the model's rows."
    )
    docstring += "\n\n" + textwrap.fill(words, width=96, break_long_words=False)
    body = [
        *header,
        train_def(train_body, code),
        evaluate_def(evaluate_body, scored_on(code)),
    ]
    return PipelineInterface(docstring, body)
