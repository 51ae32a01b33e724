"""The interface of a model fitted on a prepared frame: its feature step replays on raw rows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from scaffold.extract.emit.calls import (
    CHECK_INPUTS,
    PipelineInterface,
    evaluate_def,
    evaluation_inputs,
    feedback_guard,
    join_feedback,
    return_call,
    served_model_statement,
    stage_calls,
    train_def,
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
    code: StageCode, header: list[Stmt], docstring: str, analysis: Analysis
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
    prepare_call = _serving_prepare_call(code) + (", state" if learns else "")
    raw_frame, feature_step = fragment(
        "frame_helpers", inputs_call=_after_split(code, prepare_call)
    )
    additions = [raw_frame, model_inputs, feature_step]
    train_body: list[Stmt] = [
        *feedback_guard(code),
        *stage_calls(code, ["load"]),
        *join_feedback(code, f"{frame} = pd.concat([{frame}, extra_rows], ignore_index=True)"),
        cst.parse_statement(f"raw_inputs = {frame}.drop(columns=[TARGET])"),
        cst.parse_statement(f"raw_target = {frame}[TARGET]"),
        CHECK_INPUTS,
        cst.parse_statement("state = FeatureState()"),
        cst.parse_statement(f"{frame} = raw_frame({frame}, state)"),
        *stage_calls(code, ["prepare", "split", "train", "evaluate"]),
        served_model_statement(code),
        cst.parse_statement(
            f"return TrainingRun(served_model, {code.metrics_name}, raw_inputs, raw_target)"
        ),
    ]
    evaluate_body: list[Stmt] = [
        *stage_calls(code, ["load"]),
        cst.parse_statement("state = FeatureState()"),
        cst.parse_statement(f"{frame} = raw_frame({frame}, state)"),
        *stage_calls(
            code, ["prepare", "split", *training_needed(code)], then=evaluation_inputs(code)
        ),
        *return_call(code, "evaluate"),
    ]
    body = [*header, train_def(train_body, code), evaluate_def(evaluate_body)]
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


def _after_split(code: StageCode, prepare_call: str) -> str:
    """`model_inputs(...)`, then each transformer the notebook fitted after the split."""
    call = f"model_inputs({prepare_call})"
    for transformer in code.after_split:
        call = f'state.apply("{transformer}", {call})'
    return call


SERVING_ARGUMENTS = {"state": "state", "settings": "None"}
"""What the feature step passes when serving: the learnt state; settings were recorded in it."""


def _serving_prepare_call(code: StageCode) -> str:
    """`prepare(raw_frame(frame, state), state, None)`, following prepare's parameters."""
    prepare = code.function("prepare")
    if prepare is None:
        return "raw_frame(frame, state)"
    arguments = [
        "raw_frame(frame, state)" if name == code.frame else SERVING_ARGUMENTS[name]
        for name in prepare.signature.parameters
    ]
    return f"{prepare.signature.name}({', '.join(arguments)})"
