"""Every CLI module prints through the literal consoles of `cristal.cli._output`.

Those consoles interpret no markup, so a module that prints `"[bold]x[/]"` shows the
brackets, one that calls `rich.markup.escape` shows backslashes, and one that builds
its own `Console` or `Text.from_markup` turns outside text into markup again. This
reads the source of every module under `cristal/cli/` (new ones included) and
lists each such use; styled lines go through `styled(template, **values)`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

CLI = Path(__file__).resolve().parents[2] / "src" / "cristal" / "cli"
# Rich markup tags as our own code writes them: [bold], [dim], [red], [/], [link=…]…
_TAG = re.compile(r"\[/?(?:bold|dim|italic|underline|strike|reverse|blink|red|green|yellow|"
                  r"blue|cyan|magenta|white|black|grey\d*|b|i|u|s|link)\b[^\]\[]*\]|\[/\]")
# Calls whose string arguments Rich renders (as markup when the console allows it).
_RENDERERS = {"print", "log", "rule", "add_row", "add_column", "Panel", "Table", "Text",
              "Rule", "Markdown", "status", "add_task", "update", "input"}


def _modules() -> list[Path]:
    return sorted(p for p in CLI.rglob("*.py") if p.name != "_output.py")


def _strings(node: ast.AST) -> list[str]:
    """The literal text of a string constant or f-string (its constant parts)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return ["".join(v.value for v in node.values
                        if isinstance(v, ast.Constant) and isinstance(v.value, str))]
    if isinstance(node, ast.BinOp):
        return _strings(node.left) + _strings(node.right)
    return []


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[str] = []
    where = f"{path.relative_to(CLI.parents[1])}"
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("rich.markup", "rich.console"):
            names = [a.name for a in node.names if a.name != "Group"]
            if names:
                out.append(f"{where}:{node.lineno}: imports {', '.join(names)} from "
                           f"{node.module} (use cristal.cli._output)")
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name == "from_markup" or name == "Console":
            out.append(f"{where}:{node.lineno}: {name}() (use styled() / the shared consoles)")
        for kw in node.keywords:
            if kw.arg == "markup" and not (isinstance(kw.value, ast.Constant)
                                           and kw.value.value is False):
                out.append(f"{where}:{node.lineno}: markup= turned on")
        if name not in _RENDERERS:
            continue
        args = list(node.args) + [kw.value for kw in node.keywords]
        for arg in args:
            for text in _strings(arg):
                if _TAG.search(text):
                    out.append(f"{where}:{node.lineno}: markup {text.strip()[:60]!r} passed "
                               f"to {name}() (shown literally: use styled())")
        if name == "Panel":  # Rich parses a plain-string Panel title or subtitle as markup
            for kw in node.keywords:
                if kw.arg in ("title", "subtitle") and not (
                        isinstance(kw.value, ast.Call) and _name(kw.value.func) in (
                            "text", "literal", "styled", "Text")):
                    out.append(f"{where}:{node.lineno}: Panel {kw.arg} is not a Text "
                               "(use text(...))")
    return out


def test_the_cli_modules_are_found():
    names = {p.stem for p in _modules()}
    # Commands from every area, including those the server merge added.
    assert {"approve", "runs", "research", "audit", "identities", "serve", "envs",
            "data", "pii"} <= names, names


def test_no_cli_module_prints_outside_text_through_markup():
    problems = [p for path in _modules() for p in _problems(path)]
    assert problems == [], "\n".join(problems)


def test_the_check_catches_each_fault(tmp_path, monkeypatch):
    bad = tmp_path / "cristal" / "cli" / "bad.py"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "from rich.markup import escape\n"
        "from rich.text import Text\n"
        "from rich.panel import Panel\n"
        "console.print(f'[bold]{escape(name)}[/]')\n"
        "Text.from_markup(name)\n"
        "Panel(body, title=f'Run {name}')\n"
        "table.add_row('[red]x[/]')\n", encoding="utf-8")
    monkeypatch.setitem(globals(), "CLI", bad.parent)
    found = "\n".join(_problems(bad))
    for fault in ("imports escape", "from_markup()", "Panel title", "passed to print()",
                  "passed to add_row()"):
        assert fault in found, found
