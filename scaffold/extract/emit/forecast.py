"""The interface of a forecaster served by step after its series."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from scaffold.extract.emit.calls import (
    PipelineInterface,
    evaluation_data,
    interface_statements,
    shape_data,
    stage_calls,
)

if TYPE_CHECKING:
    from scaffold.extract.stage_code import StageCode


def forecast_pipeline(
    code: StageCode, header: Mapping[str, object], docstring: str
) -> PipelineInterface:
    """A forecaster served by step: row `{"step": k}` is k periods after the training series.

    With held-out periods, training's rows are their steps 1, 2, ... and observed values. A
    forecaster fitted on the whole series has none: its rows are the in-sample steps (0 is the
    last observed period, -1 the one before), checked once the model has seen them.
    """
    assert code.estimator is not None
    held_out = code.forecast_split[1] if code.forecast_split is not None else None
    body = interface_statements(
        "forecast_interface",
        **header,
        **shape_data(code),
        **evaluation_data(code, fitted="served_model.estimator.fitted"),
        prepared=stage_calls(code, ["load", "prepare", "split"]),
        training=stage_calls(code, ["train"]),
        evaluating=stage_calls(code, ["evaluate"]),
        held_out=held_out,
        history=code.forecast_history,
        scored="on the held-out periods" if held_out else "as the notebook did on its series",
    )
    if held_out:
        periods = "the training series (the held-out periods are steps 1, 2, ...)"
    else:
        periods = "the series (0 is its last period, -1 the one before)"
    docstring += (
        '\n\nThe service forecasts by step: the row `{"step": k}` asks for the value k periods\n'
        f"after the end of {periods}."
    )
    return PipelineInterface(docstring, body)
