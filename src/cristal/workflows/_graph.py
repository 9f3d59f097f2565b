"""Run order of a spec's steps: a stable topological sort that reports cycles."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

__all__ = ["order_steps"]


def order_steps(steps: dict[str, Any], deps: dict[str, set[str]],
                add: Callable[[tuple, str], None]) -> list[str]:
    """Step ids so each comes after what it depends on; ties keep file order.

    A cycle is reported (to `add`) as `a -> b -> a` at the first step on it.
    """
    cycle = _find_cycle(steps, deps)
    if cycle:
        first = steps[cycle[0]]
        add(first.path, "steps depend on each other in a cycle: " + " -> ".join(cycle)
            + "; remove one of these references (templates, needs or branches)")
        return list(steps)
    index = {sid: step.index for sid, step in steps.items()}
    waiting = {sid: len(d) for sid, d in deps.items()}
    users: dict[str, list[str]] = {sid: [] for sid in steps}
    for sid, needed in deps.items():
        for dep in needed:
            users[dep].append(sid)
    ready = [(index[sid], sid) for sid, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, sid = heapq.heappop(ready)
        order.append(sid)
        for user in users[sid]:
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(ready, (index[user], user))
    return order


def _find_cycle(steps: dict[str, Any], deps: dict[str, set[str]]) -> list[str]:
    white, grey, black = 0, 1, 2
    color = dict.fromkeys(steps, white)
    stack: list[str] = []

    def visit(sid: str) -> list[str]:
        color[sid] = grey
        stack.append(sid)
        for dep in sorted(deps.get(sid, ()), key=lambda d: steps[d].index):
            if color[dep] == grey:
                return [*stack[stack.index(dep):], dep]
            if color[dep] == white:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        color[sid] = black
        return []

    for sid in sorted(steps, key=lambda s: steps[s].index):
        if color[sid] == white:
            found = visit(sid)
            if found:
                return found
    return []
