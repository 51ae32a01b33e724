"""Scaffold every notebook of a folder and compare the generated files with a saved run.

    python benchmarks/diff_run.py FOLDER --save DIR      # keep this run as the reference
    python benchmarks/diff_run.py FOLDER --against DIR   # compare this run with the reference

Every `*.ipynb` of FOLDER and of its direct subfolders (a notebook with its data in a folder of
its own) is scaffolded in this process with `--no-verify --no-git`, by the scaffold beside this
script (not the installed one). One line per notebook: `identical`, `differs` (the files, and an
excerpt of a unified diff), `refused` (and whether with the same message), `crashed`, or `new`
/ `missing` against the reference. Exit code 1 when any notebook is not identical. The template
store's tag (`_commit` in `.copier-answers.yml`) is not compared: it changes with any edit of
`templates/`, whose effect shows in the rendered files themselves.

Not a test: the guard for a refactoring that must not change what scaffold generates.
"""

from __future__ import annotations

import argparse
import difflib
import shutil
import sys
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this worktree's scaffold, whatever is installed

REFUSED = "REFUSED.txt"  # a refusal's message, in place of the project
CRASHED = "CRASHED.txt"  # the traceback of an unexpected error
EXCERPT_LINES = 40
CACHES = {"__pycache__", ".ruff_cache", ".pytest_cache"}
ANSWERS = ".copier-answers.yml"  # its `_commit` names the store's tag of the template, which
# gets a new `+dev.N` tag whenever templates/ changes: the rendered files show such changes


@dataclass(frozen=True)
class Verdict:
    """One notebook's outcome against the reference."""

    name: str
    status: str  # identical | differs | refused | crashed | new | missing
    detail: str = ""
    unchanged: bool = False  # refused or crashed as in the reference


def notebooks(folder: Path) -> list[Path]:
    """The notebooks of `folder` and of its direct subfolders, by path."""
    return sorted([*folder.glob("*.ipynb"), *folder.glob("*/*.ipynb")])


def key(notebook: Path, folder: Path) -> str:
    """A notebook's name in the run: its subfolder's name when alone there, else its path."""
    if notebook.parent != folder and len(list(notebook.parent.glob("*.ipynb"))) == 1:
        return notebook.parent.name
    return str(notebook.relative_to(folder).with_suffix("")).replace("/", "__")


def scaffold_one(notebook: Path, target: Path) -> None:
    """Generate `notebook`'s project into `target`, or write why it could not be."""
    from scaffold.api import scaffold_project
    from scaffold.errors import ScaffoldError

    try:
        scaffold_project(notebook, target, force=True, git=False, verify=False)
    except ScaffoldError as error:
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        (target / REFUSED).write_text(f"{error}\n")
    except Exception:
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        (target / CRASHED).write_text(traceback.format_exc())


def scaffold_all(folder: Path, out: Path) -> list[str]:
    """Scaffold every notebook of `folder` into `out/<key>`; their keys."""
    names = []
    for notebook in notebooks(folder):
        name = key(notebook, folder)
        scaffold_one(notebook, out / name)
        names.append(name)
    return names


def files(project: Path) -> dict[str, Path]:
    """The files of a generated project by relative path (caches left out)."""
    return {
        str(path.relative_to(project)): path
        for path in sorted(project.rglob("*"))
        if path.is_file() and not CACHES & set(path.parts)
    }


def read(path: Path) -> list[str]:
    """A file's lines (the template store's tag left out), or one line naming it as binary."""
    try:
        lines = path.read_text().splitlines(keepends=True)
    except UnicodeDecodeError:
        return [f"<binary, {path.stat().st_size} bytes>\n"]
    if path.name == ANSWERS:
        lines = [line for line in lines if not line.startswith("_commit:")]
    return lines


def message(path: Path) -> str:
    """A saved refusal, or a traceback's last line (its frames change with the code)."""
    text = path.read_text().strip()
    return text.splitlines()[-1] if path.name == CRASHED else text


def compare(name: str, new: Path, old: Path) -> Verdict:
    """This run's project `new` against the saved `old`."""
    if not old.exists():
        return Verdict(name, "new", "not in the reference")
    for marker, status in ((REFUSED, "refused"), (CRASHED, "crashed")):
        if (new / marker).exists():
            now = message(new / marker)
            was = message(old / marker) if (old / marker).exists() else None
            same = "same message" if was == now else "was not" if was is None else "was"
            detail = f"{same}: {now}" if was in (None, now) else f"{now} ({same}: {was})"
            return Verdict(name, status, detail, same == "same message")
    if any((old / marker).exists() for marker in (REFUSED, CRASHED)):
        return Verdict(name, "differs", "generated now, refused or crashed in the reference")
    now, before = files(new), files(old)
    changed = sorted(
        path
        for path in now.keys() | before.keys()
        if path not in now
        or path not in before
        or (
            now[path].read_bytes() != before[path].read_bytes()
            and read(now[path]) != read(before[path])
        )
    )
    if not changed:
        return Verdict(name, "identical", unchanged=True)
    excerpt: list[str] = []
    for path in changed:
        excerpt += difflib.unified_diff(
            read(before[path]) if path in before else [],
            read(now[path]) if path in now else [],
            f"saved/{path}",
            f"now/{path}",
            n=1,
        )
    shown = "".join(excerpt[:EXCERPT_LINES])
    more = (
        f"    ... {len(excerpt) - EXCERPT_LINES} more diff lines\n"
        if len(excerpt) > EXCERPT_LINES
        else ""
    )
    return Verdict(name, "differs", f"{', '.join(changed)}\n{shown}{more}")


def main() -> None:
    """Save or compare a run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("folder", type=Path, help="the folder of notebooks")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--save", type=Path, metavar="DIR", help="write this run to DIR")
    mode.add_argument("--against", type=Path, metavar="DIR", help="compare with the run in DIR")
    args = parser.parse_args()
    folder = args.folder.resolve()
    if args.save:
        shutil.rmtree(args.save, ignore_errors=True)
        for name in scaffold_all(folder, args.save.resolve()):
            outcome = (
                "refused" if (args.save / name / REFUSED).exists()
                else "crashed" if (args.save / name / CRASHED).exists()
                else "saved"
            )  # fmt: skip
            print(f"{name:<48} {outcome}", flush=True)
        return
    reference = args.against.resolve()
    with tempfile.TemporaryDirectory(prefix="diff-run-") as scratch:
        out = Path(scratch)
        names = scaffold_all(folder, out)
        verdicts = [compare(name, out / name, reference / name) for name in names]
    verdicts += [
        Verdict(path.name, "missing", "in the reference, not in this run")
        for path in sorted(reference.iterdir())
        if path.is_dir() and path.name not in names
    ]
    for verdict in verdicts:
        print(f"{verdict.name:<48} {verdict.status}  {verdict.detail}".rstrip(), flush=True)
    counts: dict[str, int] = {}
    for verdict in verdicts:
        counts[verdict.status] = counts.get(verdict.status, 0) + 1
    print("total:", ", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
    sys.exit(0 if all(verdict.unchanged for verdict in verdicts) else 1)


if __name__ == "__main__":
    main()
