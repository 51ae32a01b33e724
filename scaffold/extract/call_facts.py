"""What the analysis says of each call of the pipeline: asked once per call, while planning.

Takes the `Analysis` and the pipeline's statements; gives `CallFacts`: each call's role
(`roles.classify_call`) and each callee's name through the notebook's import aliases
(`roles.qualify`). Routing and dead-code removal read them here instead of asking the analysis
again for every statement; a call that a rewrite made (`state.statistic(...)`) is classified
when met, from the same imports and estimators.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from scaffold.analysis import Analysis
from scaffold.analysis.roles import classify_call, qualify
from scaffold.analysis.symbols import Call
from scaffold.extract.statements import Statement
from scaffold.notebook import Role


@dataclass(frozen=True)
class CallFacts:
    """The role of each call, and the qualified name of each callee and changed name.

    Attributes:
        imports: the notebook's import aliases (alias -> module or object).
        estimators: name -> the class it was made from (`clf` -> `SVC`).
        roles: call -> the role it suggests, if any.
        qualified: dotted name as written -> through the import aliases (`pd.x` -> `pandas.x`).
    """

    imports: Mapping[str, str]
    estimators: Mapping[str, str]
    roles: Mapping[Call, Role | None]
    qualified: Mapping[str, str]

    def role(self, call: Call) -> Role | None:
        """The role `call` suggests, if any."""
        if call in self.roles:
            return self.roles[call]
        return classify_call(call, self.imports, self.estimators)

    def qualify(self, dotted: str) -> str:
        """`pd.read_csv` -> `pandas.read_csv`."""
        found = self.qualified.get(dotted)
        return found if found is not None else qualify(dotted, self.imports)


def call_facts(analysis: Analysis, statements: Iterable[Statement]) -> CallFacts:
    """The facts of every call of `statements`, each asked of the analysis once."""
    imports, estimators = analysis.imports, analysis.estimators
    calls: set[Call] = set()
    names: set[str] = set()
    for statement in statements:
        calls |= set(statement.symbols.calls)
        names |= statement.symbols.mutated_names
    names |= {call.dotted for call in calls}
    return CallFacts(
        MappingProxyType(dict(imports)),
        MappingProxyType(dict(estimators)),
        MappingProxyType({call: classify_call(call, imports, estimators) for call in calls}),
        MappingProxyType({name: qualify(name, imports) for name in names}),
    )
