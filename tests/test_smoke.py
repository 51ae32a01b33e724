from pathlib import Path

from scaffold import inspect_notebook
from scaffold.notebook import Role

EXAMPLE = Path(__file__).parent.parent / "examples" / "churn.ipynb"


def test_example_notebook_roles() -> None:
    analysis = inspect_notebook(EXAMPLE)
    roles = {cell.role for cell in analysis.cells}
    assert {Role.LOAD, Role.PREPARE, Role.SPLIT, Role.TRAIN, Role.EVALUATE, Role.EXPLORE} <= roles
    assert analysis.target == "churn"
    assert analysis.task == "classification"
    assert "random_forest_classifier.n_estimators" in {s.key for s in analysis.settings}
