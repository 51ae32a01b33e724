"""The fast node walk and the name search built on it."""

from __future__ import annotations

import inspect

import libcst as cst

import scaffold.extract.layout
from scaffold.cst_search import has_shared_nodes, iter_nodes
from scaffold.extract.names import names_in

CODE = '''
"""A module."""
from __future__ import annotations
import numpy as np, pandas as pd

@decorate(level=2)
class Model(Base, metaclass=Meta):
    rate: float = 0.1

    async def fit(self, X, /, y=None, *args, key: int = 3, **kw) -> Model:
        global counter
        async with lock as held, other():
            total = [a * b for a, b in zip(X, y) if a if b]
        try:
            result = await go(f"{total!r:>{width}}", *args, **kw)
        except (ValueError, KeyError) as error:
            raise RuntimeError("no") from error
        else:
            pass
        finally:
            del held
        match result:
            case {"k": [1, *rest]} | Point(x=0) if rest:
                return lambda q=1, *, r: q ** r
        return self

frame = pd.read_csv("x.csv")[lambda d: d.a > 0].loc[:, ["a", "b"]]
fit = smf.ols("y ~ np.log(x) + C(group)", data=frame).fit()
x: int
x += 1; y = z if x else ~w; assert x, "message"
while (n := next(it)) is not None:
    print(n, sep="", end=...)
'''


class _EveryNode(cst.CSTVisitor):
    def __init__(self) -> None:
        self.seen: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.seen.append(node)
        return True


def test_iter_nodes_meets_every_node_a_visitor_meets() -> None:
    for source in (CODE, inspect.getsource(scaffold.extract.layout)):
        module = cst.parse_module(source)
        visitor = _EveryNode()
        module.visit(visitor)
        walked = list(iter_nodes(module))
        assert len(walked) == len(visitor.seen)
        assert {id(node) for node in walked} == {id(node) for node in visitor.seen}


def test_names_in_finds_names_and_formula_callees() -> None:
    found = names_in(cst.parse_module(CODE).body)
    assert {"np", "pd", "Model", "fit", "counter", "held", "rest", "q", "r", "width"} <= found.names
    assert {"read_csv", "loc", "key", "level"} <= found.names  # attributes and keywords too
    assert found.in_formulas == {"np", "C"}


def test_has_shared_nodes() -> None:
    statement = cst.parse_statement("x = 1\n")
    assert not has_shared_nodes(cst.parse_module(CODE))
    assert not has_shared_nodes(cst.Module(body=[statement, cst.parse_statement("x = 1\n")]))
    assert has_shared_nodes(cst.Module(body=[statement, statement]))
