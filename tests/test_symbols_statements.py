"""Each statement's symbols come from the cell's one libcst pass, equal to a pass of its own."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from scaffold.analysis import Analysis
from scaffold.analysis.symbols import gather_symbols, statement_starts, statement_symbols
from scaffold.extract.rewrites.settings_literals import replace_literals
from scaffold.extract.statements import split_statements, statement_of

# A spread of cells whose statements see names bound by other statements of the cell: a
# builtin's name rebound earlier (`len`, `list`), a name bound before and after, decorators
# and comments before a statement, nested scopes, imports, `global`, `del`, in-place calls.
CELLS = [
    "len = 3\nprint(len(x))\nlist = []\n[list.append(i) for i in r]\n[m.fit(X, y) for m in ms]",
    "x = 1\nx = x + 1\ny = [x for x in data]\ndel y, z[0]\nz += 1\nw = z",
    "# header\n\n# leading\n@decorate(\n    now,\n)\n# between\ndef f(a):\n    global g\n"
    "    g = a + later\n    return helper(a)\nlater = 2\n\n\nclass C(Base):\n    k = f(1)\n",
    "import numpy as np\nfrom sklearn import svm as s\nmodel = s.SVC().fit(X, y)\n"
    "np.random.shuffle(rows)\ndf.drop(columns=['a'], inplace=True)\ntarget = df['y']",
    "if ready:\n    frame = load()\n    # a comment at the end of the block\n"
    "frame['b'] = frame.pop('c')\nf = lambda v: v * scale\nscale = 2\nf(3); print(scale)",
    "for i, row in enumerate(rows):\n    total = total + row\nelse:\n    done = True\n"
    "with open(p) as handle:\n    text = handle.read()\ntry:\n    n = int(text)\n"
    "except ValueError as error:\n    n = 0\ntext",
]


def _statements(code: str) -> Iterator[tuple[cst.Module, cst.BaseStatement]]:
    module = cst.parse_module(code)
    for statement in module.body:
        yield module, statement


@pytest.mark.parametrize("code", CELLS)
def test_each_statement_gets_what_a_pass_of_its_own_gives(code: str) -> None:
    module = cst.parse_module(code)
    sliced = statement_symbols(module)
    alone = [gather_symbols(cst.Module(body=[statement])) for statement in module.body]
    assert list(sliced) == alone


def test_a_builtin_rebound_by_an_earlier_statement_is_the_builtin_for_a_statement_alone() -> None:
    module = cst.parse_module("len = 3\nprint(len(x))\nlist = []\n[list.append(i) for i in r]")
    read, _, appended = (statement_symbols(module)[index] for index in (1, 2, 3))
    cell = gather_symbols(module)
    assert read.reads == {"x"}  # alone, `len` is the builtin
    assert not appended.mutates  # alone, `list` is the builtin, as gathered before
    assert cell.reads == {"x", "r"}
    assert cell.mutated_names == {"list"}  # in the cell, `list` is the cell's own


@pytest.mark.parametrize("code", CELLS)
def test_statement_lines_are_where_libcst_puts_them(code: str) -> None:
    module = cst.parse_module(code)
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    expected = [positions[statement].start.line for statement in module.body]
    assert [line for _, line in statement_starts(module)] == expected
    alone = [cst.Module(body=[]).code_for_node(statement) for statement in module.body]
    assert [line for _, line in statement_starts(module, alone)] == expected


@pytest.fixture
def resolutions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts libcst metadata passes: one entry per `MetadataWrapper` made."""
    made: list[int] = []
    original = MetadataWrapper.__init__

    def counting(self: MetadataWrapper, *args: object, **kwargs: object) -> None:
        made.append(1)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(MetadataWrapper, "__init__", counting)
    return made


def test_a_cell_of_many_statements_takes_one_metadata_pass(
    analyse_cells: Callable[..., Analysis], resolutions: list[int]
) -> None:
    code = "\n".join(f"value_{i} = source_{i}.mean() + {i}" for i in range(12))
    analysis = analyse_cells([code])
    assert len(resolutions) == 1  # the analysis: symbols, statements and literals share it
    cell = analysis.cell(1)
    assert len(cell.statements) == 12
    resolutions.clear()
    module = cst.parse_module(cell.cell.code)
    statements = split_statements(1, module, dict(cell.statements))
    assert not resolutions  # extraction reuses the analysis' facts
    assert [s.symbols.reads for s in statements] == [{f"source_{i}"} for i in range(12)]
    assert [s.line for s in statements] == list(range(1, 13))
    split_statements(2, cst.parse_module(code.replace("source", "origin")))
    assert len(resolutions) == 1  # statements nobody gathered yet: one pass for the cell


def test_a_rebuilt_statement_with_the_same_code_is_not_gathered_again(
    resolutions: list[int],
) -> None:
    node = cst.parse_module("model = make(alpha)\n").body[0]
    statement = statement_of(1, 1, node)  # type: ignore[arg-type]
    resolutions.clear()
    rebuilt = statement.replaced(node.deep_clone())  # type: ignore[arg-type]
    assert not resolutions
    assert rebuilt.symbols == statement.symbols
    new_node = cst.parse_module("model = make(settings.alpha)\n").body[0]
    changed = statement.replaced(new_node)  # type: ignore[arg-type]
    assert changed.symbols.reads == {"make", "settings"}


def test_replacing_literals_leaves_the_other_statements_as_they_were() -> None:
    module = cst.parse_module(
        "@cache(size=8)\ndef f():\n    return 1\nmodel = Model(depth=3)\nshow(model, 5)\n"
    )
    rewritten = replace_literals(module, {(1, 12): "cache.size", (4, 20): "model.depth"})
    assert rewritten.code == (
        "@cache(size=settings.cache.size)\ndef f():\n    return 1\n"
        "model = Model(depth=settings.model.depth)\nshow(model, 5)\n"
    )
    assert rewritten.body[2] is module.body[2]  # no setting in it: the same node, not rebuilt


def test_the_analysis_parses_each_cell_once_and_walks_it_once(
    analyse_cells: Callable[..., Analysis], monkeypatch: pytest.MonkeyPatch
) -> None:
    parses: list[str] = []
    walks: list[str] = []
    original_parse = cst.parse_module
    original_walk = cst.Module.visit
    original_batch = MetadataWrapper.visit_batched

    def parse(code: str, *args: object, **kwargs: object) -> cst.Module:
        parses.append(code)
        return original_parse(code, *args, **kwargs)  # type: ignore[arg-type]

    def walk(self: cst.Module, visitor: cst.CSTVisitorT) -> cst.Module:
        if type(visitor).__module__.startswith("scaffold"):
            walks.append(type(visitor).__name__)
        return original_walk(self, visitor)  # type: ignore[return-value]

    def batch(self: MetadataWrapper, visitors: list[object], *args: object) -> cst.CSTNode:
        names = sorted(type(visitor).__name__ for visitor in visitors)
        if not all(name.endswith("Provider") for name in names):  # not libcst's metadata
            walks.append("+".join(names))
        return original_batch(self, visitors, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(cst, "parse_module", parse)
    monkeypatch.setattr(cst.Module, "visit", walk)
    monkeypatch.setattr(MetadataWrapper, "visit_batched", batch)
    analysis = analyse_cells(["import pandas as pd", "df = pd.read_csv('data.csv')\ndf.head()"])
    assert len(parses) == 2  # the loop unrolling's parse serves the analysis too
    assert walks == ["_Collector+_LiteralCollector"] * 2  # symbols and literals: one walk
    assert [use.value for use in analysis.settings] == ["data.csv"]
