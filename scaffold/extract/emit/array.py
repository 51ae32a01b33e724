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
from scaffold.extract.plan import split_outputs
from scaffold.extract.statements import Stmt

if TYPE_CHECKING:
    from scaffold.extract.stage_code import StageCode

ARRAY_HELPERS = '''
def feature_step(frame, state):
    """Rows arrive as the model's inputs; a model fitted on an array gets an array."""
    return frame.to_numpy() if state.statistic("array_input", lambda: False) else frame


def as_frame(rows):
    """The model's inputs as a table with column names (`x0`, `x1`, ... for an array)."""
    if isinstance(rows, pd.DataFrame):
        return rows
    table = np.asarray(rows)
    return pd.DataFrame(table.reshape(len(table), -1)).add_prefix("x")


def with_extra_rows(X, y, extra_rows):
    """`X`, `y` with the rows that came back from feedback appended."""
    extra_inputs = extra_rows.drop(columns=[TARGET])
    if isinstance(X, pd.DataFrame):
        X = pd.concat([X, extra_inputs[X.columns]], ignore_index=True)
    else:
        X = np.vstack([np.asarray(X), extra_inputs.to_numpy()])
    return X, JOIN_OUTCOMES
'''


OUTCOMES = {
    "records": '''
def as_outcomes(y, index):
    """The outcomes beside the inputs; an outcome of several columns is one record per row."""
    if isinstance(y, pd.DataFrame):
        return pd.Series(y.to_dict(orient="records"), index=index, name=TARGET)
    return pd.Series(np.asarray(y), index=index, name=TARGET)


def join_outcomes(y, outcomes):
    """`y` with the feedback outcomes appended; records go back into `y`'s columns."""
    if isinstance(y, pd.DataFrame):
        joined = pd.DataFrame(list(outcomes), columns=y.columns)
        return pd.concat([y, joined], ignore_index=True)
    return np.concatenate([np.asarray(y), outcomes.to_numpy()])
''',
    "plain": '''
def as_outcomes(y, index):
    """The outcomes as a column beside the inputs (a one-column table is that column)."""
    values = np.asarray(y)
    return pd.Series(values.ravel() if values.ndim == 2 else values, index=index, name=TARGET)
''',
    "survival": '''
def as_outcomes(y, index):
    """Survival outcomes (event indicator, time) as one record per row, as feedback sends them."""
    records = np.asarray(y)
    fields = records.dtype.names
    rows = [dict(zip(fields, row.tolist(), strict=True)) for row in records]
    return pd.Series(rows, index=index, name=TARGET)


def join_outcomes(y, outcomes):
    """`y` with the feedback records appended, as the structured array the model is fitted on."""
    y = np.asarray(y)
    rows = [tuple(record[name] for name in y.dtype.names) for record in outcomes]
    return np.concatenate([y, np.array(rows, dtype=y.dtype)])
''',
}


JOIN_OUTCOMES = {
    "records": "join_outcomes(y, extra_rows[TARGET])",
    "plain": (
        "np.concatenate([np.asarray(y).reshape(len(y), -1)[:, 0], extra_rows[TARGET].to_numpy()])"
    ),
    "survival": "join_outcomes(y, extra_rows[TARGET])",
}
"""How feedback outcomes join the notebook's `y`: survival outcomes are (event, time) records,
a statistical model's outcome may be several columns (successes, failures)."""


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
    outcomes = {"survival": "survival", "statistical": "records"}.get(task, "plain")
    helpers_code = ARRAY_HELPERS.replace("JOIN_OUTCOMES", JOIN_OUTCOMES[outcomes])
    helpers = list(cst.parse_module(helpers_code + OUTCOMES[outcomes]).body)
    body = [
        *header,
        train_def(train_body, code),
        evaluate_def(evaluate_body, scored_on(code)),
        *helpers,
    ]
    return PipelineInterface(docstring, body)
