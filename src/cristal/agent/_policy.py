"""The check before every side-effect call: do untrusted values decide where things go?

An argument a tool's policy lists in `trusted_args` passes when its value is trusted,
when it also appears in the trusted input (the request, the spec), or when every part
of it matches the tool's allow-list for that argument. Otherwise the call is refused,
or sent to a person for confirmation, with the reason shown.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cristal.agent._tools import Tool
from cristal.agent._values import Value, appears_in, short

__all__ = ["ConfirmRequest", "Confirmer", "Verdict", "allowed_by", "check_call", "check_chosen"]


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check: allowed, or why not and what to do (refuse or ask)."""

    allowed: bool
    reasons: tuple[str, ...] = ()
    action: str = "allow"  # allow | refuse | ask
    passed: tuple[str, ...] = ()  # why each checked argument was accepted

    def to_dict(self) -> dict[str, Any]:
        """The verdict as plain data."""
        return {"allowed": self.allowed, "action": self.action, "reasons": list(self.reasons),
                "passed": list(self.passed)}


@dataclass(frozen=True)
class ConfirmRequest:
    """What a person is shown before an untrusted value decides a side effect."""

    tool: str
    args: dict[str, Any]
    reasons: tuple[str, ...]
    extra: dict[str, Any] = field(default_factory=dict)

    def prompt(self) -> str:
        """A one-line question for a terminal."""
        args = ", ".join(f"{k}={short(v, 60)}" for k, v in self.args.items())
        return f"Allow {self.tool}({args})? {'; '.join(self.reasons)}"


# True lets the call run, False refuses it.
Confirmer = Callable[[ConfirmRequest], bool]


def _parts(data: Any) -> list[Any]:
    if isinstance(data, list | tuple):
        return [p for item in data for p in _parts(item)]
    if isinstance(data, dict):
        return [p for item in data.values() for p in _parts(item)]
    return [data]


def allowed_by(data: Any, patterns: Sequence[str]) -> bool:
    """True when every part of `data` matches one of the glob patterns (case-insensitive)."""
    parts = [p for p in _parts(data) if p not in (None, "")]
    if not parts or not patterns:
        return False
    return all(any(fnmatch.fnmatchcase(str(p).casefold(), pat.casefold()) for pat in patterns)
               for p in parts)


def check_call(tool: Tool, args: Mapping[str, Value], trusted_texts: Sequence[str]) -> Verdict:
    """Check the provenance of a call's arguments against the tool's policy."""
    policy = tool.policy
    if not policy.side_effect:
        return Verdict(True)
    reasons: list[str] = []
    passed: list[str] = []
    for name in policy.trusted_args:
        value = args.get(name)
        if value is None or value.data in (None, "", [], {}):
            continue
        if value.trusted:
            passed.append(f"{name}: trusted ({', '.join(sorted(value.label.sources))})")
            continue
        if appears_in(value.data, trusted_texts):
            passed.append(f"{name}: appears in the request")
            continue
        patterns = policy.allow.get(name, ())
        if allowed_by(value.data, patterns):
            passed.append(f"{name}: allow-listed")
            continue
        untrusted = [p for p in _parts(value.data)
                     if p not in (None, "") and not appears_in(p, trusted_texts)
                     and not allowed_by(p, patterns)]
        shown = short(untrusted if len(untrusted) > 1 else (untrusted or [value.data])[0])
        reasons.append(
            f"`{name}` = {shown} comes from untrusted data "
            f"({', '.join(sorted(value.label.sources))}) and is neither in the request nor "
            f"allow-listed for {tool.name}")
    if not reasons:
        return Verdict(True, passed=tuple(passed))
    return Verdict(False, tuple(reasons), policy.on_violation, tuple(passed))


def check_chosen(tool: Tool, args: Mapping[str, Value], trusted_texts: Sequence[str],
                 chooser: str) -> Verdict:
    """Check a call that untrusted data chose (a `follow` step's sub-plan).

    The request did not name this action, so a person decides: a side effect always
    asks, and so does a read with an argument neither trusted nor in the request (a URL
    the data chose can carry data out). A read the request could have made runs. The
    tool's own checks still apply; a policy that refuses rather than asks still refuses.
    """
    verdict = check_call(tool, args, trusted_texts)
    chosen = [k for k, v in args.items() if v.data not in (None, "", [], {})
              and not v.trusted and not appears_in(v.data, trusted_texts)]
    if not tool.policy.side_effect and not chosen:
        return verdict
    what = "a side effect" if tool.policy.side_effect else \
        f"a read with {', '.join(f'`{k}`' for k in chosen)} from the data"
    reasons = (f"{tool.name} is {what}, chosen by untrusted data ({chooser}), not by the "
               "request", *verdict.reasons)
    action = "refuse" if verdict.action == "refuse" else "ask"
    return Verdict(False, reasons, action, verdict.passed)
