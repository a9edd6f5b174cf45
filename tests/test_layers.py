"""The folder tree shows the layers: an inner layer of calculator/ never imports an outer one.

Inner to outer: core → rules → engine → store → formats → app → commands. Imports are read with
ast, those inside functions included, so a lazy import cannot hide a wrong direction.
"""
from __future__ import annotations

import ast
from pathlib import Path

CALCULATOR = Path(__file__).resolve().parent.parent / "calculator"
LAYERS = ("core", "rules", "engine", "store", "formats", "app", "commands")
RANK = {layer: rank for rank, layer in enumerate(LAYERS)}


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, dotted name) of every calculator module a file imports."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "calculator":
            names = [f"calculator.{a.name}" for a in node.names] if node.module == "calculator" else [node.module]
            found += [(node.lineno, name) for name in names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "calculator"]
    return found


def wrong_directions(root: Path = CALCULATOR) -> list[str]:
    """Every import of an outer layer by an inner one, as 'file:line layer -> layer'."""
    wrong = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if len(parts) < 2:
            continue  # calculator/__init__.py and __main__.py stand outside the layers
        layer = parts[0]
        for line, name in _imported(ast.parse(path.read_text(encoding="utf-8"))):
            target = name.split(".")[1] if "." in name else None
            if target in RANK and RANK[target] > RANK[layer]:
                wrong.append(f"{path.relative_to(root.parent)}:{line} {layer} -> {target}")
    return wrong


def test_every_module_of_calculator_sits_in_a_layer():
    loose = [p.name for p in CALCULATOR.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    folders = {p.name for p in CALCULATOR.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert loose == [] and folders == set(LAYERS)


def test_no_inner_layer_imports_an_outer_one():
    assert wrong_directions() == []


def test_the_check_finds_a_wrong_direction(tmp_path):
    # The engine reaching out to the command line, once at the top and once inside a function.
    engine = tmp_path / "calculator" / "engine"
    engine.mkdir(parents=True)
    (engine / "lines.py").write_text("from calculator.commands import cli\n"
                                     "def f():\n    import calculator.app.actions\n", encoding="utf-8")
    (engine / "money_ok.py").write_text("from calculator.core import money\n", encoding="utf-8")
    assert wrong_directions(tmp_path / "calculator") == [
        "calculator/engine/lines.py:1 engine -> commands", "calculator/engine/lines.py:3 engine -> app"]
