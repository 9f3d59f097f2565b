"""The Jinja sandbox specs render in, with limits on what a template may compute.

Jinja's own sandbox stops attribute tricks (`__class__`, `_private`) but not work
or memory: `{{ 2**10**9 }}`, `"x" * 10**10`, `"x"|center(10**10)` or nested loops
run a worker out of memory or time. Here, every operation that can make a value
much larger than its inputs is checked *before* it runs, and the work of one
render is bounded:

- integers of at most `MAX_INT_BITS` bits (`**`, `*`, `+`, `-` on integers);
- text of at most `MAX_TEXT` characters (repetition, `~`, `+`, `%`, padding and
  width arguments, `replace`, `join`, `format`; and the rendered output itself);
- lists of at most `MAX_ITEMS` items (repetition, `+`, `batch`, `slice`,
  `range`); lists, dicts and sets cannot be changed in place (immutable sandbox);
- at most `MAX_STEPS` loop iterations and macro calls per render.

Constant expressions are checked when a spec is validated as well (`check_limits`),
so `{{ (2**100000)|string }}` is refused by `cristal workflow validate`.
"""

from __future__ import annotations

import contextvars
import operator
import re
from collections.abc import Callable, Iterator
from typing import Any

from jinja2 import StrictUndefined, nodes
from jinja2.filters import FILTERS
from jinja2.sandbox import ImmutableSandboxedEnvironment

__all__ = ["MAX_INT_BITS", "MAX_ITEMS", "MAX_STEPS", "MAX_TEXT", "LimitExceeded",
           "LimitedSandbox", "check_limits", "render_budget"]

MAX_INT_BITS = 4096
MAX_TEXT = 1_000_000
MAX_ITEMS = 100_000
MAX_STEPS = 100_000

_LIMITS = (f"templates may compute integers of up to {MAX_INT_BITS} bits, text of up to "
           f"{MAX_TEXT:,} characters, lists of up to {MAX_ITEMS:,} items and "
           f"{MAX_STEPS:,} loop steps")
# A width or precision of a million or more: printf style, and str.format style.
_PRINTF_WIDTH = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(?:\d{7,}|\d*\.\d{7,})")
_FORMAT_WIDTH = re.compile(r"\{[^{}]*:[^{}]*?\d{7,}[^{}]*\}")
_NESTED = re.compile(r"\{[^{}]*\{")  # a replacement field inside a format spec


class LimitExceeded(Exception):
    """A template tried to compute something larger than the sandbox allows."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what}; {_LIMITS}")


_budget: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "cristal_template_budget", default=None)


class render_budget:  # noqa: N801 - used as a context manager, like a function
    """Bound the loop steps of the renders inside this `with` block."""

    def __enter__(self) -> None:
        self._token = _budget.set([MAX_STEPS])

    def __exit__(self, *exc: object) -> None:
        _budget.reset(self._token)


def _tick() -> str:
    budget = _budget.get()
    if budget is not None:
        budget[0] -= 1
        if budget[0] < 0:
            raise LimitExceeded(f"more than {MAX_STEPS:,} loop steps or macro calls")
    return ""


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple) else 0


def _check_int(value: Any, what: str) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and (
            value.bit_length() > MAX_INT_BITS):
        raise LimitExceeded(f"{what} gives an integer of more than {MAX_INT_BITS} bits")


def _check_binop(op: str, left: Any, right: Any) -> None:
    """Refuse, before computing it, an operation whose result would be too large."""
    ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (left, right))
    if op == "**" and ints and right > 0 and abs(left) > 1 and (
            right * abs(left).bit_length() > MAX_INT_BITS + right):
        raise LimitExceeded(f"{left} ** {right} is too large")
    if op == "*":
        if ints and left.bit_length() + right.bit_length() > MAX_INT_BITS + 1:
            raise LimitExceeded("this product is too large")
        for seq, count in ((left, right), (right, left)):
            if isinstance(count, int) and _size(seq) * max(count, 0) > (
                    MAX_TEXT if isinstance(seq, str) else MAX_ITEMS):
                raise LimitExceeded(f"repeating {len(seq):,} items {count:,} times")
    if op in ("+", "-") and ints and max(left.bit_length(), right.bit_length()) >= MAX_INT_BITS:
        raise LimitExceeded("this sum is too large")
    if op == "+" and _size(left) + _size(right) > (
            MAX_TEXT if isinstance(left, str) else MAX_ITEMS):
        raise LimitExceeded("joining these would be too long")
    if op == "%" and isinstance(left, str):
        starred = right if isinstance(right, tuple) else (right,)
        if _PRINTF_WIDTH.search(left) or ("*" in left and any(
                isinstance(v, int) and v > MAX_TEXT for v in starred)):
            raise LimitExceeded("a format width or precision of a million or more")


_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "**": operator.pow, "*": operator.mul, "+": operator.add, "-": operator.sub,
    "%": operator.mod, "//": operator.floordiv, "/": operator.truediv,
}


def _checked_text(value: Any, what: str) -> Any:
    if _size(value) > (MAX_TEXT if isinstance(value, str) else MAX_ITEMS):
        raise LimitExceeded(f"{what} is too long")
    return value


def _bounded_int(value: Any, limit: int, what: str) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and value > limit:
        raise LimitExceeded(f"{what} {value:,} is too large")


def _wrap_filter(name: str, check: Callable[..., None]) -> Callable[..., Any]:
    original = FILTERS[name]

    def bounded(*args: Any, **kwargs: Any) -> Any:
        check(*args, **kwargs)
        return _checked_text(original(*args, **kwargs), f"the result of |{name}")

    bounded.__name__ = original.__name__
    for marker in ("jinja_pass_arg",):
        if hasattr(original, marker):
            setattr(bounded, marker, getattr(original, marker))
    return bounded


def _args_check(*positions: int, limit: int = MAX_TEXT, what: str = "a width") -> Callable:
    def check(*args: Any, **kwargs: Any) -> None:
        values = [args[i] for i in positions if i < len(args)] + list(kwargs.values())
        for value in values:
            _bounded_int(value, limit, what)
    return check


def _replace_check(*args: Any, **kwargs: Any) -> None:
    # args: (eval_ctx, s, old, new[, count]) for the built-in `replace` filter
    text, old, new = (list(args[1:4]) + [None, None, None])[:3]
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        grow = (text.count(old) if old else len(text) + 1) * max(len(new) - len(old), 0)
        if len(text) + grow > MAX_TEXT:
            raise LimitExceeded("this replace would make the text too long")


def _join_check(*args: Any, **kwargs: Any) -> None:
    # args: (eval_ctx, value, d="", attribute=None)
    items = args[1] if len(args) > 1 else None
    sep = args[2] if len(args) > 2 else kwargs.get("d", "")
    if isinstance(items, list | tuple) and isinstance(sep, str) and (
            len(items) * len(sep) > MAX_TEXT):
        raise LimitExceeded("this join would make the text too long")


def _format_check(*args: Any, **kwargs: Any) -> None:
    if args and isinstance(args[0], str) and _PRINTF_WIDTH.search(args[0]):
        raise LimitExceeded("a format width or precision of a million or more")


_FILTERS = {
    "center": _args_check(1), "indent": _args_check(1, limit=1000, what="an indent"),
    "wordwrap": _args_check(2), "truncate": _args_check(2),
    "batch": _args_check(1, limit=MAX_ITEMS, what="a batch size"),
    "slice": _args_check(1, limit=MAX_ITEMS, what="a slice count"),
    "replace": _replace_check, "join": _join_check, "format": _format_check,
}
_STR_METHODS = {"ljust", "rjust", "center", "zfill", "expandtabs"}


class LimitedSandbox(ImmutableSandboxedEnvironment):
    """An immutable Jinja sandbox that refuses oversized values and unbounded loops."""

    intercepted_binops = frozenset(_BINOPS)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(undefined=StrictUndefined, **kwargs)
        self.globals.pop("lipsum", None)  # up to megabytes of text from one call
        for name, check in _FILTERS.items():
            self.filters[name] = _wrap_filter(name, check)
        self.cristal_tick = _tick
        self.cristal_concat = _concat

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:  # noqa: D102
        _check_binop(operator, left, right)
        return _BINOPS[operator](left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: D102, N805
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, str):
            if name in _STR_METHODS:
                for value in [*args, *kwargs.values()]:
                    _bounded_int(value, MAX_TEXT, f"a width of str.{name}")
                if name == "expandtabs" and args and isinstance(args[0], int) and (
                        owner.count("\t") * args[0] > MAX_TEXT):
                    raise LimitExceeded("expandtabs would make the text too long")
            elif name == "replace":
                _replace_check(None, owner, *args)
            elif name == "join" and args:
                _join_check(None, args[0], owner)
        result = super().call(__context, __obj, *args, **kwargs)
        return _checked_text(result, f"the result of {name or 'this call'}")

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:  # noqa: D102
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        if _FORMAT_WIDTH.search(value.__self__):
            raise LimitExceeded("a format width or precision of a million or more")

        nested = bool(_NESTED.search(value.__self__))

        def bounded(*args: Any, **kwargs: Any) -> str:
            if nested:  # "{:{}}".format(x, width): a width may come from an argument
                for arg in [*args, *kwargs.values()]:
                    _bounded_int(arg, MAX_TEXT, "a format argument")
            return wrapped(*args, **kwargs)

        return bounded

    def compile(self, source: Any, name: str | None = None,  # noqa: D102 - Jinja API
                filename: str | None = None, raw: bool = False, defer_init: bool = False) -> Any:
        if isinstance(source, str):
            source = self._parse(source, name, filename)
        return super().compile(_instrument(source), name, filename, raw, defer_init)


def _concat(*values: Any) -> str:
    parts = [v if isinstance(v, str) else str(v) for v in values]
    if sum(len(p) for p in parts) > MAX_TEXT:
        raise LimitExceeded("joining these with ~ would be too long")
    return "".join(parts)


def _tick_node(lineno: int) -> nodes.Node:
    call = nodes.Call(nodes.EnvironmentAttribute("cristal_tick"), [], [], None, None,
                      lineno=lineno)
    return nodes.ExprStmt(call, lineno=lineno)


def _instrument(ast: nodes.Template) -> nodes.Template:
    """Count loop steps and macro calls; route `~` through a length check.

    The inserted nodes reach the environment through `EnvironmentAttribute`, which
    template source cannot name, so a template cannot remove or replace them.
    """
    for node in list(ast.find_all((nodes.For, nodes.Macro, nodes.CallBlock))):
        node.body.insert(0, _tick_node(node.lineno))
    for node in _walk(ast):
        for field in node.fields:
            value = getattr(node, field, None)
            if isinstance(value, nodes.Concat):
                setattr(node, field, _concat_call(value))
            elif isinstance(value, list):
                setattr(node, field, [_concat_call(v) if isinstance(v, nodes.Concat) else v
                                      for v in value])
    return ast


def _concat_call(node: nodes.Concat) -> nodes.Call:
    return nodes.Call(nodes.EnvironmentAttribute("cristal_concat"), node.nodes, [], None, None,
                      lineno=node.lineno)


def _walk(node: nodes.Node) -> Iterator[nodes.Node]:
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


_OPERATORS = {nodes.Pow: "**", nodes.Mul: "*", nodes.Add: "+", nodes.Sub: "-",
              nodes.Mod: "%"}
_NOT_CONST = object()


def check_limits(ast: nodes.Node) -> None:
    """Refuse (LimitExceeded) constant expressions that exceed the limits, without
    computing anything too large: `2**100000`, `"x" * 10**9`, `range(10**9)`."""
    for node in _walk(ast):
        _const(node)
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and (
                node.node.name == "range"):
            args = [_const(a) for a in node.args]
            if all(isinstance(a, int) for a in args) and args:
                try:
                    length = len(range(*args))
                except (ValueError, TypeError):
                    continue
                if length > MAX_ITEMS:
                    raise LimitExceeded(f"range of {length:,} items")
        if isinstance(node, nodes.Filter) and node.name in _FILTERS:
            for arg in node.args:
                value = _const(arg)
                _bounded_int(value, MAX_TEXT, f"|{node.name} argument")


def _const(node: nodes.Node) -> Any:
    """The value of a constant expression, checked operation by operation."""
    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, nodes.List | nodes.Tuple):
        items = [_const(item) for item in node.items]
        if any(item is _NOT_CONST for item in items):
            return _NOT_CONST
        return items if isinstance(node, nodes.List) else tuple(items)
    if isinstance(node, nodes.Neg):
        value = _const(node.node)
        return -value if isinstance(value, int | float) else _NOT_CONST
    op = _OPERATORS.get(type(node))
    if op is None:
        return _NOT_CONST
    left, right = _const(node.left), _const(node.right)
    if left is _NOT_CONST or right is _NOT_CONST:
        return _NOT_CONST
    _check_binop(op, left, right)
    try:
        value = _BINOPS[op](left, right)
    except Exception:  # 1 % 0, "a" - 1: the render reports it
        return _NOT_CONST
    _check_int(value, "this expression")
    return value
