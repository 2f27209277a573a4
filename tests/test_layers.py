"""The package's layers: every import runs downwards, and no module imports itself back.

Every import statement counts, including those inside functions (kept there so that
commands start quickly): a cycle hidden in a function is still a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "ipskit"

#: Lowest first. A module may import from its own layer or any layer before it.
LAYERS = ("core", "workspace", "courses", "cohorts", "documents", "certificates", "mail",
          "demo", "cli")  # fmt: skip


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, modules: set[str]) -> set[str]:
    """The ipskit modules that ``path`` imports anywhere in its text."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("ipskit"))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ipskit"):
            assert node.level == 0, f"{path}: relative import"
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in modules else node.module)
    return found


def graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    files = {module_name(p): p for p in root.rglob("*.py")}
    return {name: imports(path, set(files)) - {name} for name, path in files.items()}


def layer(module: str) -> float | None:
    """A module's layer.

    The package itself (``ipskit``, whose public names each load from its layer on first
    use) sits just below the command line, which reads its version; ``python -m ipskit``
    is above everything.
    """
    parts = module.split(".")
    if module == "ipskit":
        return LAYERS.index("cli") - 0.5
    if module == "ipskit.__main__":
        return len(LAYERS)
    if len(parts) < 2 or parts[1] not in LAYERS:
        return None
    return LAYERS.index(parts[1])


def upward(edges: dict[str, set[str]]) -> list[str]:
    found = []
    for module, targets in sorted(edges.items()):
        here = layer(module)
        for target in sorted(targets):
            there = layer(target)
            if here is not None and (there is None or there > here):
                found.append(f"{module} -> {target}")
    return found


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
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

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def test_every_import_runs_downwards():
    assert upward(graph()) == []


def test_no_module_imports_itself_back():
    assert cycles(graph()) == []


def test_every_module_is_in_a_layer():
    stray = [m for m in graph() if layer(m) is None]
    assert stray == []


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        # core reaching up to the cohorts
        ({"core/store.py": "from ipskit.cohorts import records\n",
          "cohorts/records.py": ""}, "upward"),
        # a cycle hidden in a function
        ({"cohorts/a.py": "def f():\n    from ipskit.cohorts import b\n",
          "cohorts/b.py": "from ipskit.cohorts.a import f\n"}, "cycle"),
    ],  # fmt: skip
)
def test_the_checks_catch_what_they_are_for(tmp_path, files, problem):
    root = tmp_path / "ipskit"
    for name, text in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / "__init__.py").touch()
        path.write_text(text)
    global PACKAGE
    saved, PACKAGE = PACKAGE, root
    try:
        edges = graph(root)
        if problem == "upward":
            assert upward(edges) == ["ipskit.core.store -> ipskit.cohorts.records"]
        else:
            assert cycles(edges) == [["ipskit.cohorts.a", "ipskit.cohorts.b"]]
    finally:
        PACKAGE = saved
