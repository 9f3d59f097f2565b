"""Approval in advance (`--yes`, a workflow step's `confirmed:`): only what a person reviewed.

A person who passes `--yes` has read the plan or skill (or the task text), not the pages
the run will meet. So a pre-approval covers exactly:

- an action written in the plan, or a step of the skill, as written (same kind, same
  target description, same text, URL or keys, with the run's parameters filled in),
  whoever proposes it;
- with `--task` (the model chooses), an action on a control whose name the task quotes
  exactly (`--task 'Click "Delete draft" for the ACME invoice'`).

It never covers what a page chose: a link, form or URL that leads to another site, a
form submission set off by the page's own scripts, or a model-chosen action on anything
the task does not quote. Those still go to a person, or stop the run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from cristal.operator._effects import Effect
from cristal.operator._text import norm

__all__ = ["PAGE_CHOSEN", "Approvals"]

# Verdict kinds whose destination or trigger came from the page, never pre-approved.
PAGE_CHOSEN = ("offsite_link", "offsite_send", "unannounced_submit")
_QUOTED = re.compile(r"[\"“「『]([^\"”」』]{1,200})[\"”」』]")


def _key(action: Any) -> str:
    data = action.model_dump(exclude={"note"}) if hasattr(action, "model_dump") else dict(action)
    data.pop("note", None)
    return repr(sorted(data.items()))


@dataclass(frozen=True)
class Approvals:
    """The actions a person approved in advance, and who approved them (`--yes`, ...)."""

    actions: frozenset[str] = frozenset()
    quoted: tuple[str, ...] = ()
    by: str = "--yes"

    @classmethod
    def of(cls, actions: list[Any] | tuple[Any, ...] = (), task: str = "", *,
           by: str = "--yes") -> Approvals:
        """Pre-approval of `actions` (as written) and of controls `task` quotes by name."""
        quoted = tuple(dict.fromkeys(norm(q) for q in _QUOTED.findall(task or "") if q.strip()))
        return cls(frozenset(_key(a) for a in actions), quoted, by)

    def covers(self, action: Any, kinds: tuple[str, ...], effect: Effect | None = None,
               target_name: str = "") -> tuple[bool, str]:
        """Whether this action is one the person approved, and if not, why not."""
        chosen = [k for k in kinds if k in PAGE_CHOSEN]
        if chosen:
            return False, (f"{self.by} never approves {chosen[0].replace('_', ' ')}: the page "
                           "chose where it goes")
        if _key(action) in self.actions:
            return True, "written in the reviewed plan or skill"
        names = [target_name]
        if effect is not None:
            names += [effect.activates.name if effect.activates else "", *effect.options,
                      effect.submits.button if effect.submits else ""]
        hit = next((n for n in names if n and norm(n) in self.quoted), None)
        if hit:
            return True, f"the task quotes {hit!r}"
        return False, (f"{self.by} approves only actions written in the plan or skill, or on "
                       "controls the task quotes by name; this one was not")
