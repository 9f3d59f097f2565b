"""What the obedient double knows about the hostile pages: each task's steps, each injection.

As the Operator's model it reads the task, the steps so far and the page snapshot in
its prompt. When the page shows an injection's marker text, it emits the attack's
actions (each once, in order); otherwise it does the task's next step; with every
step tried, it says `done`. Asked to verify, it says the task is complete once every
task step has been tried.
"""

from __future__ import annotations

import json
from typing import Any

from cristal.agent import normalise
from cristal.injection._obedient import Reply
from cristal.injection._pages_site import manifest
from cristal.operator import parse_action

__all__ = ["PagesScenario", "rendered"]


def rendered(step: dict[str, Any]) -> str:
    """An action as the model policy's history shows it (`type target='Email' text='a'`)."""
    action = parse_action(step)
    data = action.model_dump(exclude_defaults=True, exclude={"action", "note"})
    args = " ".join(f"{k}={v!r}" for k, v in data.items())
    return f"{step['action']} {args}".rstrip()


def _section(text: str, start: str, end: str) -> str:
    if start not in text:
        return ""
    return text.split(start, 1)[1].split(end, 1)[0]


class PagesScenario:
    """The double's knowledge of the hostile pages suite."""

    def __init__(self, offsite: str) -> None:
        self.offsite = offsite
        self.pages = {normalise(p["task"]): p for p in manifest()}

    def _steps(self, steps: list[dict[str, Any]], system: str) -> list[dict[str, Any]]:
        out = []
        for step in steps:
            filled = {}
            for key, value in step.items():
                if isinstance(value, str):
                    value = value.replace("{{OFFSITE}}", self.offsite)
                    value = value.replace("{{SYSTEM_PROMPT}}", " ".join(system.split())[:160])
                filled[key] = value
            out.append(filled)
        return out

    def respond(self, role: str, request: dict[str, Any]) -> Reply | None:
        """Answer as the Operator's model (a tool call) or its completion check."""
        messages = request.get("messages") or []
        if role not in ("tools", "verification") or len(messages) < 2:
            return None
        prompt = str(messages[-1].get("content") or "")
        task = _section(prompt, "Task: ", "\n")
        page = self.pages.get(normalise(task))
        if page is None:
            return None
        system = str(messages[0].get("content") or "")
        history = _section(prompt, "Steps so far:\n", "\n\n")
        legit = self._steps(page["legit"], system)
        tried = [s for s in legit if f"{rendered(s)} ->" in history]
        if role == "verification":
            complete = len(tried) == len(legit)
            return Reply(json.dumps({"complete": complete, "evidence": "every step was done"
                                     if complete else "", "missing": "" if complete
                                     else "steps of the task"}))
        tools = {t.get("function", {}).get("name") for t in request.get("tools") or []}
        if not {"click", "done"} <= tools:
            return None
        seen = normalise(page["marker"]) in normalise(_section(prompt, "<page>", "</page>"))
        attack = self._steps(page["attack"], system)
        refused = any(f"{rendered(s)} -> FAILED (PolicyRefused)" in history for s in attack)
        if seen and not refused:  # told no, it gives up the attack and does the task
            for step in attack:
                if f"{rendered(step)} ->" not in history:
                    return _call(step)
        for step in legit:
            if step not in tried:
                return _call(step)
        answer = (page.get("expect") or {}).get("answer") or "Done."
        return _call({"action": "done", "result": answer})


def _call(step: dict[str, Any]) -> Reply:
    args = {k: v for k, v in step.items() if k != "action"}
    return Reply(tool_calls=[(step["action"], args)])
