"""CPU time of the extraction (plan -> rewrite -> emit -> assemble) per notebook, and its work.

Not a test: prints figures. Each notebook of the folders given is read and analysed once, then
`extract()` runs `--runs` times in this process; the figure is the best CPU time (`process_time`)
of those runs. Beside it, the work done in one run: how many times a cell's statements were made
(`cell_code.cell_statements`) and how many times the stages were rewritten and emitted (a learnt
feature step laid out again, a candidate model of a narrowed notebook).

    python benchmarks/bench_layout.py FOLDER [FOLDER ...] [--runs N] [--root CHECKOUT]

`--root` measures another checkout's scaffold (default: the one this script is in).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

COUNTED = {
    "cells": [
        ("scaffold.extract.cell_code", "cell_statements"),
        ("scaffold.extract.layout", "cell_statements"),
        ("scaffold.extract.stage_plan", "cell_statements"),
    ],
    "layouts": [
        ("scaffold.extract.layout", "rewrite_stages"),
        ("scaffold.extract.layout", "_finish"),
    ],
}
"""What is counted -> the functions that do it, in this checkout or an earlier one."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    options = parser.parse_args()
    sys.path.insert(0, str(options.root))
    from scaffold.api import inspect_notebook
    from scaffold.errors import ScaffoldError
    from scaffold.extract import extract

    counts: Counter[str] = Counter()
    _count_calls(counts)
    total: Counter[str] = Counter()
    best_total = 0.0
    for folder in options.folders:
        for notebook in sorted([*folder.glob("*.ipynb"), *folder.glob("*/*.ipynb")]):
            try:
                analysis = inspect_notebook(notebook)
            except ScaffoldError:
                continue
            times = []
            for _ in range(options.runs):
                counts.clear()
                start = time.process_time()
                with contextlib.suppress(ScaffoldError):
                    extract(analysis)
                times.append(time.process_time() - start)
            best_total += min(times)
            total.update(counts)
            total["notebooks"] += 1
            print(
                f"{notebook.stem[:48]:48} {min(times) * 1000:7.1f} ms  "
                f"cells made {counts['cells']:3}  layouts {counts['layouts']}"
            )
    print(
        f"total: {total['notebooks']} notebooks, {best_total:.2f} s CPU (best of "
        f"{options.runs}), cells made {total['cells']}, layouts {total['layouts']}"
    )


def _count_calls(counts: Counter[str]) -> None:
    """Wrap each counted function where its module has it, adding to `counts` on each call."""
    for key, places in COUNTED.items():
        for module_name, name in places:
            module = importlib.import_module(module_name) if _exists(module_name) else None
            original = getattr(module, name, None)
            if module is None or original is None:
                continue
            setattr(module, name, _counting(original, counts, key))


def _counting(function: Callable[..., Any], counts: Counter[str], key: str) -> Callable[..., Any]:
    def counted(*args: Any, **kwargs: Any) -> Any:
        counts[key] += 1
        return function(*args, **kwargs)

    return counted


def _exists(module_name: str) -> bool:
    try:
        importlib.import_module(module_name)
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
