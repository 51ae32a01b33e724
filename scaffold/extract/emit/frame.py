"""The interface of a model fitted on a prepared frame: its feature step replays on raw rows."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from scaffold.extract.emit.calls import (
    HELD_OUT,
    PipelineInterface,
    evaluation_call,
    evaluation_inputs,
    interface_statements,
    shape_data,
    stage_calls,
    training_needed,
)
from scaffold.extract.emit.fragments import fragment
from scaffold.extract.emit.model_inputs import split_with_model_inputs
from scaffold.extract.functions import Signature, function_def
from scaffold.extract.rewrites.pass_state import pass_state
from scaffold.extract.rewrites.settings_inlined import with_setting_values
from scaffold.extract.rewrites.statistics import learn_statistics
from scaffold.extract.rewrites.transformers import fit_transformers_once
from scaffold.extract.statements import Statement, Stmt

if TYPE_CHECKING:
    from scaffold.analysis import Analysis
    from scaffold.extract.stage_code import StageCode


def frame_pipeline(
    code: StageCode, header: Mapping[str, object], docstring: str, analysis: Analysis
) -> PipelineInterface:
    """`train` learns the feature state; `feature_step` replays prepare and `model_inputs`."""
    frame = code.frame
    assert frame is not None
    assert code.estimator is not None
    split = code.function("split")
    assert split is not None
    inputs_statements, split_node = split_with_model_inputs(code, split.node)
    inputs_nodes, learns = _learnt_in_inputs(inputs_statements, code)
    signature = split.signature
    if learns:  # the inputs fit a scaler or take a statistic: through the feature state
        split_node = pass_state(split_node)
        if "state" not in signature.parameters:
            parameters = (*signature.parameters, "state")
            signature = Signature(signature.name, parameters, signature.returns)
    functions = list(code.functions)  # the stages as emitted: the split calls model_inputs
    functions[functions.index(split)] = type(split)(
        split.stage, split.module, signature, split_node
    )
    code = replace(code, functions=tuple(functions))
    values = {setting.key: setting.value for setting in analysis.settings}
    model_inputs = function_def(
        Signature(
            "model_inputs", (frame, *(("state",) if learns else ())), (code.features or "X",)
        ),
        [with_setting_values(node, values) for node in inputs_nodes],
        docstring="The model's input columns, from the prepared frame.",
    )
    prepare = code.function("prepare")
    raw_frame, feature_step = fragment(
        "frame_helpers",
        prepare=prepare.signature.name if prepare else "",
        prepare_arguments=[
            "frame" if name == code.frame else name
            for name in (prepare.signature.parameters if prepare else ())
        ],
        learns=learns,
        after_split=list(code.after_split),
    )
    body = interface_statements(
        "frame_interface",
        **header,
        **shape_data(code),
        frame=frame,
        load=stage_calls(code, ["load"]),
        fitting=stage_calls(code, ["prepare", "split", "train", "evaluate"]),
        evaluation_calls=stage_calls(
            code, ["prepare", "split", *training_needed(code)], then=evaluation_inputs(code)
        ),
        evaluation=evaluation_call(code),
        scored=HELD_OUT,
    )
    additions = [raw_frame, model_inputs, feature_step]
    return PipelineInterface(docstring, body, {"features": additions}, functions=functions)


def _learnt_in_inputs(statements: Sequence[Statement], code: StageCode) -> tuple[list[Stmt], bool]:
    """The statements making the model's inputs, with what they learn from data recorded."""
    taken = {"raw_columns"} | {
        key for function in code.functions for key in STATE_KEY.findall(_code(function.node))
    }
    nodes, learns = [], False
    for statement in statements:
        node = fit_transformers_once(statement.node, taken)
        node, _ = learn_statistics(node, code.module_names, taken)
        learns = learns or node is not statement.node
        nodes.append(node)
    return nodes, learns


STATE_KEY = re.compile(r"""state\.\w+\(\s*["']([^"']+)["']""")
"""The names recorded in the feature state by generated code (`state.statistic("age_mean", ...`)."""


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)
