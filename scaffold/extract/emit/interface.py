"""The pipeline package's interface, `pipeline/__init__.py`: one emitter per model shape.

Takes the `Analysis` and the laid-out `StageCode`; gives a `PipelineInterface` (its docstring,
body, and additions to other modules), rendered from the shape's template fragment. `train`
and `evaluate` call the stage functions in the notebook's order; `feature_step` is the step the
served model applies to raw rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scaffold.extract.emit.array import array_pipeline
from scaffold.extract.emit.calls import PipelineInterface, header_data, run_only
from scaffold.extract.emit.forecast import forecast_pipeline
from scaffold.extract.emit.formula import formula_pipeline
from scaffold.extract.emit.frame import frame_pipeline

if TYPE_CHECKING:
    from scaffold.analysis import Analysis
    from scaffold.extract.stage_code import StageCode


def interface_module(analysis: Analysis, code: StageCode) -> PipelineInterface:
    """`pipeline/__init__.py` for the stages found, by the shape of the served model."""
    target = code.formula.outcome if code.formula else analysis.target
    header = header_data(code, analysis.task, target)
    stages = " -> ".join(function.stage for function in code.functions)
    docstring = f"The notebook's pipeline: {stages or 'no stage (every cell was exploration)'}."
    if not code.servable:
        return PipelineInterface(docstring, run_only(code, header))
    if analysis.task == "forecasting":
        return forecast_pipeline(code, header, docstring)
    if code.formula is not None:
        return formula_pipeline(code, code.formula, header, docstring)
    if code.frame is not None:
        return frame_pipeline(code, header, docstring, analysis)
    return array_pipeline(code, header, docstring, analysis.task)
