"""Fuzz `scaffold inspect`: malformed notebooks must be refused with a message, never crash or hang.

Mutates `examples/churn.ipynb` and a few small notebooks built here (truncation, wrong JSON
types, deep nesting, bad UTF-8 and lone surrogates, magics in odd places, huge cells, `{{ }}` in
code and markdown, nbformat versions 3/4/5/99, ...) and runs `scaffold inspect` in-process
(typer's CliRunner) on each case, in worker processes so that a segfault or a hang is counted,
not fatal. Cases are a function of (seed, index): a failure is reproduced with `--only INDEX`.

    python benchmarks/fuzz.py [--cases N] [--seed S] [--timeout SECONDS] [--jobs J]
                              [--only INDEX] [--save DIR]

Outcomes: `success` (exit 0), `refusal` (exit 1 and one `scaffold: error:` line), `crash` (any
other exception, or the worker process died), `timeout` (over `--timeout` seconds twice: a case
over the limit runs once more in a fresh worker, as a busy machine can stall one). A refusal
whose message is a raw Python error text or empty is also listed as a poor message.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import multiprocessing
import random
import re
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "churn.ipynb"

Json = Any

RAW_ERROR = re.compile(
    r"object has no attribute|object is not|NoneType|not subscriptable|unhashable|"
    r"index out of range|KeyError|Traceback|referenced before assignment|"
    r"takes \d+ positional|unexpected keyword|<exception str\(\) failed>|"
    r"maximum recursion depth"
)


# --- seed notebooks -------------------------------------------------------------------------


def _cell(kind: str, source: str, **extra: Json) -> Json:
    cell: dict[str, Json] = {"cell_type": kind, "metadata": {}, "source": source}
    if kind == "code":
        cell |= {"execution_count": None, "outputs": []}
    return cell | extra


def _notebook(cells: list[Json]) -> Json:
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


PIPELINE = [
    _cell("markdown", "# Churn\nA small pipeline."),
    _cell("code", "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression"),
    _cell("code", 'df = pd.read_csv("data.csv")\nTARGET = "churn"\nSEED = 42'),
    _cell("code", "X = df.drop(columns=[TARGET])\ny = df[TARGET]"),
    _cell(
        "code",
        "from sklearn.model_selection import train_test_split\n"
        "X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=SEED)",
    ),
    _cell("code", "model = LogisticRegression(C=1.0)\nmodel.fit(X_train, y_train)"),
    _cell(
        "code",
        'print("accuracy", model.score(X_test, y_test))',
        outputs=[{"output_type": "stream", "name": "stdout", "text": ["accuracy 0.81\n"]}],
    ),
]


def seed_notebooks() -> list[Json]:
    """The example notebook and a few small ones, as JSON values."""
    small = [
        _notebook(PIPELINE),
        _notebook([_cell("code", "x = 1\nprint(x)")]),
        _notebook(
            [
                _cell("code", "%matplotlib inline\nimport numpy as np"),
                _cell("code", "def f(a):\n    return a * 2\n\nclass Model:\n    pass"),
                _cell("code", "values = [f(i) for i in range(10)]\nnp.mean(values)"),
            ]
        ),
    ]
    return [json.loads(EXAMPLE.read_text(encoding="utf-8")), *small]


# --- code that stresses the parser and the analysis --------------------------------------------


def _nasty_code(rng: random.Random) -> str:
    n = rng.choice([10, 60, 99, 101, 150, 400, 1000, 3000, 100_000])
    builders: list[Callable[[], str]] = [
        lambda: "x = " + "(" * n + "1" + ")" * n,
        lambda: "x = " + "[" * n + "]" * n,
        lambda: "x = " + "{1: " * n + "1" + "}" * n,
        lambda: "".join("    " * i + "if x:\n" for i in range(min(n, 3000))) + "    pass\n",
        lambda: (
            "x = 1\nif x == 0:\n    pass\n"
            + "".join(f"elif x == {i}:\n    y = {i}\n" for i in range(1, min(n, 20_000)))
        ),
        lambda: "x = " + " + ".join(["a"] * n),
        lambda: "x = " + " and ".join(["a"] * n),
        lambda: "x = " + " ".join(['"a"'] * min(n, 20_000)),
        lambda: "x = " + "-" * n + "1",
        lambda: "x = " + "not " * n + "1",
        lambda: "x = " + "lambda: " * min(n, 20_000) + "1",
        lambda: "x = " + "1 if a else " * min(n, 20_000) + "1",
        lambda: "x = a" + ".b" * n,
        lambda: "x = f" + "()" * n,
        lambda: "x = a" + "[0]" * n,
        lambda: "".join("@d\n" for _ in range(n)) + "def f():\n    pass\n",
        lambda: "x = [" + ", ".join(str(i) for i in range(rng.choice([1000, 200_000]))) + "]",
        lambda: "data = " + repr("a" * rng.choice([1000, 1_000_000])),
        lambda: "\n".join(f"v{i} = {i}" for i in range(rng.choice([1000, 20_000]))),
        lambda: "\n".join(f"v = v + {i}" for i in range(rng.choice([1000, 5000]))),
    ]
    return rng.choice(builders)()


ODD_CODE = [
    "nonlocal x\nx = 1",
    "global x\nx = 1",
    "return 1",
    "yield 1",
    "break",
    "import asyncio\nawait asyncio.sleep(0)",
    "async def f():\n    nonlocal y",
    "def f():\n    nonlocal z",
    "type X = int",
    "def f[T](x: T) -> T:\n    return x",
    "class C[T]:\n    pass",
    'd = {"a": 1}\nprint(f"{d["a"]}")',
    "x = 1 +",
    "def f(:\n    pass",
    "\tif x:\n        pass",
    "x = 1\r\ny = 2\r\n",
    "x = '\u202e'\n# \ufeff",
    "x = 1\x00",
    "x = 1\x0c\ny = 2",
    "from __future__ import braces",
    "from __future__ import annotations\nx: int = 1",
    "print 'hello'",
    "exec('x = 1')\ndel x",
    "import pandas as pd\ndel pd",
    "for i in range(3):\n    %time f(i)\n    !ls",
    "x = !ls\ny = %env\n%%bash\necho hi",
    "%%bash\necho hi",
    "%%time\n",
    "%%\n%\n!\n?",
    "df?\n??df\ndf.head??",
    "!pip install pandas==2.0 'scikit-learn>=1' \\\n  numpy",
    "%pip install {{ cookiecutter.x }}",
    "%%writefile a.py\nprint(1)",
    'x = "{{ project_name }}"\n# {% raw %} {{ x }} {% endraw %}',
    "{{ x }}",
    "x = '{%' + '%}'",
    "if True:\n%time x = 1",
    "def f():\n    %matplotlib inline\n    return 1",
    "class A:\n    !ls",
    "x = [\n%time 1\n]",
    "with open('a') as f, open('b') as g:\n    pass",
    "try:\n    pass\nexcept* ValueError:\n    pass",
    "match x:\n    case {'a': [1, *rest]}:\n        pass\n    case _:\n        pass",
    "lambda: (yield)",
    "x = (y := 1)\n[z := 2 for _ in range(3)]",
    "import sklearn\nmodel = sklearn.linear_model.LogisticRegression()\nmodel.fit()",
]

ODD_MARKDOWN = [
    "{{ cookiecutter.project_name }}",
    "{% if x %}{% endif %}",
    "# {{ }}\n```python\n{{ }}\n```",
    "$$ \\frac{1}{2} $$",
    "# " + "very long heading " * 10_000,
    "",
    "\x00",
]


# --- mutations ---------------------------------------------------------------------------------


def _paths(value: Json, prefix: tuple[Json, ...] = ()) -> Iterator[tuple[Json, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


def _set(root: Json, path: tuple[Json, ...], value: Json) -> Json:
    if not path:
        return value
    parent = root
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return root


def _random_value(rng: random.Random) -> Json:
    return rng.choice(
        [None, True, 0, -1, 3.5, "", "x", "import os", [], ["a", 1], {}, {"a": None}, [[[]]]]
    )


def wrong_type(rng: random.Random, nb: Json) -> Json:
    paths = list(_paths(nb))
    return _set(nb, rng.choice(paths), _random_value(rng))


def drop_key(rng: random.Random, nb: Json) -> Json:
    keyed = [p for p in _paths(nb) if p and isinstance(p[-1], str)]
    if keyed:
        path = rng.choice(keyed)
        parent = nb
        for step in path[:-1]:
            parent = parent[step]
        del parent[path[-1]]
    return nb


DEEP = "\x01deep\x01"
"""Stands in for deeply nested JSON until the case is written (json.dumps would recurse)."""


def deep_json(rng: random.Random, nb: Json) -> Json:
    containers = [p for p in _paths(nb) if isinstance(_get(nb, p), dict)]
    _get(nb, rng.choice(containers))["deep"] = (
        f"{DEEP}{rng.choice([20, 63, 65, 200, 5000, 100_000])}"
    )
    return nb


def _deep_text(match: re.Match[str]) -> str:
    depth = int(match.group(1) or match.group(2))
    return "[" * depth + "]" * depth if depth % 2 else '{"a": ' * depth + "{}" + "}" * depth


def _get(root: Json, path: tuple[Json, ...]) -> Json:
    for step in path:
        root = root[step]
    return root


def nbformat_version(rng: random.Random, nb: Json) -> Json:
    nb["nbformat"] = rng.choice([3, 4, 5, 99, 0, -1, "4", 4.0, None, True])
    nb["nbformat_minor"] = rng.choice([0, 2, 4, 5, 99, -1, "5", None])
    if nb["nbformat"] == 3 and rng.random() < 0.5:  # an nbformat 3 layout
        nb["worksheets"] = [{"cells": nb.pop("cells", []), "metadata": {}}]
        for cell in nb["worksheets"][0]["cells"]:
            if isinstance(cell, dict) and cell.get("cell_type") == "code":
                cell["input"] = cell.pop("source", "")
                cell["language"] = "python"
    return nb


def _code_cells(nb: Json) -> list[Json]:
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        return []
    return [c for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"]


def _insert_cell(rng: random.Random, nb: Json, cell: Json) -> Json:
    cells = nb.get("cells")
    if isinstance(cells, list):
        cells.insert(rng.randint(0, len(cells)), cell)
    return nb


def nasty_cell(rng: random.Random, nb: Json) -> Json:
    return _insert_cell(rng, nb, _cell("code", _nasty_code(rng)))


def odd_cell(rng: random.Random, nb: Json) -> Json:
    code = rng.choice(ODD_CODE)
    if rng.random() < 0.3:
        code = code.replace("\n", "\n    ", 1)  # shifted into a block that does not exist
    return _insert_cell(rng, nb, _cell("code", code))


def odd_markdown(rng: random.Random, nb: Json) -> Json:
    return _insert_cell(rng, nb, _cell("markdown", rng.choice(ODD_MARKDOWN)))


def edit_code(rng: random.Random, nb: Json) -> Json:
    """Insert, delete or duplicate characters and lines of a code cell."""
    cells = _code_cells(nb)
    if not cells:
        return nb
    cell = rng.choice(cells)
    source = cell.get("source", "")
    text = source if isinstance(source, str) else "".join(map(str, source))
    for _ in range(rng.randint(1, 4)):
        at = rng.randint(0, len(text))
        action = rng.randrange(4)
        if action == 0:
            text = text[:at] + rng.choice("()[]{}:;,.=+-*\"'#%!?\\\n\t @$`{{}}") + text[at:]
        elif action == 1:
            text = text[:at] + text[at + rng.randint(1, 20) :]
        elif action == 2:
            lines = text.split("\n")
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
            text = "\n".join(lines)
        else:
            text = text[:at] + rng.choice(["%time ", "!", "%%time\n", "?", "    "]) + text[at:]
    cell["source"] = text
    return nb


def surrogate(rng: random.Random, nb: Json) -> Json:
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if isinstance(cells, list) and cells and isinstance(cells[0], dict):
        cell = rng.choice([c for c in cells if isinstance(c, dict)])
        cell["source"] = "x = '" + rng.choice(["\ud800", "\udfff", "\ud83d"]) + "'\n"
        if rng.random() < 0.3:
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "a\udc80"}]
    return nb


def non_python(rng: random.Random, nb: Json) -> Json:
    metadata = nb.setdefault("metadata", {}) if isinstance(nb, dict) else {}
    if isinstance(metadata, dict):
        metadata["kernelspec"] = rng.choice(
            [{"name": "ir", "language": "R", "display_name": "R"}, "python3", None, {"name": 3}]
        )
    return nb


JSON_MUTATIONS: list[Callable[[random.Random, Json], Json]] = [
    wrong_type,
    wrong_type,
    drop_key,
    deep_json,
    nbformat_version,
    nasty_cell,
    nasty_cell,
    odd_cell,
    odd_cell,
    odd_markdown,
    edit_code,
    edit_code,
    surrogate,
    non_python,
]

CODE_MUTATIONS = [nasty_cell, odd_cell, odd_cell, odd_markdown, edit_code, edit_code]


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randint(0, len(data))]


def bad_bytes(rng: random.Random, data: bytes) -> bytes:
    at = rng.randint(0, len(data))
    return (
        data[:at]
        + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\xef\xbb\xbf"])
        + data[at:]
    )


def escaped_surrogate(rng: random.Random, data: bytes) -> bytes:
    quotes = [m.end() for m in re.finditer(rb'"source": \[?"', data)]
    at = rng.choice(quotes) if quotes else rng.randint(0, len(data))
    return data[:at] + rng.choice([b"\\ud800", b"\\udc00", b"\\ud83d\\ude00"]) + data[at:]


def bom(rng: random.Random, data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


BYTE_MUTATIONS: list[Callable[[random.Random, bytes], bytes]] = [
    truncate,
    bad_bytes,
    escaped_surrogate,
    bom,
]


def make_case(seed: int, index: int, seeds: list[Json]) -> tuple[str, bytes]:
    """The case `index` of run `seed`: its mutations' names and the notebook file's bytes."""
    rng = random.Random(f"{seed}:{index}")
    nb = copy.deepcopy(rng.choice(seeds))
    names = []
    # Half the cases keep a valid notebook and stress the analysis with odd code only.
    pool = CODE_MUTATIONS if rng.random() < 0.5 else JSON_MUTATIONS
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
        mutation = rng.choice(pool)
        names.append(mutation.__name__)
        with contextlib.suppress(AttributeError, KeyError, IndexError, TypeError, ValueError):
            nb = mutation(rng, nb)  # may fail: an earlier mutation broke the shape it expects
    data = json.dumps(nb, indent=rng.choice([None, 1]), ensure_ascii=rng.random() < 0.5)
    data = re.sub(r'"\\u0001deep\\u0001(\d+)"|"\x01deep\x01(\d+)"', _deep_text, data)
    encoded = data.encode("utf-8", "surrogatepass")
    if pool is JSON_MUTATIONS and rng.random() < 0.3:
        mutation_b = rng.choice(BYTE_MUTATIONS)
        names.append(mutation_b.__name__)
        encoded = mutation_b(rng, encoded)
    return "+".join(names), encoded


# --- running -----------------------------------------------------------------------------------


def run_case(path: Path) -> tuple[str, str]:
    """(`success` | `refusal` | `crash`, detail) for `scaffold inspect path`."""
    from typer.testing import CliRunner

    from scaffold.cli import app

    result = CliRunner().invoke(app, ["inspect", str(path)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return "crash", _signature(result.exc_info)
    if result.exit_code == 0:
        return "success", ""
    output = result.output.strip()
    if result.exit_code == 1 and output.startswith("scaffold: error:"):
        return "refusal", output.removeprefix("scaffold: error: ")
    return "crash", f"exit {result.exit_code}: {output[:200]}"


def _signature(exc_info: Any) -> str:
    kind, _, tb = exc_info
    frames = traceback.extract_tb(tb)
    ours = [f for f in frames if "/scaffold/" in f.filename] or frames
    where = ours[-1] if ours else None
    place = f" in {Path(where.filename).name}:{where.name}" if where else ""
    return f"{kind.__name__}{place}"


def _worker(conn: Connection) -> None:
    warnings.simplefilter("ignore")  # as the CLI runs: warnings are not errors there
    sys.setrecursionlimit(1000)
    folder = Path(tempfile.mkdtemp(prefix="scaffold-fuzz-"))
    while True:
        job = conn.recv()
        if job is None:
            return
        index, data = job
        path = folder / "notebook.ipynb"
        path.write_bytes(data)
        start = time.perf_counter()
        try:
            outcome, detail = run_case(path)
        except BaseException as exc:  # the harness must survive the case
            outcome, detail = "crash", f"{type(exc).__name__} (outside the CLI)"
        conn.send((index, outcome, detail, time.perf_counter() - start))


@dataclass
class _Slot:
    process: multiprocessing.Process
    conn: Connection
    job: tuple[int, float] | None = None  # (case index, start time)


@dataclass
class Report:
    """Outcomes of a fuzz run."""

    outcomes: Counter[str] = field(default_factory=Counter)
    crashes: dict[str, list[int]] = field(default_factory=dict)
    poor: dict[str, list[int]] = field(default_factory=dict)
    slowest: list[tuple[float, int, str]] = field(default_factory=list)
    refusals: Counter[str] = field(default_factory=Counter)
    last: str = ""
    retried: int = 0

    def add(self, index: int, name: str, outcome: str, detail: str, seconds: float) -> None:
        """Record one case."""
        self.outcomes[outcome] += 1
        self.last = f"{outcome}: {detail}"
        if outcome in ("crash", "timeout"):
            self.crashes.setdefault(f"{outcome}: {detail}", []).append(index)
        elif outcome == "refusal":
            self.refusals[_kind_of_refusal(detail)] += 1
            if _poor_message(detail):
                self.poor.setdefault(detail[:160], []).append(index)
        self.slowest = sorted([*self.slowest, (seconds, index, name)], reverse=True)[:5]

    def lines(self) -> list[str]:
        """The table to print."""
        total = sum(self.outcomes.values())
        out = [f"{total} cases"]
        for outcome in ("success", "refusal", "crash", "timeout"):
            out.append(f"  {outcome:8} {self.outcomes[outcome]:6}")
        out.append(f"  poor refusal messages (raw Python error text or empty): {_count(self.poor)}")
        out.append(f"  cases over the time limit once, run again: {self.retried}")
        for signature, indexes in sorted(self.crashes.items(), key=lambda kv: -len(kv[1])):
            out.append(f"  {len(indexes):5} x {signature}  (e.g. --only {indexes[0]})")
        for message, indexes in sorted(self.poor.items(), key=lambda kv: -len(kv[1]))[:10]:
            out.append(f"  poor: {len(indexes):4} x {message!r}  (e.g. --only {indexes[0]})")
        out.append("refusals by kind:")
        out += [f"  {n:6} {kind}" for kind, n in self.refusals.most_common(15)]
        out.append("slowest:")
        out += [f"  {s:6.2f} s  case {i} ({name})" for s, i, name in self.slowest]
        return out


def _count(groups: dict[str, list[int]]) -> int:
    return sum(len(v) for v in groups.values())


def _poor_message(message: str) -> bool:
    problem = message.split(": ", 1)[1] if ": " in message else message
    return not problem.strip() or bool(RAW_ERROR.search(problem))


def _kind_of_refusal(message: str) -> str:
    text = re.sub(r"^\S*notebook\.ipynb: ", "", message)
    text = re.sub(r"^cell \d+(, line \d+)?: ", "cell N: ", text)
    text = re.sub(r"\(.*", "", text)
    return re.sub(r"\d+", "N", text)[:70].strip()


def _start() -> _Slot:
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.Process(target=_worker, args=(child,), daemon=True)
    process.start()
    child.close()
    return _Slot(process, parent)


def _stop(slot: _Slot) -> None:
    if slot.process.is_alive():
        slot.process.kill()
    slot.process.join()
    slot.conn.close()


def fuzz(
    cases: int,
    seed: int = 0,
    *,
    timeout: float = 10.0,
    jobs: int = 2,
    only: int | None = None,
    save: Path | None = None,
    seeds: list[Json] | None = None,
) -> Report:
    """Run `cases` fuzz cases of `seed` on `jobs` worker processes and report the outcomes."""
    seeds = seeds or seed_notebooks()
    import scaffold.cli  # noqa: F401 - imported before the workers fork: they start warm

    indexes = [only] if only is not None else list(range(cases))
    retried: set[int] = set()
    names: dict[int, str] = {}
    report = Report()
    slots = [_start() for _ in range(max(1, min(jobs, len(indexes))))]
    pending = iter(indexes)

    def give(slot: _Slot, again: int | None = None) -> None:
        index = next(pending, None) if again is None else again
        if index is None:
            return
        name, data = make_case(seed, index, seeds)
        names[index] = name
        if save is not None:
            (save / f"case-{index}.ipynb").write_bytes(data)
        slot.conn.send((index, data))
        slot.job = (index, time.perf_counter())

    for slot in slots:
        give(slot)
    try:
        while any(slot.job for slot in slots):
            busy = [slot for slot in slots if slot.job]
            wait([slot.conn for slot in busy] + [slot.process.sentinel for slot in busy], 0.2)
            for position, slot in enumerate(slots):
                if slot.job is None:
                    continue
                index, started = slot.job
                if slot.conn.poll():
                    try:
                        _, outcome, detail, seconds = slot.conn.recv()
                    except EOFError:
                        outcome, detail, seconds = "crash", "worker died", 0.0
                    report.add(index, names[index], outcome, detail, seconds)
                    slot.job = None
                    if save is not None and outcome not in ("crash", "timeout"):
                        (save / f"case-{index}.ipynb").unlink()
                    give(slot)
                elif not slot.process.is_alive() or time.perf_counter() - started > timeout:
                    dead = not slot.process.is_alive()
                    _stop(slot)
                    code = slot.process.exitcode
                    seconds = time.perf_counter() - started
                    slots[position] = _start()
                    if not dead and index not in retried:  # the machine may have been busy
                        retried.add(index)
                        report.retried += 1
                        give(slots[position], again=index)
                        continue
                    outcome = "crash" if dead else "timeout"
                    detail = f"process exit {code}" if dead else f"over {timeout:g} s"
                    report.add(index, names[index], outcome, detail, seconds)
                    give(slots[position])
    finally:
        for slot in slots:
            if slot.process.is_alive():
                slot.conn.send(None)
            _stop(slot)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per case")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", type=int, help="run only this case (and print its outcome)")
    parser.add_argument("--save", type=Path, help="keep crashing and hanging cases here")
    args = parser.parse_args()
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    report = fuzz(
        args.cases,
        args.seed,
        timeout=args.timeout,
        jobs=args.jobs,
        only=args.only,
        save=args.save,
    )
    print("\n".join(report.lines()))
    print(f"{time.perf_counter() - start:.0f} s (seed {args.seed}, timeout {args.timeout:g} s)")
    if args.only is not None:
        name, _ = make_case(args.seed, args.only, seed_notebooks())
        print(f"case {args.only}: {name}: {report.last}")


if __name__ == "__main__":
    main()
