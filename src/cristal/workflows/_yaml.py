"""YAML loading that remembers the line of every key, so spec errors can point at it."""

from __future__ import annotations

from typing import Any

import yaml

from cristal.workflows._errors import Problem

__all__ = ["Lines", "YamlProblem", "field_name", "load_with_lines"]

Path = tuple[str | int, ...]
MAX_DEPTH = 64
MAX_VALUES = 100_000  # aliases (`*a`) are expanded: a few lines can name millions


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: dates stay strings, so specs stay JSON data."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class Lines:
    """Line numbers (1-based) of the values in a loaded document, by path."""

    def __init__(self) -> None:
        self._lines: dict[Path, int] = {}

    def set(self, path: Path, line: int) -> None:
        """Remember where `path` starts."""
        self._lines[path] = line

    def of(self, path: Path) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        for depth in range(len(path), -1, -1):
            line = self._lines.get(tuple(path[:depth]))
            if line is not None:
                return line
        return None


def field_name(path: Path) -> str:
    """`('steps', 2, 'prompt')` -> `steps[2].prompt`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_with_lines(text: str) -> tuple[Any, Lines]:
    """Parse YAML text and note each line; raise YamlProblem on bad syntax or duplicate keys."""
    lines = Lines()
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, lines
        return _build(loader, node, (), lines, [MAX_VALUES]), lines
    except RecursionError:
        raise YamlProblem(Problem(f"the YAML is nested too deeply; a spec nests at most "
                                  f"{MAX_DEPTH} levels", line=None)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise YamlProblem(Problem(f"not valid YAML: {exc.problem or exc}", line=line)) from None
    finally:
        loader.dispose()


class YamlProblem(Exception):
    """The YAML itself is broken (syntax, duplicate key): one Problem with its line."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _build(loader: yaml.SafeLoader, node: yaml.Node, path: Path, lines: Lines,
           budget: list[int]) -> Any:
    lines.set(path, node.start_mark.line + 1)
    budget[0] -= 1
    if budget[0] < 0:
        raise YamlProblem(Problem(f"the spec has more than {MAX_VALUES:,} values (aliases "
                                  "count each time they are used); make it smaller",
                                  line=node.start_mark.line + 1))
    if len(path) > MAX_DEPTH:
        raise YamlProblem(Problem(f"nested more than {MAX_DEPTH} levels deep",
                                  field=field_name(path), line=node.start_mark.line + 1))
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool):
                raise YamlProblem(Problem("mapping keys must be plain names",
                                           field=field_name(path),
                                           line=key_node.start_mark.line + 1))
            key = str(key)
            if key in out:
                raise YamlProblem(Problem(f"key `{key}` appears twice; keep one",
                                           field=field_name(path),
                                           line=key_node.start_mark.line + 1))
            out[key] = _build(loader, value_node, (*path, key), lines, budget)
            lines.set((*path, key), key_node.start_mark.line + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, (*path, i), lines, budget)
                for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)

