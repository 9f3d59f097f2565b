"""Templates in specs: sandboxed Jinja2 with limits (`_sandbox`), never `eval`.

A string that is exactly one `{{ expression }}` evaluates to the expression's own
value (a number stays a number, a dict stays a dict); any other string renders
as text. Names a template may use: `inputs.*`, `steps.<id>.output`, `run.id`,
`run.tenant`, `run.workflow`, and inside a `map` step `item` and `index`;
`secrets.NAME` only in `http` headers, the only field rendered with secrets in
scope at all (the engine's rule, see `_interpreter`); errors there never quote
the failing value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from jinja2 import TemplateSyntaxError, Undefined, nodes

from cristal.workflows._sandbox import (
    MAX_TEXT,
    LimitedSandbox,
    LimitExceeded,
    check_limits,
    render_budget,
)

__all__ = [
    "Template", "TemplateError", "compile_value", "is_template", "names", "references",
    "render_value",
]

_ENV = LimitedSandbox(autoescape=False, keep_trailing_newline=True)
_SINGLE = re.compile(r"^\s*\{\{(?P<expr>(?:(?!\{\{|\}\}).)*)\}\}\s*$", re.DOTALL)
_MARKERS = ("{{", "{%", "{#")


class TemplateError(Exception):
    """A template does not parse, or failed while rendering."""


class Template:
    """One compiled template string: renders to text, or evaluates to a value."""

    __slots__ = ("_expr", "_tmpl", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        match = _SINGLE.fullmatch(source)
        try:
            check_limits(_parse(source))
            if match:
                self._expr = _ENV.compile_expression(match.group("expr"),
                                                     undefined_to_none=False)
                self._tmpl = None
            else:
                self._expr = None
                self._tmpl = _ENV.from_string(source)
        except TemplateSyntaxError as exc:
            raise TemplateError(f"template syntax error: {exc.message}") from None
        except LimitExceeded as exc:
            raise TemplateError(f"template `{_short(source)}` is refused: {exc}") from None

    def render(self, context: dict[str, Any], *, hide_errors: bool = False) -> Any:
        """The value (single expression) or the rendered text.

        With `hide_errors`, a failure names the error's type only: the template may
        hold secrets, and an error message could quote one.
        """
        try:
            with render_budget():
                if self._expr is not None:
                    value = self._expr(**context)
                    if isinstance(value, Undefined):  # must never leak into step arguments
                        missing = "a name" if hide_errors else f"`{value._undefined_name}`"
                        raise TemplateError(f"template `{self.source}` uses {missing}, which "
                                            "does not exist here")
                    return value
                assert self._tmpl is not None
                return _bounded_text(self._tmpl.generate(**context))
        except TemplateError:
            raise
        except Exception as exc:  # jinja raises UndefinedError, TypeError, SecurityError...
            if hide_errors:
                raise TemplateError(f"template `{self.source}` failed ({type(exc).__name__}; "
                                    "details are not shown because this field may hold "
                                    "secrets)") from None
            raise TemplateError(f"template `{_short(self.source)}` failed: {exc}") from None


def _bounded_text(chunks: Iterator[str]) -> str:
    """Join rendered output, stopping as soon as it passes MAX_TEXT characters."""
    parts: list[str] = []
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > MAX_TEXT:
            raise LimitExceeded(f"the rendered text is longer than {MAX_TEXT:,} characters")
        parts.append(chunk)
    return "".join(parts)


def _short(source: str) -> str:
    return source if len(source) <= 200 else source[:199] + "…"


def _parse(source: str) -> nodes.Template:
    match = _SINGLE.fullmatch(source)
    return _ENV.parse("{{" + match.group("expr") + "}}" if match else source)


def is_template(value: Any) -> bool:
    """True for a string with Jinja markers."""
    return isinstance(value, str) and any(m in value for m in _MARKERS)


def compile_value(value: Any) -> Any:
    """Compile every template string inside `value` (dicts and lists are walked)."""
    if isinstance(value, dict):
        return {k: compile_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [compile_value(v) for v in value]
    if is_template(value):
        return _compiled(value)
    return value


@lru_cache(maxsize=4096)
def _compiled(source: str) -> Template:
    return Template(source)


def render_value(value: Any, context: dict[str, Any], *, hide_errors: bool = False) -> Any:
    """Render a compiled value: templates replaced by their results, the rest as is."""
    if isinstance(value, Template):
        return value.render(context, hide_errors=hide_errors)
    if isinstance(value, dict):
        return {k: render_value(v, context, hide_errors=hide_errors) for k, v in value.items()}
    if isinstance(value, list):
        return [render_value(v, context, hide_errors=hide_errors) for v in value]
    return value


def names(source: str) -> set[str]:
    """Every variable name a template mentions, read or assigned (`{% set x = … %}`)."""
    try:
        ast = _parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"template syntax error: {exc.message}") from None
    return {n.name for n in ast.find_all(nodes.Name)}


def references(source: str) -> list[tuple[str, str | None]]:
    """Names a template uses: `(root, first attribute)`, e.g. `('steps', 'classify')`."""
    try:
        ast = _parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"template syntax error: {exc.message}") from None
    local = {n.name for n in ast.find_all(nodes.Name) if n.ctx in ("store", "param")}
    local.add("loop")
    found: list[tuple[str, str | None]] = []
    for node in _walk(ast):
        if isinstance(node, nodes.Name) and node.ctx == "load" and node.name not in local:
            found.append((node.name, None))
        elif isinstance(node, nodes.Getattr | nodes.Getitem):
            inner = node.node
            if isinstance(inner, nodes.Name) and inner.ctx == "load" and inner.name not in local:
                key = node.attr if isinstance(node, nodes.Getattr) else _const(node.arg)
                found.append((inner.name, key))
    return found


def _const(arg: nodes.Node) -> str | None:
    return str(arg.value) if isinstance(arg, nodes.Const) else None


def _walk(node: nodes.Node) -> Iterator[nodes.Node]:
    """Every node; a Getattr/Getitem on a Name is reported once, not also its bare Name."""
    yield node
    if isinstance(node, nodes.Getattr | nodes.Getitem) and isinstance(node.node, nodes.Name):
        children = [c for c in node.iter_child_nodes() if c is not node.node]
    else:
        children = list(node.iter_child_nodes())
    for child in children:
        yield from _walk(child)
