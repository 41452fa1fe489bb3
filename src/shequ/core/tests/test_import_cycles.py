"""No two modules of one app import each other, directly or round a longer loop, at module level or
inside a function: a shared piece lives in a module below both."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SHEQU = Path(__file__).resolve().parents[2]
APPS = sorted(p.name for p in SHEQU.iterdir() if (p / "__init__.py").exists())


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(app: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same app it imports (tests and migrations aside). `from a import b`
    points at `a.b` when that is a module, else at `a`; a package is not implied by its submodules."""
    root = app.parent
    modules = {
        _module_name(root, p): p
        for p in app.rglob("*.py")
        if not {"tests", "migrations"} & set(p.relative_to(app).parts)
    }
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    targets.add(sub if sub in modules else node.module)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


@pytest.mark.parametrize("app", APPS)
def test_no_import_cycle_inside_an_app(app: str) -> None:
    assert cycles(import_graph(SHEQU / app)) == []


def test_the_guard_finds_a_cycle_through_a_function_level_import(tmp_path: Path) -> None:
    app = tmp_path / "shequ" / "sample"
    (app / "tests").mkdir(parents=True)
    for name, text in {
        "__init__.py": "",
        "a.py": "from shequ.sample.b import x\n",
        "b.py": "def f():\n    from shequ.sample import c\n",
        "c.py": "import shequ.sample.a\n",
        "d.py": "from shequ.sample.a import y\n",  # points into the loop, not part of it
        "tests/test_x.py": "from shequ.sample.d import z\n",
    }.items():
        (app / name).write_text(text, encoding="utf-8")
    (tmp_path / "shequ" / "__init__.py").write_text("", encoding="utf-8")
    assert cycles(import_graph(app)) == [["shequ.sample.a", "shequ.sample.b", "shequ.sample.c"]]


def test_the_guard_walks_every_app() -> None:
    assert {"core", "registry", "metrics", "volunteering", "appeals"} <= set(APPS)
