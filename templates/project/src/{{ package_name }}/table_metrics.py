"""Flat metrics from the tables a notebook showed: a model's results summary, a frame of scores.

A statistician reads a fitted statistical model through its summary table: coefficients,
standard errors, test statistics and fit statistics. `results_metrics` turns a statsmodels
(or linearmodels) results object into the same numbers with stable names (`params.<term>`,
`bse.<term>`, `rsquared`, `llf`, ...), so the reproduction test can compare them with the
table the notebook showed. `frame_metrics` does the same for a table of scores (a pandas
DataFrame or Series): one metric per row and column.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

TERM_COLUMNS: dict[str, tuple[str, ...]] = {
    "params": ("params", "effect"),
    "bse": ("bse", "std_errors", "sd"),
    "tvalues": ("tvalues", "tstats", "tvalue"),
    "pvalues": ("pvalues", "pvalue"),
}
"""Metric name -> the attributes holding one value per term (statsmodels, linearmodels,
statsmodels' contrast and treatment-effect results)."""


def _attribute(name: str) -> Callable[[Any], Any]:
    return lambda results: getattr(results, name)


def _f_statistic(part: str) -> Callable[[Any], Any]:
    """linearmodels keeps the F test as an object (`f_statistic.stat`, `.pval`)."""
    return lambda results: getattr(results.f_statistic, part)


STATISTICS: dict[str, tuple[Callable[[Any], Any], ...]] = {
    "rsquared": (_attribute("rsquared"),),
    "rsquared_adj": (_attribute("rsquared_adj"),),
    "fvalue": (_attribute("fvalue"), _f_statistic("stat")),
    "f_pvalue": (_attribute("f_pvalue"), _f_statistic("pval")),
    "llf": (_attribute("llf"),),
    "llnull": (_attribute("llnull"),),
    "llr_pvalue": (_attribute("llr_pvalue"),),
    "aic": (_attribute("aic"),),
    "bic": (_attribute("bic"),),
    "prsquared": (_attribute("prsquared"),),
    "pseudo_rsquared_cs": (lambda results: results.pseudo_rsquared(kind="cs"),),
    "deviance": (_attribute("deviance"),),
    "pearson_chi2": (_attribute("pearson_chi2"),),
    "scale": (_attribute("scale"),),
    "nobs": (_attribute("nobs"),),
    "df_resid": (_attribute("df_resid"),),
    "df_model": (_attribute("df_model"),),
    "bandwidth": (_attribute("bandwidth"),),
    "sparsity": (_attribute("sparsity"),),
}
"""Metric name -> how to get it from a results object (the first way that works)."""


def describes_the_fit(metric: str) -> bool:
    """Whether `metric` is a number of a results summary: a coefficient of a term
    (`params.x1`, `glm.bse.x1`) or a fit statistic (`aic`, `glm.llf`).

    Those describe the model fitted on its own rows, not its quality on held-out rows: a model
    retrained on more rows has other coefficients and a higher AIC by design, so the
    retraining gate does not judge by them.
    """
    parts = metric.split(".")
    if any(part in TERM_COLUMNS for part in parts[:-1]):
        return True
    return parts[-1] in STATISTICS and all(part.isidentifier() for part in parts)


def results_metrics(results: Any, prefix: str = "") -> dict[str, float]:
    """The numbers of a results object's summary as flat metrics (`params.x1`, `rsquared`).

    Statistics a model does not have (an R-squared of a GLM) are left out, and so are values
    that are not finite numbers.
    """
    terms = _terms(results)
    metrics: dict[str, float] = {}
    for name, attributes in TERM_COLUMNS.items():
        values = _first(results, [_attribute(attribute) for attribute in attributes])
        if values is None or terms is None:
            continue
        array = np.asarray(values, dtype=float)
        if array.ndim != 1 or len(array) != len(terms):
            continue  # one value per term only (a multinomial model's params are a table)
        for term, value in zip(terms, array, strict=True):
            _put(metrics, f"{prefix}{name}.{term}", value)
    for name, ways in STATISTICS.items():
        _put(metrics, f"{prefix}{name}", _first(results, list(ways)))
    return metrics


def frame_metrics(table: Any, prefix: str) -> dict[str, float]:
    """A DataFrame's numbers as `prefix.row.column`, a Series' as `prefix.row`."""
    metrics: dict[str, float] = {}
    if isinstance(table, pd.Series):
        for row, value in table.items():
            _put(metrics, f"{prefix}.{row}", value)
    elif isinstance(table, pd.DataFrame):
        for row, values in table.iterrows():
            for column, value in values.items():
                _put(metrics, f"{prefix}.{row}.{column}", value)
    return metrics


def _terms(results: Any) -> list[str] | None:
    """The names of the terms, as the summary shows them."""
    params = _first(results, [_attribute("params")])
    if isinstance(params, pd.Series):
        return [str(term) for term in params.index]
    names = _first(
        results,
        [lambda r: r.model.exog_names, lambda r: r.c_names, lambda r: r.model.data.xnames],
    )
    return [str(name) for name in names] if names is not None else None


def _first(results: Any, ways: list[Callable[[Any], Any]]) -> Any:
    """The first value one of `ways` gets from `results`, or None.

    statsmodels computes many statistics lazily and raises when a model does not define one
    (an R-squared of a GLM): such a statistic is not shown in its summary either.
    """
    for way in ways:
        try:
            value = way(results)
        except Exception:  # any model's missing statistic raises its own kind
            continue
        if value is not None:
            return value
    return None


def _put(metrics: dict[str, float], name: str, value: Any) -> None:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = float(value)
        if math.isfinite(number):
            metrics[name] = number
