"""Write the notebooks the equivalence tests build, each in a folder with its data.

    python benchmarks/dump_test_notebooks.py OUT

`tests/test_extract_equivalence.py` (FORMS), `tests/test_other_shapes.py` (SHAPES) and the
refusals of `tests/test_extract.py` (REFUSALS) build their notebooks in code; this writes each
in a folder of its own beside the data the tests write, so `benchmarks/diff_run.py OUT`
scaffolds exactly what the tests scaffold.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]  # the tests' modules and their conftest


def main() -> None:
    """Write every form and shape."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("out", type=Path, help="the folder to write (emptied first)")
    args = parser.parse_args()
    import test_extract as refusals
    import test_extract_equivalence as equivalence
    import test_other_shapes as shapes
    from conftest import build_notebook

    shutil.rmtree(args.out, ignore_errors=True)
    for name, form in equivalence.FORMS.items():
        folder = args.out / f"form_{name}"
        folder.mkdir(parents=True)
        data = equivalence.make_data(form.task, missing=form.missing, columns=form.missing_columns)
        data.to_csv(folder / "data.csv", index=False)
        nbformat.write(build_notebook(form.cells), folder / f"form_{name}.ipynb")
    for name, shape in shapes.SHAPES.items():
        folder = args.out / f"shape_{name}"
        folder.mkdir(parents=True)
        shapes.write_data(folder)
        nbformat.write(build_notebook(shape.cells), folder / f"{name}.ipynb")
    for name, (cells, *_) in refusals.REFUSALS.items():
        folder = args.out / f"refusal_{name}"
        folder.mkdir(parents=True)
        equivalence.make_data("regression", missing=False).to_csv(folder / "data.csv", index=False)
        nbformat.write(build_notebook(cells), folder / f"refusal_{name}.ipynb")
    print(
        f"{len(equivalence.FORMS)} forms, {len(shapes.SHAPES)} shapes and "
        f"{len(refusals.REFUSALS)} refusals in {args.out}"
    )


if __name__ == "__main__":
    main()
