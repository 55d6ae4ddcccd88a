"""The library never imports Django or the web app (DESIGN: two packages, one distribution).

Only the three web commands in heard/_webcli.py may import heard_web, inside their functions,
so `heard serve` works while `heard --help`, `import heard` and every library module do not
load Django.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

LIBRARY = Path(__file__).resolve().parents[1] / "src" / "heard"
FORBIDDEN = ("django", "heard_web", "ninja", "django_tasks", "rq", "waitress", "whitenoise")


def _imports(tree: ast.AST) -> list[tuple[str, ast.AST]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node))
    return found


def _top_level(tree: ast.Module) -> set[int]:
    """ids of import nodes outside any function (run when the module is imported)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inside |= {id(child) for child in ast.walk(node)}
    return {id(node) for _, node in _imports(tree) if id(node) not in inside}


def test_no_library_module_imports_django_or_the_web_app():
    offences = []
    for path in sorted(LIBRARY.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        top = _top_level(tree)
        for name, node in _imports(tree):
            root = name.split(".")[0]
            if root not in FORBIDDEN:
                continue
            allowed = path.name == "_webcli.py" and root == "heard_web" and id(node) not in top
            if not allowed:
                offences.append(f"{path.relative_to(LIBRARY.parent)}:{node.lineno} imports {name}")
    assert offences == []


def test_importing_the_library_and_its_cli_loads_no_django():
    probe = (
        "import sys, pkgutil, importlib, heard, heard.cli\n"
        "for m in pkgutil.walk_packages(heard.__path__, 'heard.'):\n"
        "    importlib.import_module(m.name)\n"
        "from heard.cli import main\n"
        "try:\n    main(['serve', '--help'])\nexcept SystemExit:\n    pass\n"
        "print('LOADED', sorted({m.split('.')[0] for m in sys.modules} & "
        f"{set(FORBIDDEN)!r}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert "LOADED []" in out
