"""What one cell defines, reads, imports and changes in place (libcst scopes)."""

from __future__ import annotations

import libcst as cst
import pytest

from scaffold.analysis.symbols import CellSymbols, gather_symbols


def symbols(code: str) -> CellSymbols:
    return gather_symbols(cst.parse_module(code))


def test_defines_reads_imports_functions_classes() -> None:
    found = symbols(
        "import numpy as np\nfrom sklearn import svm as s\n"
        "def f(a):\n    return a + offset\nclass C:\n    pass\n"
        "y = np.log(x)\nz = y + 1\n"
    )
    assert found.defines == {"np", "s", "f", "C", "y", "z"}
    assert found.reads == {"x", "offset"}
    assert found.functions == {"f"}
    assert found.classes == {"C"}
    assert [(item.alias, item.target) for item in found.imports] == [
        ("np", "numpy"),
        ("s", "sklearn.svm"),
    ]


@pytest.mark.parametrize(
    ("code", "reads"),
    [
        ("x = x + 1", {"x"}),  # the old value comes from an earlier cell
        ("x = 1\ny = x", set()),  # bound before it is read
        ("squares = [i * i for i in values]", {"values"}),  # comprehension variable is local
        ("f = lambda a: a * k", {"k"}),
        ("print(len(data))", {"data"}),  # builtins are not reads
        ("for i in items:\n    total = i", {"items"}),
    ],
)
def test_reads(code: str, reads: set[str]) -> None:
    assert symbols(code).reads == reads


MUTATIONS = [
    ("df.drop(columns=['a'], inplace=True)", "df", "inplace=True"),
    ("df.fillna(0, inplace=True)", "df", "inplace=True"),
    ("df['a'].fillna(0, inplace=True)", "df", "inplace=True"),
    ("lst.append(x)", "lst", ".append()"),
    ("lst.extend(more)", "lst", ".extend()"),
    ("cache.update(new)", "cache", ".update()"),
    ("items.sort()", "items", ".sort()"),
    ("model.fit(X, y)", "model", ".fit()"),
    ("np.random.shuffle(a)", "a", "np.random.shuffle()"),
    ("df['b'] = 1", "df", "assignment to an item or attribute"),
    ("df.loc[df.a > 0, 'b'] = 1", "df", "assignment to an item or attribute"),
    ("df.columns = ['a', 'b']", "df", "assignment to an item or attribute"),
    ("df['a'], df['b'] = 1, 2", "df", "assignment to an item or attribute"),
    ("counts['x'] += 1", "counts", "augmented assignment"),
    ("del df['a']", "df", "del of an item or attribute"),
    ("del config.option", "config", "del of an item or attribute"),
]


@pytest.mark.parametrize(("code", "name", "how"), MUTATIONS)
def test_mutation_forms(code: str, name: str, how: str) -> None:
    found = symbols(code)
    assert {(m.name, m.line, m.how) for m in found.mutates} == {(name, 1, how)}
    assert name in found.reads  # the object changed comes from an earlier cell


def test_augmented_assignment_of_a_name_reads_and_binds() -> None:
    found = symbols("total += 1")
    assert found.reads == {"total"}
    assert "total" in found.defines


def test_del_of_a_name() -> None:
    assert symbols("del frame").deletes == {"frame"}


@pytest.mark.parametrize(
    "code",
    [
        "def f(d):\n    d.append(1)",  # inside a function: not at module level
        "df2 = df.drop(columns=['a'])",  # returns a new frame
        "df.fillna(0, inplace=False)",
        "make().append(1)",  # a new object
    ],
)
def test_not_mutations(code: str) -> None:
    assert symbols(code).mutates == ()


def test_mutation_of_a_name_bound_in_the_same_cell_is_not_a_read() -> None:
    found = symbols("lst = []\nlst.append(1)")
    assert found.mutated_names == {"lst"}
    assert found.reads == frozenset()


def test_constructed_and_column_picks() -> None:
    found = symbols(
        "model = RandomForestClassifier(n_estimators=10).fit(X, y)\n"
        "y = df['churn']\nlabel = df.pop('target')"
    )
    assert found.constructed == (("model", "RandomForestClassifier"),)
    assert found.column_picks == (("y", "churn"), ("label", "target"))


def test_statement_kinds() -> None:
    found = symbols(
        '"""doc"""\nimport os\nx = 1\ny = f()\nf()\ndef g():\n    pass\nif x:\n    pass'
    )
    assert found.statement_kinds == (
        "docstring",
        "import",
        "literal",
        "assign",
        "expression",
        "def",
        "other",
    )


@pytest.mark.parametrize(
    "code",
    [
        "models = (clf.fit(X, y) for clf in models)",  # the generator's own `clf`
        "fitted = [clf.fit(X, y) for clf in models]",
        "fitted = {name: clf.fit(X, y) for name, clf in models.items()}",
        "shuffled = [np.random.shuffle(a) for a in arrays]",
        # a module-level `clf` bound later in the cell is another name
        "models = (clf.fit(X, y) for clf in models)\nfor clf in models:\n    clf.predict(X)",
    ],
)
def test_a_comprehension_variable_is_not_a_module_name(code: str) -> None:
    found = symbols(code)
    assert found.mutates == ()
    assert "clf" not in found.reads
    assert "a" not in found.reads


def test_a_comprehension_changes_a_module_name_it_does_not_bind() -> None:
    """The comprehension runs with the cell: `model` is the module's, fitted now."""
    found = symbols("scores = [model.fit(X, y).score(X, y) for _ in range(3)]")
    assert {(m.name, m.how) for m in found.mutates} == {("model", ".fit()")}
    assert found.reads == {"model", "X", "y"}


@pytest.mark.parametrize(
    ("code", "reads", "deferred"),
    [
        ("def f(v):\n    return np.log(v)", {"np"}, {"np"}),  # looked up when called
        ("f = lambda v: np.log(v)", {"np"}, {"np"}),
        ("class C:\n    def m(self):\n        return np.e", {"np"}, {"np"}),
        ("c = np.pi\ndef f():\n    return np.e", {"np"}, set()),  # read now too
        ("logs = [np.log(v) for v in values]", {"np", "values"}, set()),  # runs now
        ("class C:\n    scale = np.pi", {"np"}, set()),  # a class body runs now
    ],
)
def test_deferred_reads(code: str, reads: set[str], deferred: set[str]) -> None:
    found = symbols(code)
    assert found.reads == reads
    assert found.deferred_reads == deferred
