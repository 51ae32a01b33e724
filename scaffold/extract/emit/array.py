"""The interface of a model whose rows arrive as its inputs (arrays, a fit on every row)."""

from __future__ import annotations

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
from scaffold.extract.emit.fragments import fragment
from scaffold.extract.plan import split_outputs

if TYPE_CHECKING:
    from scaffold.extract.stage_code import StageCode


def array_pipeline(
    code: StageCode, header: Mapping[str, object], docstring: str, task: str
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
    body = interface_statements(
        "array_interface",
        **header,
        **shape_data(code),
        **evaluation_data(code),
        prepared=stage_calls(code, ["load", "prepare", "split"]),
        fitting=[
            *stage_calls(code, ["train"], arguments=fit),
            *stage_calls(code, ["evaluate"]),
        ],
        x_train=x_train,
        y_train=y_train,
        x_fit=fit.get(x_train, x_train),
        y_fit=fit.get(y_train, y_train),
        scored=scored_on(code),
    )
    # survival outcomes are (event, time) records; a statistical model's may be several columns
    outcomes = {"survival": "survival", "statistical": "records"}.get(task, "plain")
    return PipelineInterface(docstring, [*body, *fragment("array_helpers", outcomes=outcomes)])
