"""Time read + analyse on the example notebook and on synthetic notebooks of growing size.

Not a test: prints figures. Growth should be linear (the time per cell roughly constant);
the aim is under 0.5 s for `examples/churn.ipynb` and under 5 s for 2,000 cells.
`--profile N` instead profiles analyse + extract of a synthetic notebook of N cells (CPU
seconds of each, then cProfile's heaviest scaffold functions by cumulative time).

    python benchmarks/bench_analysis.py [--runs N] [--profile CELLS]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import tempfile
import time
from pathlib import Path

import nbformat

from scaffold.analysis import analyse
from scaffold.reading import read_notebook

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "churn.ipynb"
SIZES = (250, 500, 1000, 2000)

IMPORTS = """%matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split"""

# One "block" of a research notebook; `{i}` keeps the names of each block apart so that the
# data flow has as many links as a real notebook of that size.
BLOCK = (
    ("markdown", "## Part {i}: load the data"),
    ("code", 'df_{i} = pd.read_csv("data/part_{i}.csv")\ndf_{i}.head()'),
    ("code", "df_{i}.describe()"),
    ("code", 'df_{i}["target"].value_counts()'),
    (
        "code",
        'df_{i}["income"].fillna(df_{i}["income"].median(), inplace=True)\n'
        'df_{i}.drop(columns=["id"], inplace=True)\n'
        'df_{i}["ratio"] = df_{i}["income"] / (df_{i}["age"] + 1)\n'
        'df_{i} = pd.get_dummies(df_{i}, columns=["city"])',
    ),
    (
        "code",
        'df_{i}["age"].hist(bins=20)\nplt.xlabel("age")\nplt.title("Age, part {i}")\nplt.show()',
    ),
    (
        "code",
        'X_{i} = df_{i}.drop(columns=["target"])\ny_{i} = df_{i}["target"]\n'
        "X_train_{i}, X_test_{i}, y_train_{i}, y_test_{i} = train_test_split(\n"
        "    X_{i}, y_{i}, test_size=0.2, random_state=42\n)",
    ),
    (
        "code",
        "model_{i} = RandomForestClassifier(n_estimators=200, max_depth=8, random_state=0)\n"
        "model_{i}.fit(X_train_{i}, y_train_{i})",
    ),
    (
        "code",
        "pred_{i} = model_{i}.predict(X_test_{i})\n"
        'print("accuracy", accuracy_score(y_test_{i}, pred_{i}))\n'
        'print("f1", f1_score(y_test_{i}, pred_{i}))',
    ),
    (
        "code",
        "scores_{i} = []\nfor depth in range(2, 6):\n"
        "    m = RandomForestClassifier(max_depth=depth).fit(X_train_{i}, y_train_{i})\n"
        "    scores_{i}.append(m.score(X_test_{i}, y_test_{i}))\nscores_{i}",
    ),
)


def synthetic(cells: int) -> nbformat.NotebookNode:
    """A notebook of `cells` cells: an imports cell, then blocks of realistic mixed cells."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "language": "python",
        "display_name": "Python 3",
    }
    notebook.cells.append(nbformat.v4.new_code_cell("!pip install pandas scikit-learn"))
    notebook.cells.append(nbformat.v4.new_code_cell(IMPORTS))
    block = 0
    while len(notebook.cells) < cells:
        for kind, text in BLOCK:
            if len(notebook.cells) == cells:
                break
            source = text.replace("{i}", str(block))
            maker = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
            notebook.cells.append(maker(source))
        block += 1
    return notebook


def timed(path: Path, runs: int) -> tuple[float, int]:
    """The median seconds of `runs` read+analyse runs, and the number of cells."""
    times = []
    cells = 0
    for _ in range(runs):
        start = time.perf_counter()
        analysis = analyse(read_notebook(path))
        times.append(time.perf_counter() - start)
        cells = len(analysis.cells)
    return statistics.median(times), cells


def profile(cells: int, top: int = 30) -> None:
    """CPU seconds of analyse and extract on a synthetic notebook, and where they go."""
    from scaffold.extract import extract  # only here: the timings above are the analysis's

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"synthetic_{cells}.ipynb"
        nbformat.write(synthetic(cells), path)
        notebook = read_notebook(path)
    profiler = cProfile.Profile()
    start = time.process_time()
    profiler.enable()
    analysis = analyse(notebook)
    analysed = time.process_time()
    extract(analysis)
    profiler.disable()
    done = time.process_time()
    seconds = f"analyse {analysed - start:.2f} s, extract {done - analysed:.2f} s"
    print(f"{cells} cells (profiled): {seconds}")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"scaffold", top)


def main() -> None:
    """Print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per notebook (median shown)")
    parser.add_argument("--profile", type=int, metavar="CELLS", help="profile one notebook")
    args = parser.parse_args()
    if args.profile:
        profile(args.profile)
        return
    print(f"{'notebook':<28} {'cells':>6} {'median s':>9} {'ms/cell':>8}  aim")
    seconds, cells = timed(EXAMPLE, args.runs)
    verdict = "ok" if seconds < 0.5 else "SLOW"
    print(
        f"{EXAMPLE.name:<28} {cells:>6} {seconds:>9.3f} {1000 * seconds / cells:>8.2f}"
        f"  < 0.5 s {verdict}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for size in SIZES:
            path = Path(folder) / f"synthetic_{size}.ipynb"
            nbformat.write(synthetic(size), path)
            seconds, cells = timed(path, max(1, args.runs // 2) if size >= 1000 else args.runs)
            aim = "< 5 s " + ("ok" if seconds < 5 else "SLOW") if size == 2000 else ""
            print(
                f"{path.name:<28} {cells:>6} {seconds:>9.3f} {1000 * seconds / cells:>8.2f}  {aim}"
            )


if __name__ == "__main__":
    main()
