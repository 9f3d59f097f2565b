"""Model test doubles for the operator: FunctionProvider answers that read the real prompt.

A double sees exactly what a hosted model would (the system prompt, the task, the
history and the snapshot inside <page>), picks refs out of the snapshot text and
answers with a tool call, as an OpenAI-compatible model does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from cristal.app import App
from cristal.config import load_settings
from cristal.governance import get_tenant
from cristal.models import ChatRequest, ChatResult, FunctionProvider, ToolCall
from cristal.operator import ConfirmationRequest, RunHooks, RunRequest, operate


class Confirmations:
    """A confirmation callback that answers with `answer` and remembers what it was asked."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.asked: list[ConfirmationRequest] = []

    def __call__(self, request: ConfirmationRequest) -> bool:
        self.asked.append(request)
        return self.answer


def call(name: str, **args: Any) -> ChatResult:
    """A model answer that calls the action tool `name` with `args`."""
    raw = json.dumps(args)
    return ChatResult(text="", model="fake-op", input_tokens=100, output_tokens=10,
                      finish_reason="tool_calls",
                      tool_calls=[ToolCall(id="call_1", name=name, arguments=args,
                                           arguments_raw=raw)])


def page_of(request: ChatRequest) -> str:
    """The snapshot text inside <page>…</page> of the request's last user message."""
    content = request.messages[-1]["content"]
    return content.split("<page>\n", 1)[1].split("\n</page>", 1)[0]


def ref(page: str, role: str, name: str) -> str:
    """The ref of the element with this role and name in a snapshot ('e12')."""
    found = re.search(rf'- {role} "{re.escape(name)}" \[(e\d+)\]', page)
    assert found, f"no {role} {name!r} in:\n{page}"
    return found.group(1)


def verified(request: ChatRequest, done_when: str) -> str:
    """A verification answer: complete when `done_when` is on the page."""
    complete = done_when in page_of(request)
    return json.dumps({"complete": complete, "evidence": done_when if complete else "",
                       "missing": "" if complete else f"the page does not show {done_when!r}"})


def make_app(tmp_path, db_url: str, fn: Callable[[ChatRequest], Any] | None) -> App:
    """An App whose `operator` route is served by `fn` (None: offline, no model)."""
    routes = {"operator": {"provider": "fake", "model": "fake-op"}} if fn else {}
    settings = load_settings(data_dir=str(tmp_path / "data"), database_url=db_url,
                             routes=routes)
    providers = {"fake": FunctionProvider(fn, name="fake")} if fn else {}
    return App(settings, providers=providers)


def run(app: App, browser: Any, request: RunRequest, hooks: RunHooks | None = None):
    """operate() with the app's store, gateway and settings in the default tenant."""
    tenant = get_tenant(app.store, "default")
    return operate(app.store, app.gateway, app.settings.operator, request, hooks,
                   tenant_id=tenant.id, tenant_name=tenant.name, browser=browser)
