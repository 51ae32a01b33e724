"""The interface of a forecaster served by step after its series."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from scaffold.extract.emit.calls import (
    CHECK_INPUTS,
    PipelineInterface,
    evaluate_def,
    evaluation_body,
    feedback_guard,
    no_evaluation,
    stage_calls,
    train_def,
)
from scaffold.extract.statements import Stmt

if TYPE_CHECKING:
    from scaffold.extract.stage_code import StageCode


def forecast_pipeline(code: StageCode, header: list[Stmt], docstring: str) -> PipelineInterface:
    """A forecaster served by step: row `{"step": k}` is k periods after the training series.

    With held-out periods, training's rows are their steps 1, 2, ... and observed values. A
    forecaster fitted on the whole series has none: its rows are the in-sample steps (0 is the
    last observed period, -1 the one before), checked once the model has seen them.
    """
    assert code.estimator is not None
    forecaster = f"StepForecaster({code.estimator})"
    served = cst.parse_statement(
        f'served_model = Model({forecaster}, None, FeatureState().freeze(), ["step"])'
    )
    if code.forecast_split is not None:
        held_out = code.forecast_split[1]
        rows = [
            cst.parse_statement(
                f'raw_inputs = pd.DataFrame({{"step": np.arange(1, len({held_out}) + 1)}})'
            ),
            cst.parse_statement(f"raw_target = pd.Series(np.ravel({held_out}), name=TARGET)"),
            CHECK_INPUTS,
        ]
        fitting = [*rows, *stage_calls(code, ["train", "evaluate"]), served]
        periods = "the training series (the held-out periods are steps 1, 2, ...)"
    else:
        history = code.forecast_history
        rows = [
            cst.parse_statement(
                'raw_inputs = pd.DataFrame({"step": served_model.estimator.in_sample_steps()})'
            ),
            cst.parse_statement(
                f"raw_target = pd.Series(np.ravel({history})[-len(raw_inputs) :], name=TARGET)"
            ),
            CHECK_INPUTS,
        ]
        fitting = [*stage_calls(code, ["train"]), served, *rows, *stage_calls(code, ["evaluate"])]
        periods = "the series (0 is its last period, -1 the one before)"
    train_body: list[Stmt] = [
        *feedback_guard(code),
        *stage_calls(code, ["load", "prepare", "split"]),
        *fitting,
        *no_evaluation(code),
        cst.parse_statement(
            f"return TrainingRun(served_model, {code.metrics_name}, raw_inputs, raw_target)"
        ),
    ]
    evaluate_body = evaluation_body(code, fitted="served_model.estimator.fitted")
    docstring += (
        '\n\nThe service forecasts by step: the row `{"step": k}` asks for the value k periods\n'
        f"after the end of {periods}."
    )
    scored = (
        "on the held-out periods" if code.forecast_split else "as the notebook did on its series"
    )
    body = [
        *header,
        train_def(train_body, code),
        evaluate_def(evaluate_body, scored),
    ]
    return PipelineInterface(docstring, body)
