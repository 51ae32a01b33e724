"""The interface of a model whose rows arrive as its inputs (arrays, a fit on every row)."""

from __future__ import annotations

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
    served_model_statement,
    stage_calls,
    train_def,
)
from scaffold.extract.emit.fragments import fragment
from scaffold.extract.plan import split_outputs
from scaffold.extract.statements import Stmt

if TYPE_CHECKING:
    from scaffold.extract.stage_code import StageCode


def array_pipeline(
    code: StageCode, header: list[Stmt], docstring: str, task: str
) -> PipelineInterface:
    """`train` joins feedback to the fitted rows; the feature step passes rows on as they are."""
    assert code.estimator is not None
    names = split_outputs(code.statements("split"))
    fit: dict[str, str] = {}  # what the model is fitted on, when that differs from the notebook
    if names:
        x_train, y_train = names[0], names[2]
    else:  # fitted on every row: feedback joins the fit only, the evaluation keeps its rows
        assert code.fitted_on is not None
        assert code.fit_target is not None
        x_train, y_train = code.fitted_on, code.fit_target
        training = code.function("train")
        parameters = training.signature.parameters if training else ()
        if not code.retrain_problem and {x_train, y_train} <= set(parameters):
            fit = {name: f"{name}_with_feedback" for name in (x_train, y_train)}
    x_fit, y_fit = fit.get(x_train, x_train), fit.get(y_train, y_train)
    train_body: list[Stmt] = [
        *feedback_guard(code),
        *stage_calls(code, ["load", "prepare", "split"]),
        *([cst.parse_statement(f"{x_fit}, {y_fit} = {x_train}, {y_train}")] if fit else []),
        *join_feedback(
            code, f"{x_fit}, {y_fit} = with_extra_rows({x_train}, {y_train}, extra_rows)"
        ),
        cst.parse_statement(f"raw_inputs = as_frame({x_fit})"),
        cst.parse_statement(f"raw_target = as_outcomes({y_fit}, raw_inputs.index)"),
        CHECK_INPUTS,
        *stage_calls(code, ["train"], arguments=fit),
        *stage_calls(code, ["evaluate"]),
        *no_evaluation(code),
        cst.parse_statement("state = FeatureState()"),
        cst.parse_statement(
            f'state.statistic("array_input", lambda: not isinstance({x_train}, pd.DataFrame))'
        ),
        served_model_statement(code),
        cst.parse_statement(
            f"return TrainingRun(served_model, {code.metrics_name}, raw_inputs, raw_target)"
        ),
    ]
    evaluate_body = evaluation_body(code)
    # survival outcomes are (event, time) records; a statistical model's may be several columns
    outcomes = {"survival": "survival", "statistical": "records"}.get(task, "plain")
    helpers = fragment("array_helpers", outcomes=outcomes)
    body = [
        *header,
        train_def(train_body, code),
        evaluate_def(evaluate_body, scored_on(code)),
        *helpers,
    ]
    return PipelineInterface(docstring, body)
