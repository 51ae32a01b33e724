"""Climb the quality ladder for every notebook in a folder and print one row per notebook.

    python benchmarks/ladder.py DIR_OF_NOTEBOOKS [--out WORKDIR] [--only NAME] [--skip-serve]

The levels, each tried only if the one before passed:

- L1 `scaffold NB -o WORK/<stem> --force --no-git` exits 0 (timed; a refusal naming a cell
  is shown as "refused").
- L2 `ruff check .` and `ruff format --check .` pass in the generated project.
- L3 the generated tests pass (`python -m pytest`, no install: dependencies are present).
- L4 `python -m <pkg> train` exits 0 and `artifacts/metrics.json` matches every number the
  notebook printed (`PRINTED` in `tests/test_reproduction.py`) to the printed precision.
- L5 the service answers: /ready, /predict on `artifacts/sample_request.json`, 422 on a broken
  instance, and each instance scored alone gets its prediction from the batch.

Not a test: prints a table and writes every detail to WORK/ladder.json.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

LEVELS = ("L1", "L2", "L3", "L4", "L5")
PYTEST_TIMEOUT_S = 600
TRAIN_TIMEOUT_S = 600
COMMAND_TIMEOUT_S = 300
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
REQUEST_TIMEOUT_S = 60.0
FLOAT_TOLERANCE = 1e-9
REASON_WIDTH = 64
# Environment variables of the generated runtime that would point it away from its defaults.
RUNTIME_VARIABLES = (
    "ARTIFACTS_DIR",
    "PREDICTION_LOG_PATH",
    "PREDICTION_LOG_URL",
    "MAX_BODY_BYTES",
    "MAX_INSTANCES",
    "DRIFT_WINDOW",
)
CELL_REFUSAL = re.compile(r"^cell \d+")  # `cell 7: ...`, `cell 7, line 3: ...`
RUFF_FINDING = re.compile(r"^.+?:\d+:\d+: ([A-Z]+[0-9]+) ")  # path[:cell N]:line:col: CODE msg
MISSING_MODULE = re.compile(r"No module named '([\w.]+)'")
PYTEST_NOISE = re.compile(r", \d+ warnings?| in [\d.]+s( \([\d:]+\))?")
LOOPBACK = "127.0.0.1"


class LevelFailedError(Exception):
    """A level did not pass; the message is the short reason shown in the table."""

    def __init__(self, reason: str, detail: Any = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


@dataclass
class Step:
    """The outcome of one level for one notebook."""

    status: str = "-"  # ok | FAIL | refused | n/a | -
    reason: str = ""
    seconds: float | None = None
    detail: Any = None

    def cell(self) -> str:
        """The table cell: `ok`, `FAIL(reason)`, `refused(reason)`, `n/a` or `-`."""
        if self.status in {"FAIL", "refused"}:
            return f"{self.status}({shorten(self.reason)})"
        return self.status


@dataclass
class NotebookResult:
    """Every level's outcome for one notebook."""

    notebook: str
    project: str
    package: str | None = None
    steps: dict[str, Step] = field(default_factory=lambda: {level: Step() for level in LEVELS})

    @property
    def scaffold_seconds(self) -> float | None:
        """Wall time of the `scaffold` run (L1)."""
        return self.steps["L1"].seconds


@dataclass(frozen=True)
class Ran:
    """A finished (or timed-out) subprocess."""

    code: int | None  # None: timed out
    stdout: str
    stderr: str
    seconds: float


# --------------------------------------------------------------------------- helpers


def shorten(text: str, width: int = REASON_WIDTH) -> str:
    """One line of at most `width` characters."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def first_line(text: str) -> str:
    """The first non-empty line; for a Python traceback, its last line (the exception).

    scaffold's own error line wins over the steps it shows as they start.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("scaffold: error: ")]
    if errors:
        return errors[0]
    if not lines:
        return ""
    return lines[-1] if "Traceback (most recent call last)" in lines[0] else lines[0]


def last_line(text: str) -> str:
    """The last non-empty line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def tail(text: str, lines: int = 40) -> str:
    """The last `lines` lines of `text`, for ladder.json."""
    return "\n".join(text.splitlines()[-lines:])


def project_env(project: Path) -> dict[str, str]:
    """The environment for commands in `project`: its `src/` importable, runtime defaults."""
    env = {k: v for k, v in os.environ.items() if k not in RUNTIME_VARIABLES}
    paths = [str(project / "src"), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["_TYPER_STANDARD_TRACEBACK"] = "1"  # plain tracebacks from typer CLIs, not rich boxes
    return env


def run(command: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None) -> Ran:
    """Run `command` to completion (or `timeout`), capturing its output."""
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as expired:
        out = expired.stdout or ""
        err = expired.stderr or ""
        return Ran(
            None,
            out.decode(errors="replace") if isinstance(out, bytes) else out,
            err.decode(errors="replace") if isinstance(err, bytes) else err,
            time.perf_counter() - start,
        )
    return Ran(done.returncode, done.stdout, done.stderr, time.perf_counter() - start)


def not_installed(text: str, package: str | None) -> str | None:
    """`not installed: X` if `text` says a third-party module X (not the project's) is missing."""
    for match in MISSING_MODULE.finditer(text):
        top = match.group(1).split(".")[0]
        if top != package:
            return f"not installed: {top}"
    return None


def failure_of(ran: Ran, what: str, timeout: float) -> str:
    """A short reason for a failed command: the timeout, or the first line it complained with."""
    if ran.code is None:
        return f"{what} timed out after {timeout:.0f} s"
    return first_line(ran.stderr) or first_line(ran.stdout) or f"{what} exited {ran.code}"


def package_of(project: Path) -> str:
    """`package_name` from the project's `.copier-answers.yml` (read without a YAML parser)."""
    answers = project / ".copier-answers.yml"
    for line in answers.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "package_name":
            return value.strip().strip("'\"")
    raise LevelFailedError(f"no package_name in {answers.name}")


def module_literal(path: Path, name: str) -> Any:
    """The literal value assigned to `name` at the top level of the module `path`, or None."""
    if not path.is_file():
        return None
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        if node.value is not None and any(
            isinstance(t, ast.Name) and t.id == name for t in targets
        ):
            return ast.literal_eval(node.value)
    return None


def printed_metrics(project: Path) -> dict[str, tuple[float, int]] | None:
    """`PRINTED` from tests/test_reproduction.py, or None if the file or the name is absent."""
    printed = module_literal(project / "tests" / "test_reproduction.py", "PRINTED")
    if printed is None:
        return None
    return {str(k): (float(v[0]), int(v[1])) for k, v in printed.items()}


def declared_tolerance(project: Path) -> float | None:
    """`RELATIVE_TOLERANCE` of tests/test_reproduction.py: scaffold's mark of an unseeded run."""
    value = module_literal(project / "tests" / "test_reproduction.py", "RELATIVE_TOLERANCE")
    return float(value) if isinstance(value, int | float) else None


def same(batch: Any, alone: Any) -> bool:
    """Equal predictions: the same value, floats within FLOAT_TOLERANCE, lists element-wise."""
    if isinstance(batch, bool) or isinstance(alone, bool):
        return bool(batch == alone)
    if isinstance(batch, int | float) and isinstance(alone, int | float):
        return batch == alone or math.isclose(batch, alone, rel_tol=0, abs_tol=FLOAT_TOLERANCE)
    if isinstance(batch, list) and isinstance(alone, list):
        return len(batch) == len(alone) and all(
            same(a, b) for a, b in zip(batch, alone, strict=True)
        )
    if isinstance(batch, dict) and isinstance(alone, dict):
        return batch.keys() == alone.keys() and all(same(batch[k], alone[k]) for k in batch)
    return bool(batch == alone)


def broken(instance: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """A copy of `instance` that /predict must refuse, and what was broken."""
    bad = dict(instance)
    for key, value in instance.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            bad[key] = "not a number"
            return bad, f"{key}='not a number'"
    bad["__ladder_unknown_field__"] = 1
    return bad, "unknown field __ladder_unknown_field__"


# --------------------------------------------------------------------------- HTTP


OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxies


def request(url: str, body: Any | None = None) -> tuple[int, Any]:
    """GET (or POST `body` as JSON) on loopback; the status code and the decoded JSON body."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="GET" if body is None else "POST")
    req.add_header("Content-Type", "application/json")
    try:
        with OPENER.open(req, timeout=REQUEST_TIMEOUT_S) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw or b"null")
    except json.JSONDecodeError:
        return status, raw.decode(errors="replace")


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def wait_ready(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    """Poll /ready until it answers 200; fail if the server exits or READY_TIMEOUT_S passes."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    status: int | None = None
    while time.monotonic() < deadline:
        if server.poll() is not None:
            text = log.read_text(encoding="utf-8", errors="replace")
            raise LevelFailedError(
                f"server exited {server.returncode}: {first_line(text)}", tail(text)
            )
        try:
            status, _ = request(f"{base}/ready")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            status = None
        if status == 200:
            return
        time.sleep(0.25)
    raise LevelFailedError(f"/ready not 200 after {READY_TIMEOUT_S:.0f} s (last: {status})")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Terminate the server; kill it if it has not exited after STOP_TIMEOUT_S."""
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --------------------------------------------------------------------------- levels


def level_scaffold(notebook: Path, project: Path) -> Step:
    """L1: scaffold the notebook into `project`."""
    scaffold = shutil.which("scaffold")
    program = [scaffold] if scaffold else [sys.executable, "-m", "scaffold"]
    command = [*program, str(notebook), "-o", str(project), "--force", "--no-git", "--no-verify"]
    ran = run(command, notebook.parent, COMMAND_TIMEOUT_S)
    if ran.code == 0:
        return Step("ok", seconds=ran.seconds)
    reason = failure_of(ran, "scaffold", COMMAND_TIMEOUT_S)
    reason = reason.removeprefix("scaffold: error: ")
    status = "refused" if CELL_REFUSAL.match(reason) else "FAIL"
    return Step(status, reason, ran.seconds, tail(ran.stderr or ran.stdout))


def ruff_codes(output: str) -> str:
    """`ruff check` concise output as rule codes by count, e.g. `F841 x3, B905 x1 [1 in .ipynb]`.

    Findings in the copied notebook (`notebooks/*.ipynb`) are counted apart.
    """
    codes: Counter[str] = Counter()
    in_notebooks = 0
    for line in output.splitlines():
        match = RUFF_FINDING.match(line)
        if match:
            codes[match.group(1)] += 1
            in_notebooks += ".ipynb:" in line
    text = ", ".join(f"{code} x{count}" for code, count in codes.most_common())
    return f"{text} [{in_notebooks} in .ipynb]" if in_notebooks else text


def level_ruff(project: Path) -> Step:
    """L2: `ruff check .` and `ruff format --check .` in the project (both run, both reported)."""
    ruff = [sys.executable, "-m", "ruff"]
    check = run([*ruff, "check", "--output-format", "concise", "."], project, COMMAND_TIMEOUT_S)
    layout = run([*ruff, "format", "--check", "."], project, COMMAND_TIMEOUT_S)
    seconds = check.seconds + layout.seconds
    reasons = []
    if check.code != 0:
        codes = ruff_codes(check.stdout)
        reasons.append(f"check {codes}" if codes else failure_of(check, "check", COMMAND_TIMEOUT_S))
    if layout.code != 0:
        files = [line for line in layout.stdout.splitlines() if line.startswith("Would reformat")]
        reasons.append(f"format {len(files)} file(s)" if files else failure_of(layout, "format", 0))
    if not reasons:
        return Step("ok", seconds=seconds)
    detail = {"check": tail(check.stdout + check.stderr), "format": tail(layout.stdout)}
    return Step("FAIL", "; ".join(reasons), seconds, detail)


def level_pytest(project: Path, package: str | None = None) -> Step:
    """L3: the generated tests pass."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    ran = run(command, project, PYTEST_TIMEOUT_S, project_env(project))
    if ran.code == 0:
        return Step("ok", last_line(ran.stdout), ran.seconds)
    if ran.code is None:
        return Step("FAIL", f"timed out after {PYTEST_TIMEOUT_S} s", ran.seconds, tail(ran.stdout))
    output = ran.stdout + ran.stderr
    failed = [line.split(" - ")[0] for line in ran.stdout.splitlines() if line.startswith("FAILED")]
    errors = [line.split(" - ")[0] for line in ran.stdout.splitlines() if line.startswith("ERROR")]
    summary = PYTEST_NOISE.sub("", last_line(ran.stdout).strip("= "))
    if not (failed or errors):  # collection or conftest failure: the last `E   ...` line says why
        explained = [line[1:].strip() for line in output.splitlines() if line.startswith("E ")]
        summary = (explained or [first_line(ran.stderr) or summary])[-1]
        summary = not_installed(output, package) or summary
    first = test_label((failed or errors or [""])[0])
    reason = f"{summary}; {first}" if first else summary
    detail = {"failed": failed, "errors": errors, "output": tail(output, 80)}
    return Step("FAIL", reason, ran.seconds, detail)


def test_label(line: str) -> str:
    """`FAILED tests/test_x.py::test_y[p] - ...` as `test_x::test_y[p]`, or `test_x[p]` if long."""
    node = line.split(" ", 1)[-1].split(" - ")[0] if line else ""
    module, _, name = node.partition("::")
    module = Path(module).stem
    label = f"{module}::{name}" if name else module
    if len(label) > 32 and "[" in name:
        label = f"{module}[{name.split('[', 1)[1]}"
    return label


def level_train(project: Path, package: str) -> Step:
    """L4: train, then compare artifacts/metrics.json with the printed numbers."""
    metrics_path = project / "artifacts" / "metrics.json"
    metrics_path.unlink(missing_ok=True)
    command = [sys.executable, "-m", package, "train"]
    ran = run(command, project, TRAIN_TIMEOUT_S, project_env(project))
    if ran.code != 0:
        missing = not_installed(ran.stderr, package)
        reason = f"train: {missing or failure_of(ran, 'train', TRAIN_TIMEOUT_S)}"
        return Step("FAIL", reason, ran.seconds, tail(ran.stderr or ran.stdout))
    if not metrics_path.is_file():
        return Step("FAIL", "train wrote no artifacts/metrics.json", ran.seconds)
    computed = json.loads(metrics_path.read_text(encoding="utf-8"))
    printed = printed_metrics(project)
    if not printed:
        return Step("n/a", "no PRINTED", ran.seconds, {"computed": computed})
    mismatches = compare(printed, computed)
    detail = {"printed": printed, "computed": computed, "mismatches": mismatches}
    if mismatches:
        first = mismatches[0]
        got = f"{first[2]:.6g}" if isinstance(first[2], float) else repr(first[2])
        reason = f"{len(mismatches)}/{len(printed)} differ: {first[0]} {first[1]} vs {got}"
        tolerance = declared_tolerance(project)
        if tolerance is not None:
            within = all(
                isinstance(got, int | float) and abs(got - want) <= tolerance * abs(want)
                for _, want, got in mismatches
            )
            detail["relative_tolerance"] = tolerance
            if within:
                # The notebook itself is not reproducible (an unseeded random step): within the
                # tolerance the project declares, it computes the same thing.
                return Step("ok~", f"{reason}, unseeded: within {tolerance:g}", ran.seconds, detail)
            reason += f" (unseeded, out of rel.tol {tolerance:g})"
        return Step("FAIL", reason, ran.seconds, detail)
    return Step("ok", f"{len(printed)} metrics match", ran.seconds, detail)


def compare(
    printed: dict[str, tuple[float, int]], computed: dict[str, Any]
) -> list[tuple[str, float, Any]]:
    """(key, printed, computed) for every printed metric not reproduced to its precision."""
    mismatches = []
    for key, (value, decimals) in sorted(printed.items()):
        actual = computed.get(key)
        ok = (
            isinstance(actual, int | float)
            and not isinstance(actual, bool)
            and abs(actual - value) <= 0.5 * 10**-decimals + 1e-12
        )
        if not ok:
            mismatches.append((key, value, actual))
    return mismatches


def level_serve(project: Path, package: str, log: Path) -> Step:
    """L5: serve, then check /ready, /predict, the 422 and the row-alone predictions."""
    sample_path = project / "artifacts" / "sample_request.json"
    if not any(project.glob("src/*/service.py")):
        return Step("n/a", "no service: the project is a pipeline only (see its README)")
    if not sample_path.is_file():
        return Step("FAIL", "no artifacts/sample_request.json")
    sample = json.loads(sample_path.read_text(encoding="utf-8"))
    port = free_port()
    command = [sys.executable, "-m", package, "serve", "--host", LOOPBACK, "--port", str(port)]
    start = time.perf_counter()
    with log.open("wb") as sink:
        server = subprocess.Popen(
            command, cwd=project, env=project_env(project), stdout=sink, stderr=subprocess.STDOUT
        )
        try:
            base = f"http://{LOOPBACK}:{port}"
            wait_ready(base, server, log)
            detail = check_service(base, sample)
        except LevelFailedError as failed:
            return Step("FAIL", failed.reason, time.perf_counter() - start, failed.detail)
        finally:
            stop(server)
    return Step("ok", seconds=time.perf_counter() - start, detail=detail)


def check_service(base: str, sample: dict[str, Any]) -> dict[str, Any]:
    """The /predict checks against a ready server; raises LevelFailedError on the first miss."""
    instances = sample.get("instances") if isinstance(sample, dict) else None
    if not isinstance(instances, list) or not instances:
        raise LevelFailedError("sample_request.json has no instances")
    status, body = request(f"{base}/predict", sample)
    if status != 200:
        raise LevelFailedError(f"/predict sample -> {status}", body)
    predictions = body.get("predictions") if isinstance(body, dict) else None
    if not isinstance(predictions, list) or len(predictions) != len(instances):
        count = len(predictions) if isinstance(predictions, list) else None
        raise LevelFailedError(f"{count} predictions for {len(instances)} instances", body)
    bad, what = broken(instances[0])
    status, body = request(f"{base}/predict", {"instances": [bad]})
    if status != 422:
        raise LevelFailedError(f"broken instance ({shorten(what, 24)}) -> {status}, not 422", body)
    for index, instance in enumerate(instances):
        status, body = request(f"{base}/predict", {"instances": [instance]})
        if status != 200:
            raise LevelFailedError(f"instance {index} alone -> {status}", body)
        alone = body.get("predictions", [None])[0] if isinstance(body, dict) else None
        if not same(predictions[index], alone):
            raise LevelFailedError(
                f"instance {index}: batch {predictions[index]!r} != alone {alone!r}",
                {"batch": predictions[index], "alone": alone},
            )
    return {"instances": len(instances), "broken": what, "predictions": predictions[:5]}


# --------------------------------------------------------------------------- the ladder


def climb(notebook: Path, work: Path, skip_serve: bool) -> NotebookResult:
    """Run the levels for one notebook, stopping at the first that does not pass."""
    project = work / notebook.stem
    result = NotebookResult(notebook.name, str(project))
    steps = result.steps
    steps["L1"] = level_scaffold(notebook, project)
    if steps["L1"].status != "ok":
        return result
    try:
        result.package = package_of(project)
    except (OSError, LevelFailedError) as error:
        steps["L1"] = Step("FAIL", f"package name: {error}", steps["L1"].seconds)
        return result
    steps["L2"] = level_ruff(project)
    if steps["L2"].status != "ok":
        return result
    steps["L3"] = level_pytest(project, result.package)
    if steps["L3"].status != "ok":
        return result
    steps["L4"] = level_train(project, result.package)
    if steps["L4"].status not in {"ok", "ok~", "n/a"} or skip_serve:
        return result
    steps["L5"] = level_serve(project, result.package, work / f"{notebook.stem}.serve.log")
    return result


def table(results: list[NotebookResult]) -> str:
    """The results as a fixed-width text table."""
    header = ["notebook", "L1", "time s", "L2", "L3", "L4", "L5"]
    rows = [header]
    for result in results:
        seconds = result.scaffold_seconds
        cells = [result.steps[level].cell() for level in LEVELS]
        rows.append(
            [
                result.notebook.removesuffix(".ipynb"),
                cells[0],
                "-" if seconds is None else f"{seconds:.2f}",
                *cells[1:],
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def summary(results: list[NotebookResult]) -> str:
    """Counts per level (passed, n/a) and the median scaffold time."""
    parts = []
    for level in LEVELS:
        statuses = [result.steps[level].status for result in results]
        passed = statuses.count("ok") + statuses.count("ok~")
        text = f"{level} {passed}/{len(results)}"
        extra = [f"{statuses.count(s)} {s}" for s in ("ok~", "refused", "n/a") if statuses.count(s)]
        parts.append(text + (f" ({', '.join(extra)})" if extra else ""))
    times = [r.scaffold_seconds for r in results if r.steps["L1"].status == "ok"]
    median = f"{statistics.median(t for t in times if t is not None):.2f} s" if times else "-"
    return f"{'; '.join(parts)}; median scaffold time {median}"


def notebooks_in(folder: Path, only: str | None) -> list[Path]:
    """The notebooks of `folder`, sorted, optionally only the one named `only`."""
    found = sorted(folder.glob("*.ipynb"))
    if only:
        found = [nb for nb in found if only in {nb.name, nb.stem}]
    return found


def main() -> int:
    """Run the ladder and print the table; the exit code is 0 even when levels fail."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("folder", type=Path, help="a folder of .ipynb notebooks")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(tempfile.gettempdir()) / "scaffold-ladder",
        help="work folder for the projects and ladder.json (default: %(default)s)",
    )
    parser.add_argument("--only", help="only the notebook with this name or stem")
    parser.add_argument("--skip-serve", action="store_true", help="do not run L5")
    args = parser.parse_args()
    notebooks = notebooks_in(args.folder.resolve(), args.only)
    if not notebooks:
        print(f"no notebooks in {args.folder}" + (f" named {args.only}" if args.only else ""))
        return 2
    work = args.out.resolve()
    work.mkdir(parents=True, exist_ok=True)
    results = []
    for notebook in notebooks:
        print(f"... {notebook.name}", file=sys.stderr, flush=True)
        results.append(climb(notebook, work, args.skip_serve))
    print(table(results))
    print(summary(results))
    report = {"results": [asdict(r) for r in results], "summary": summary(results)}
    (work / "ladder.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"details: {work / 'ladder.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
