"""Classes of bugs found once and checked everywhere: read the source, not one call site.

- A message split over several string literals where one part is an f-string and
  another, plain part holds a `{placeholder}`: the placeholder is printed literally
  (the gateway once said "providers.{name}.base_url").
- A regex anchored with `$` used with `.match()`: `$` also matches before a final
  newline, so `"acme\\n"` passed as a valid name. Names are checked with `fullmatch`.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

ROOTS = [Path(__file__).resolve().parents[1] / d for d in ("src", "benchmarks", "examples")]
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?:![rsa])?\}")


def _sources() -> list[Path]:
    return sorted(p for root in ROOTS if root.exists() for p in root.rglob("*.py"))


def _literal_groups(source: str) -> list[list[tuple[bool, str, int]]]:
    """Implicitly concatenated string literals: per part, (is f-string, text, line)."""
    groups: list[list[tuple[bool, str, int]]] = []
    current: list[tuple[bool, str, int]] = []
    depth = 0  # inside an f-string on Python 3.12+ (FSTRING_START ... FSTRING_END)
    skip = {tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        name = tokenize.tok_name[tok.type]
        if name == "FSTRING_START":
            depth += 1
            if depth == 1:
                current.append((True, "", tok.start[0]))
            continue
        if name == "FSTRING_END":
            depth -= 1
            continue
        if depth:
            continue
        if tok.type == tokenize.STRING:
            prefix = tok.string[: len(tok.string) - len(tok.string.lstrip("rRbBuUfF"))]
            current.append(("f" in prefix.lower(), tok.string, tok.start[0]))
        elif tok.type not in skip:
            if len(current) > 1:
                groups.append(current)
            current = []
    return groups


def test_no_placeholder_left_in_a_plain_part_of_an_fstring_message():
    problems = []
    for path in _sources():
        for group in _literal_groups(path.read_text(encoding="utf-8")):
            if not any(is_f for is_f, _, _ in group):
                continue
            for is_f, text, line in group:
                if not is_f and _PLACEHOLDER.search(text):
                    problems.append(f"{path}:{line}: {text.strip()[:80]}")
    assert problems == [], "add the missing f prefix:\n" + "\n".join(problems)


def _anchored_names(tree: ast.Module) -> dict[str, str]:
    """Module-level `NAME = re.compile(r"...$")` patterns that end with a bare `$`."""
    names = {}
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
            continue
        call = node.value
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr == "compile" and call.args):
            continue
        pattern = call.args[0]
        if isinstance(pattern, ast.Constant) and isinstance(pattern.value, str):
            text = pattern.value
            if text.endswith("$") and not text.endswith("\\$"):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        names[target.id] = text
    return names


def test_dollar_anchored_patterns_are_not_used_with_match():
    problems = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        anchored = _anchored_names(tree)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "match" and isinstance(node.func.value, ast.Name)
                    and node.func.value.id in anchored):
                problems.append(f"{path}:{node.lineno}: {node.func.value.id}.match "
                                f"with {anchored[node.func.value.id]!r}")
    assert problems == [], "use fullmatch (and drop ^/$):\n" + "\n".join(problems)


@pytest.mark.parametrize("name", ["acme\n", "acme\r\n", " acme", "ACME", "a" * 64, ""])
def test_tenant_names_are_checked_whole(tmp_path, name):
    from cristal.errors import InvalidInput
    from cristal.governance import create_tenant
    from cristal.store import Store

    store = Store.open(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        with pytest.raises(InvalidInput, match="not valid"):
            create_tenant(store, name)
    finally:
        store.close()


def test_missing_key_message_names_the_provider(tmp_path):
    from cristal.config import load_settings
    from cristal.errors import ModelAuthError
    from cristal.models import Gateway
    from cristal.store import Store

    settings = load_settings(
        data_dir=str(tmp_path), providers={"vendor": {"type": "openai",
                                                      "api_key_env": "VENDOR_KEY"}},
        routes={"default": {"provider": "vendor", "model": "m"}})
    store = Store.open(settings.db_url)
    try:
        with pytest.raises(ModelAuthError) as info:
            Gateway(settings, store).chat([{"role": "user", "content": "hi"}])
    finally:
        store.close()
    assert "providers.vendor.base_url" in info.value.message
    assert "{name}" not in info.value.message
