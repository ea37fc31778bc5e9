"""The contract package's shape: each part imports only the parts below it, and no cycle.

The parts, bottom to top, are those of docs/architecture.md: the pipeline's stages,
then the drivers on top. A module may import from its own part and from the parts
below; a lazy import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.paths import ROOT

LAYERS = (
    # the pipeline: plan -> record -> classify -> judge -> report
    "wire",
    "match",
    "spec",
    "classify",
    "run",
    "rules",
    "report",
    "pipeline",
    # drivers on top: nothing above imports them
    "fuzz",
    "suite",
    "infer",
    "load",
    "mock",
    "cli",
    "pytest_plugin",
    "__main__",
)
FACADE = "__init__"
"""``contract/__init__.py``: the public API, importing from every part, imported by none."""
DRIVERS = frozenset(LAYERS[LAYERS.index("fuzz") :])


def module_name(package: Path, file: Path) -> str:
    """``contract.run.client`` for ``contract/run/client.py``."""
    parts = file.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(package: Path, file: Path) -> Iterator[tuple[str, int]]:
    """Every module of the package that ``file`` imports (top level or lazily), with its line."""
    name = module_name(package, file)
    is_package = file.name == "__init__.py"
    here = name.split(".") if is_package else name.split(".")[:-1]
    root = package.name
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == root:
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.split(".")[0] != root:
                continue
            for alias in node.names:
                # ``from .rules import words`` names a module; ``from .rules import evaluate`` not
                sub = package.parent / Path(*f"{target}.{alias.name}".split("."))
                is_module = sub.with_suffix(".py").exists() or (sub / "__init__.py").exists()
                yield (f"{target}.{alias.name}" if is_module else target), node.lineno


def part(module: str) -> str:
    """The part a module belongs to: ``run`` for ``contract.run.client``."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else FACADE


def problems(package: Path, layers: tuple[str, ...]) -> list[str]:
    """Every import that points the wrong way, every part not placed, and every cycle."""
    found: list[str] = []
    graph: dict[str, set[str]] = {}
    for file in sorted(package.rglob("*.py")):
        source = module_name(package, file)
        mine = part(source)
        if mine != FACADE and mine not in layers:
            found.append(f"{file.relative_to(package.parent)}: part {mine!r} is in no layer")
            continue
        edges = graph.setdefault(source, set())
        for target, line in imports(package, file):
            theirs = part(target)
            where = f"{file.relative_to(package.parent)}:{line}"
            if theirs == FACADE and target == package.name:
                if mine != FACADE:
                    found.append(f"{where}: imports the facade {package.name!r}; import the part")
                continue
            if FACADE not in (mine, theirs) and layers.index(theirs) > layers.index(mine):
                found.append(f"{where}: {mine} imports {theirs}, a part above it ({target})")
            if target != source:
                edges.add(target)
    found += [f"import cycle: {' -> '.join(cycle)}" for cycle in cycles(graph)]
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected group of modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_imports_point_down_and_never_in_a_circle() -> None:
    assert problems(ROOT / "contract", LAYERS) == []


def test_every_folder_of_the_package_is_a_placed_part() -> None:
    package = ROOT / "contract"
    parts = {p.name for p in package.iterdir() if (p / "__init__.py").exists()}
    parts |= {p.stem for p in package.glob("*.py")} - {FACADE}
    assert parts == set(LAYERS)


def test_nothing_below_the_drivers_imports_one() -> None:
    package = ROOT / "contract"
    for file in package.rglob("*.py"):
        mine = part(module_name(package, file))
        if mine == FACADE or mine in DRIVERS:
            continue
        for target, line in imports(package, file):
            assert part(target) not in DRIVERS, f"{file}:{line} imports the driver {target}"


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    package = tmp_path / "pkg"
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return package


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"__init__.py": "", "low/__init__.py": "", "low/a.py": "from pkg.high import b\n"}
            | {"high/__init__.py": "", "high/b.py": ""},
            "low imports high, a part above it (pkg.high.b)",
        ),
        (
            {"__init__.py": "", "low/__init__.py": ""}
            | {"low/a.py": "def f():\n    from .b import g\n", "low/b.py": "from . import a\n"},
            "import cycle: pkg.low.a -> pkg.low.b",
        ),
        (
            {"__init__.py": "", "low/__init__.py": "", "low/a.py": "import pkg\n"},
            "imports the facade 'pkg'",
        ),
        ({"__init__.py": "", "stray/__init__.py": ""}, "part 'stray' is in no layer"),
    ],
    ids=["upward", "lazy-cycle", "facade", "unplaced"],
)
def test_the_check_finds_each_kind_of_problem(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    found = problems(_tree(tmp_path, files), ("low", "high"))
    assert any(expected in line for line in found), found
