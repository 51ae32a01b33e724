"""Learn category levels once.

`pd.get_dummies(df, columns=cols)` becomes
`pd.get_dummies(state.categories("dummies", df, cols), columns=cols)`.

The categories seen in training are recorded and applied to every later frame, so a single row
gets the same dummy columns, in the same order, as the training data; an unseen level gets zeros.
"""

from __future__ import annotations

import libcst as cst

from scaffold.extract.statements import Stmt
from scaffold.naming import unique_name


class LearnCategories(cst.CSTTransformer):
    """Give every `get_dummies` call the categories learnt in training."""

    def __init__(self, taken: set[str], state_name: str = "state") -> None:
        super().__init__()
        self.taken = taken
        self.state_name = state_name
        self.learnt: list[str] = []

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        func = updated_node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
        if name != "get_dummies" or not updated_node.args:
            return updated_node
        data = updated_node.args[0]
        if data.keyword is not None:
            return updated_node
        columns = next(
            (
                arg.value
                for arg in updated_node.args
                if arg.keyword and arg.keyword.value == "columns"
            ),
            None,
        )
        key = self._name()
        state_args = [cst.Arg(cst.SimpleString(f'"{key}"')), cst.Arg(data.value)]
        if columns is not None:
            state_args.append(cst.Arg(columns))
        learnt = cst.Call(
            cst.Attribute(cst.Name(self.state_name), cst.Name("categories")), state_args
        )
        args = [data.with_changes(value=learnt), *updated_node.args[1:]]
        return updated_node.with_changes(args=args)

    def _name(self) -> str:
        name = unique_name("dummies", self.taken)
        self.learnt.append(name)
        return name


def learn_categories(node: Stmt, taken: set[str]) -> Stmt:
    """`node` with its `get_dummies` calls given learnt categories."""
    result = node.visit(LearnCategories(taken))
    assert isinstance(result, Stmt)
    return result
