"""The server (console included) is a client of `cristal.app`: it imports no feature or store.

Every import in `src/cristal/server` is read from the syntax tree (top level, inside
functions, `from cristal import store` spellings too), so a lazy import cannot slip by.
"""

from __future__ import annotations

import ast
from pathlib import Path

import cristal.server

ALLOWED = ("cristal.app", "cristal.errors", "cristal.config", "cristal.server")
FORBIDDEN = {"store", "knowledge", "research", "workflows", "operator", "models", "governance",
             "envs", "agent", "cli"}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "cristal":
                found += [(node.lineno, f"cristal.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


def _bad(name: str) -> bool:
    if name == "cristal.__version__" or not name.startswith("cristal."):
        return False
    return not any(name == ok or name.startswith(ok + ".") for ok in ALLOWED)


def test_server_imports_only_the_use_case_layer():
    root = Path(cristal.server.__file__).parent
    files = sorted(root.rglob("*.py"))
    assert len(files) > 10  # the walk found the package
    offenders = [f"{p.relative_to(root)}:{line}: {name}" for p in files
                 for line, name in _imports(p) if _bad(name)]
    assert offenders == []


def test_the_check_catches_each_spelling():
    assert _bad("cristal.store") and _bad("cristal.governance._oidc")
    assert _bad("cristal.knowledge.parsers") and not _bad("cristal.app.knowledge")
    assert all(_bad(f"cristal.{area}") for area in FORBIDDEN)
    assert not _bad("cristal.errors") and not _bad("cristal.__version__")
