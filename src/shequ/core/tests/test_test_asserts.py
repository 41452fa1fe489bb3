"""Every test says which expectation failed: no `assert a and b` (one assert per expectation), so that a
failure names the half that did not hold. Checked over every test module and conftest of the tree."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]  # the repository: src/shequ/core/tests/ -> ../../../..


def _test_files() -> list[Path]:
    found = [*ROOT.glob("src/shequ/*/tests/**/*.py"), *ROOT.glob("tests/**/*.py"), ROOT / "conftest.py"]
    return sorted(p for p in found if p.is_file())


def compound_asserts(source: str) -> list[int]:
    """The lines of the asserts whose condition is a top-level `and`."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Assert)
        and isinstance(node.test, ast.BoolOp)
        and isinstance(node.test.op, ast.And)
    ]


def test_the_check_finds_a_compound_assert_and_passes_others() -> None:
    assert compound_asserts("assert a and b\n") == [1]
    assert compound_asserts("assert a\nassert b, 'why'\nassert all(x and y for x, y in z)\n") == []
    assert compound_asserts("def f():\n    assert (a == 1\n            and b)\n") == [2]


def test_no_test_asserts_two_things_at_once() -> None:
    files = _test_files()
    assert len(files) > 50, f"the test files were not found under {ROOT}"
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in files
        for line in compound_asserts(path.read_text(encoding="utf-8"))
    ]
    assert not found, "split each `assert a and b` into one assert per expectation: " + ", ".join(found)
