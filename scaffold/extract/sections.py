"""Serve one model of a notebook that fits several on different data.

A tutorial fits a model, makes new data, fits another on it, and so on: no one set of served
inputs belongs to every model, so the whole pipeline has no service. The project can still
serve one of them faithfully: the cells that model depends on (through the data flow, and
through the global random state) compute exactly what the notebook computed for it. The
later models are tried first, since a notebook's last model is usually its final word.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from scaffold.analysis import Analysis, Finding, focus
from scaffold.analysis.roles import qualify
from scaffold.analysis.symbols import CellSymbols
from scaffold.errors import ExtractionError
from scaffold.extract.layout import lay_out
from scaffold.extract.service import fits_model, planned_problem
from scaffold.extract.stage_code import StageCode, fits_transformers_only
from scaffold.extract.stage_plan import Plan, plan_stages
from scaffold.notebook import Role

MAX_CANDIDATES = 8
"""Models tried, last first; each is planned (reusing the whole pipeline's cell statements) and
laid out only when its plan does not show already that it is not served."""
RNG_CONSTRUCTORS = frozenset(
    {"default_rng", "RandomState", "Generator", "SeedSequence", "PCG64", "MT19937", "Random"}
)
"""`numpy.random` and `random` names that make a generator of their own (no global draw)."""
RANDOM_MODULES = frozenset({"numpy.random", "random"})
GENERATOR_KEYWORDS = frozenset({"random_state", "rng", "seed", "generator"})
"""Keywords that hand a random generator on (`train_test_split(..., random_state=rng)`)."""
SUPPORTING_ROLES = frozenset({Role.IMPORTS, Role.DEFINITIONS})


@dataclass(frozen=True)
class Narrowed:
    """The pipeline of the one model served, and the cells left out with the other models.

    Attributes:
        analysis: the analysis of the cells kept (their task and target).
        pipeline: the cells kept, in notebook order.
        stages: their stage code (servable).
        left_out: cell -> why it is not in the project.
        choice: which model is served and why, a sentence for the project's README.
    """

    analysis: Analysis
    pipeline: tuple[int, ...]
    stages: StageCode
    left_out: Mapping[int, str]
    choice: str


def narrow_to_one_model(analysis: Analysis, whole: Plan, stages: StageCode) -> Narrowed | None:
    """The pipeline of the last model that can be served alone, when the whole one cannot be.

    `whole`: the plan of the whole pipeline, `stages` its layout. Only for a notebook that makes
    its data anew after the first model. None when the whole pipeline is served already, fits
    at most one model, or no single model of it can be served.
    """
    if stages.servable:
        return None
    pipeline = whole.pipeline
    graph = _CellGraph(analysis, pipeline)
    fitting = [number for number in reversed(pipeline) if graph.fits(number)]
    if len(fitting) < 2 or not (stages.new_data_problem or graph.makes_data_anew(fitting)):
        return None  # models fitted on the same data: which to serve is no choice to make
    tried: set[tuple[int, ...]] = set()
    last_problem = stages.no_service_reason  # why the last model is not served
    for cell in fitting[:MAX_CANDIDATES]:
        kept = graph.kept_for(cell)
        if kept == tuple(pipeline) or kept in tried:
            continue
        tried.add(kept)
        focused = focus(analysis, kept)
        try:
            plan = plan_stages(focused, kept, whole.cells)
            if cell != fitting[0] and planned_problem(plan.joined, plan.task):
                continue  # its plan shows it is not served: no need to lay it out
            narrowed = lay_out(focused, plan)
        except ExtractionError:
            continue  # this model's cells alone do not extract: try the one before
        if narrowed.servable:
            return _report(focused, pipeline, kept, narrowed, cell, fitting, last_problem)
        if cell == fitting[0]:
            last_problem = narrowed.no_service_reason  # said of it alone
    return None


def _report(
    analysis: Analysis,
    pipeline: Sequence[int],
    kept: tuple[int, ...],
    stages: StageCode,
    cell: int,
    fitting: list[int],
    last_problem: str,
) -> Narrowed:
    model = stages.estimator
    left_out = {
        number: f"another model's work: the project serves {model} (cell {cell})"
        for number in pipeline
        if number not in kept
    }
    fits = _ranges(sorted(fitting))
    cells = _ranges(sorted(left_out))
    later = fitting[0] != cell
    why_not_later = f"cell {fitting[0]}'s model is not served: {last_problem}"
    warning = Finding(
        f"the notebook fits models on different data (cells {fits}); the project serves "
        f"{model} (cell {cell}), the last that can be served alone, and leaves the other "
        f"models' cells {cells} out" + (f"; {why_not_later}" if later else ""),
        cell=cell,
    )
    choice = (
        f"The notebook fits models on different data (cells {fits}). This project serves "
        f"{model} (cell {cell}), the last that can be served alone, with the cells it depends "
        f"on; the other models' cells ({cells}) are left out."
        + (f" {why_not_later[0].upper()}{why_not_later[1:]}." if later else "")
    )
    stages = replace(stages, warnings=(*stages.warnings, warning))
    return Narrowed(analysis, kept, stages, left_out, choice)


def _ranges(numbers: list[int]) -> str:
    """`[2, 3, 4, 7]` -> `2-4, 7`."""
    spans: list[list[int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


class _CellGraph:
    """Which pipeline cells a cell depends on, and which later ones only look at its values."""

    def __init__(self, analysis: Analysis, pipeline: Sequence[int]) -> None:
        self.pipeline = tuple(pipeline)
        members = set(pipeline)
        self.producers: dict[int, set[int]] = {number: set() for number in pipeline}
        self.data_producers: dict[int, set[int]] = {number: set() for number in pipeline}
        self.modules = frozenset(analysis.imports)
        self.estimators = analysis.estimators
        self.symbols = {number: analysis.cell(number).symbols for number in pipeline}
        self.supporting = {n for n in pipeline if analysis.cell(n).role in SUPPORTING_ROLES}
        self.random = _random_draws(self.symbols, analysis.imports)
        not_data = self.modules | self.random.keys()  # reading a generator is no look at data
        for flow in analysis.flows:
            if flow.consumer in members and flow.producer in members:
                self.producers[flow.consumer].add(flow.producer)
                if flow.name not in not_data:
                    self.data_producers[flow.consumer].add(flow.producer)

    def kept_for(self, fit_cell: int) -> tuple[int, ...]:
        """The cells `fit_cell` needs, plus later cells that look at what those made.

        A later cell is kept when it reads values (not only modules) made by kept cells and
        needs nothing else; a cell that fits another model is not.
        """
        kept = self._needed({fit_cell})
        for number in self.pipeline:
            if number <= fit_cell or number in kept or self.fits(number):
                continue
            needs = self._needed({number}) - {number}
            if self.data_producers[number] & kept and needs <= kept | self.supporting:
                kept |= needs | {number}
        return tuple(number for number in self.pipeline if number in kept)

    def fits(self, number: int) -> bool:
        """Cell `number` fits a model."""
        return _fits(self.symbols[number], self.estimators)

    def makes_data_anew(self, fitting: Sequence[int]) -> bool:
        """A later cell binds afresh (without reading it) the data a model was fitted on."""
        for fit_cell in fitting:
            fit = self.symbols[fit_cell]
            data = fit.reads - self.modules if fit is not None else set()
            for number in self.pipeline:
                later = self.symbols[number]
                if number > fit_cell and later is not None and (later.defines & data) - later.reads:
                    return True
        return False

    def _needed(self, start: set[int]) -> set[int]:
        """`start` and every cell it depends on, through values and the global random state."""
        needed, todo = set(), list(start)
        while todo:
            number = todo.pop()
            if number in needed:
                continue
            needed.add(number)
            todo.extend(self.producers[number])
            for drawing in self.random.values():
                if number in drawing:  # its draws depend on every draw made before it
                    todo.extend(n for n in drawing if n < number)
        return needed


def _random_draws(
    symbols: Mapping[int, CellSymbols | None], imports: Mapping[str, str]
) -> dict[str, set[int]]:
    """Random state -> the cells that draw from it: the global one, and each generator's.

    `np.random.normal()` draws from the global state, and seeding it sets it. A generator is a
    name bound where one is made (`rng = np.random.default_rng(0)`) and then drawn from
    (`rng.normal()`) or handed on (`random_state=rng`); every cell that reads it may draw.
    """
    cells = {number: found for number, found in symbols.items() if found is not None}
    drawn_from = {
        name
        for found in cells.values()
        for call in found.calls
        for name in (
            call.dotted.split(".")[0] if "." in call.dotted else None,
            *(value for key, value in call.keyword_dotted if key in GENERATOR_KEYWORDS),
        )
        if name is not None
    }
    draws: dict[str, set[int]] = {}
    generators: set[str] = set()
    for number, found in cells.items():
        for call in found.calls:
            module, _, function = qualify(call.dotted, imports).rpartition(".")
            if module not in RANDOM_MODULES:
                continue
            if function in RNG_CONSTRUCTORS:
                generators |= (found.defines & drawn_from) - imports.keys()
            else:
                draws.setdefault("global", set()).add(number)
    for number, found in cells.items():
        for name in (found.reads | found.defines) & generators:
            draws.setdefault(name, set()).add(number)
    return draws


def _fits(symbols: CellSymbols | None, estimators: Mapping[str, str]) -> bool:
    """The cell fits a model (`m.fit(...)`, `auto_arima(y)`), not only a transformer."""
    return (
        symbols is not None
        and any(fits_model(call) for call in symbols.calls)
        and not fits_transformers_only(symbols, estimators)
    )
