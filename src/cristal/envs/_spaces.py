"""Gymnasium spaces for text observations and tool-call actions.

Gymnasium's own `Text` space only holds characters of a fixed charset (alphanumerics
by default), which Japanese documents and web pages are not; these spaces hold any
string, and any tool call the environment would accept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from gymnasium import spaces

__all__ = ["TextSpace", "ToolCallSpace"]


class TextSpace(spaces.Space[str]):
    """Any text up to `max_length` characters (observations)."""

    def __init__(self, max_length: int = 200_000, seed: int | None = None) -> None:
        self.max_length = max_length
        super().__init__(shape=None, dtype=None, seed=seed)

    @property
    def is_np_flattenable(self) -> bool:
        """Text has no fixed-size numeric form."""
        return False

    def contains(self, x: Any) -> bool:
        """True for a string of at most `max_length` characters."""
        return isinstance(x, str) and len(x) <= self.max_length

    def sample(self, mask: Any = None, probability: Any = None) -> str:
        """A random short ASCII string (spaces must be able to sample)."""
        n = int(self.np_random.integers(1, 20))
        return "".join(chr(int(c)) for c in self.np_random.integers(97, 123, size=n))

    def __repr__(self) -> str:
        return f"TextSpace(max_length={self.max_length})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextSpace) and other.max_length == self.max_length


class ToolCallSpace(spaces.Space[dict]):
    """One tool call: `{"tool": NAME, "args": {...}}` with NAME among `tools`.

    `sample()` asks the environment for a plausible random action in its current
    state (a search for words of the question, a click on an element of the page),
    so `env.action_space.sample()` is a usable random policy.
    """

    def __init__(self, tools: list[str], sampler: Callable[[np.random.Generator], dict]
                 | None = None, seed: int | None = None) -> None:
        self.tools = list(tools)
        self._sampler = sampler
        super().__init__(shape=None, dtype=None, seed=seed)

    @property
    def is_np_flattenable(self) -> bool:
        """Tool calls have no fixed-size numeric form."""
        return False

    def contains(self, x: Any) -> bool:
        """True for a dict naming a known tool with an argument object."""
        return (isinstance(x, dict) and x.get("tool") in self.tools
                and isinstance(x.get("args", {}), dict))

    def sample(self, mask: Any = None, probability: Any = None) -> dict:
        """A random action the environment would accept now."""
        if self._sampler is not None:
            return self._sampler(self.np_random)
        tool = self.tools[int(self.np_random.integers(len(self.tools)))]
        return {"tool": tool, "args": {}}

    def __repr__(self) -> str:
        return f"ToolCallSpace({', '.join(self.tools)})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ToolCallSpace) and other.tools == self.tools
