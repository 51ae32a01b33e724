"""Build, execute and write ``churn.ipynb``, the example research notebook.

The cells are kept here as plain strings so the notebook can be regenerated and
reviewed as a diff. The notebook is executed with nbclient so the stored file
carries real outputs, then volatile metadata is stripped before writing.

Usage:
    python examples/make_data.py && python examples/build_notebook.py
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "churn.ipynb"
DATA = HERE / "customer_churn.csv"

# Each entry is (cell type, source). Sources are what a data scientist would type.
CELLS: list[tuple[str, str]] = [
    (
        "markdown",
        """# Customer churn: who is about to leave?

Exploration of last quarter's CRM export. One row per customer, with how long they have been
with us, what they pay, their contract and payment method, and whether they churned (`churn`).
The aim is a first model that ranks customers by churn risk for the retention team.""",
    ),
    ("markdown", "## Setup"),
    ("code", "!pip install pandas scikit-learn matplotlib"),
    (
        "code",
        """%matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import (
    ConfusionMatrixDisplay,
    accuracy_score,
    classification_report,
    f1_score,
    roc_auc_score,
)
from sklearn.model_selection import train_test_split

plt.rcParams["figure.figsize"] = (5, 3)
plt.rcParams["figure.dpi"] = 60""",
    ),
    ("markdown", "## Load the data"),
    ("code", 'df = pd.read_csv("customer_churn.csv")\ndf.head()'),
    ("code", "df.describe()"),
    ("code", "df.info()"),
    ("code", 'df["churn"].value_counts()'),
    (
        "markdown",
        "Month-to-month customers look much more likely to leave than those on a contract:",
    ),
    ("code", 'df.groupby("contract")["churn"].mean().sort_values(ascending=False)'),
    (
        "code",
        """df["tenure_months"].hist(bins=24)
plt.xlabel("tenure (months)")
plt.ylabel("customers")
plt.title("Tenure distribution")
plt.show()""",
    ),
    ("code", "df.isna().sum()"),
    ("markdown", "## Clean"),
    (
        "markdown",
        "A few customers have no `total_charges` or `tenure_months` in the export. "
        "Fill them with the median / mean rather than dropping the rows; "
        "`customer_id` is just a key, so it goes.",
    ),
    (
        "code",
        """df["total_charges"] = df["total_charges"].fillna(df["total_charges"].median())
df["tenure_months"] = df["tenure_months"].fillna(df["tenure_months"].mean())""",
    ),
    ("code", 'df.drop(columns=["customer_id"], inplace=True)'),
    ("code", "df.isna().sum().sum()"),
    ("markdown", "## Features"),
    (
        "code",
        '''def add_features(frame):
    """Add ratio features derived from billing and support history."""
    frame = frame.copy()
    frame["charges_per_month"] = frame["total_charges"] / (frame["tenure_months"] + 1)
    frame["calls_per_year"] = frame["support_calls"] / (frame["tenure_months"] / 12 + 1)
    return frame''',
    ),
    ("code", "df = add_features(df)"),
    (
        "code",
        """df = pd.get_dummies(df, columns=["contract", "payment_method"], drop_first=True)
df.head()""",
    ),
    ("markdown", "## Train"),
    (
        "code",
        """X = df.drop(columns=["churn"])
y = df["churn"]
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.2, random_state=42, stratify=y
)
print(X_train.shape, X_test.shape)""",
    ),
    (
        "code",
        """model = RandomForestClassifier(n_estimators=200, max_depth=6, random_state=42)
model.fit(X_train, y_train)""",
    ),
    ("markdown", "## Evaluate"),
    (
        "code",
        """y_pred = model.predict(X_test)
y_proba = model.predict_proba(X_test)[:, 1]

print(f"Baseline (nobody churns): {np.mean(y_test == 0):.4f}")
print(f"Accuracy: {accuracy_score(y_test, y_pred):.4f}")
print(f"F1: {f1_score(y_test, y_pred):.4f}")
print(f"ROC AUC: {roc_auc_score(y_test, y_proba):.4f}")""",
    ),
    ("code", "print(classification_report(y_test, y_pred, digits=4))"),
    (
        "code",
        """ConfusionMatrixDisplay.from_predictions(y_test, y_pred)
plt.title("Confusion matrix (test set)")
plt.show()""",
    ),
    (
        "code",
        """importances = pd.Series(model.feature_importances_, index=X.columns).sort_values()
importances.plot.barh()
plt.title("Feature importance")
plt.show()""",
    ),
    (
        "markdown",
        "Tenure and how often a customer calls support carry most of the signal, "
        "then charges and contract type. "
        "Next: try gradient boosting and tune the decision threshold for the retention budget.",
    ),
]


def build() -> nbformat.NotebookNode:
    """Create the notebook from ``CELLS``, with stable cell ids.

    Returns:
        The unexecuted notebook.
    """
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for index, (kind, source) in enumerate(CELLS):
        make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        nb.cells.append(make(source=source, id=f"cell-{index:02d}"))
    return nb


def strip_volatile(nb: nbformat.NotebookNode) -> None:
    """Drop what depends on the machine or the run, keeping the real outputs.

    Removed: timing metadata, the ``!pip install`` log (it lists local paths and
    index URLs) and scikit-learn's ~60 KB HTML estimator widget (its plain-text
    repr is kept).

    Args:
        nb: The executed notebook, changed in place.
    """
    nb.metadata["language_info"] = {"name": "python"}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if cell.source.startswith("!pip"):
            cell.outputs = []
        for output in cell.outputs:
            html = output.get("data", {}).get("text/html", "")
            if html.startswith("<style>.sk-"):
                del output.data["text/html"]


def main() -> None:
    """Build the notebook, run it beside the data and write it out."""
    if not DATA.exists():
        raise SystemExit(f"{DATA.name} is missing: run `python examples/make_data.py` first")
    # The `!pip install` cell only has to report that everything is already there.
    os.environ.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    nb = build()
    client = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(HERE)}},
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    strip_volatile(nb)
    nbformat.validate(nb)
    nbformat.write(nb, OUTPUT)
    print(f"wrote {OUTPUT.name}: {len(nb.cells)} cells, executed in {elapsed:.1f}s")


if __name__ == "__main__":
    main()
