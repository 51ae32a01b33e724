"""Write ``customer_churn.csv``, the synthetic data set behind the example notebook.

The data are drawn from a seeded generator, so every run writes the same bytes.
Churn follows a logistic model of the features plus noise, which leaves a model
room to learn something real without being able to be perfect.

Usage:
    python examples/make_data.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240611
N_ROWS = 800
OUTPUT = Path(__file__).resolve().parent / "customer_churn.csv"

CONTRACTS = ["month-to-month", "one-year", "two-year"]
CONTRACT_SHARES = [0.55, 0.25, 0.20]
PAYMENT_METHODS = ["electronic check", "mailed check", "bank transfer", "credit card"]
PAYMENT_SHARES = [0.35, 0.20, 0.23, 0.22]


def make_frame(n_rows: int = N_ROWS, seed: int = SEED) -> pd.DataFrame:
    """Draw the churn table.

    Args:
        n_rows: How many customers to draw.
        seed: Seed for the random generator.

    Returns:
        One row per customer, with a few missing values in ``tenure_months``
        and ``total_charges``.
    """
    rng = np.random.default_rng(seed)

    contract = rng.choice(CONTRACTS, size=n_rows, p=CONTRACT_SHARES)
    payment_method = rng.choice(PAYMENT_METHODS, size=n_rows, p=PAYMENT_SHARES)
    senior = (rng.random(n_rows) < 0.16).astype(int)

    # Longer contracts go with longer-standing customers.
    mean_tenure = np.select(
        [contract == "month-to-month", contract == "one-year"], [14.0, 32.0], default=48.0
    )
    tenure = np.clip(np.rint(rng.gamma(2.0, mean_tenure / 2.0)), 1, 72).astype(int)

    monthly = np.clip(rng.normal(65.0, 25.0, n_rows) + 8.0 * senior, 18.25, 118.75).round(2)
    # Charges drift a little over a customer's lifetime.
    total = (tenure * monthly * rng.normal(1.0, 0.05, n_rows)).round(2)
    support_calls = rng.poisson(1.2 + 0.8 * (contract == "month-to-month"), n_rows)

    logit = (
        -4.0
        + 1.8 * (contract == "month-to-month")
        - 1.2 * (contract == "two-year")
        - 0.07 * (tenure - 24)
        + 0.035 * (monthly - 65)
        + 0.6 * support_calls
        + 0.6 * senior
        + 0.8 * (payment_method == "electronic check")
        + rng.normal(0.0, 0.4, n_rows)
    )
    churn = (rng.random(n_rows) < 1.0 / (1.0 + np.exp(-logit))).astype(int)

    frame = pd.DataFrame(
        {
            "customer_id": [f"CUST-{i:05d}" for i in range(1, n_rows + 1)],
            "tenure_months": pd.array(tenure, dtype="Int64"),
            "monthly_charges": monthly,
            "total_charges": total,
            "contract": contract,
            "payment_method": payment_method,
            "senior": senior,
            "support_calls": support_calls,
            "churn": churn,
        }
    )

    # Gaps of the kind a CRM export really has: ~5% of totals, ~3% of tenures.
    frame.loc[rng.random(n_rows) < 0.05, "total_charges"] = np.nan
    frame.loc[rng.random(n_rows) < 0.03, "tenure_months"] = pd.NA
    return frame


def main() -> None:
    """Write the CSV beside this script."""
    frame = make_frame()
    frame.to_csv(OUTPUT, index=False, float_format="%.2f", lineterminator="\n")
    print(
        f"wrote {OUTPUT.name}: {len(frame)} rows, churn rate {frame['churn'].mean():.3f}, "
        f"{int(frame.isna().sum().sum())} missing values"
    )


if __name__ == "__main__":
    main()
