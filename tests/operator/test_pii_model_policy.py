"""The PII guard on the Operator's model policy, in real Chromium, with a model over HTTP.

The default tenant redacts personal data sent to region `us`. The task names an
English contact (name, e-mail); the page shows a Japanese one (name, phone, e-mail).
The model is tests/fake_openai.py: it reads the redacted prompt and types the e-mail
placeholder it was given. The guard puts the value back into the tool call, so the
browser types the real address, and the model never sees a value.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from cristal.app import App
from cristal.config import load_settings
from cristal.governance import set_pii_policy
from cristal.operator import RunRequest, run_records
from fake_openai import FakeOpenAI

from .doubles import ref, run

VALUES = ["山田太郎", "090-1234-5678", "taro.yamada@example.co.jp", "John Smith",
          "john.smith@example.com"]
TASK = "Add John Smith as a contact: type john.smith@example.com into E-mail, then add it"
PAGE = """<html><body><h1>Contacts</h1>
<p>Account manager: 山田太郎, 090-1234-5678, taro.yamada@example.co.jp</p>
<label for=to>E-mail</label><input id=to>
<button onclick="out.textContent = 'Added ' + document.getElementById('to').value">
Add contact</button>
<div id=out></div>
</body></html>"""


def _page(body: dict[str, Any]) -> str:
    content = body["messages"][-1]["content"]
    return content.split("<page>\n", 1)[1].split("\n</page>", 1)[0]


def _call(name: str, **args: Any) -> list[dict[str, Any]]:
    return [{"id": "call_1", "type": "function",
             "function": {"name": name, "arguments": json.dumps(args)}}]


def _operator(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Types the e-mail placeholder of the task, adds it, and is done once it shows."""
    task = body["messages"][-1]["content"].split("\n", 1)[0]
    email = re.search(r"<EMAIL_\d+>", task).group(0)
    page = _page(body)
    if "Added " in page:
        return _call("done", result=f"added {email}")
    if f'value="{email}"' not in page:
        return _call("type", target=ref(page, "textbox", "E-mail"), text=email)
    return _call("click", target=ref(page, "button", "Add contact"))


def _verify(body: dict[str, Any]) -> str | None:
    complete = "Added " in _page(body)
    return json.dumps({"complete": complete, "evidence": "the page says Added",
                       "missing": "" if complete else "nothing was added"})


@pytest.fixture
def model(monkeypatch):
    server = FakeOpenAI(responder=_verify, tool_caller=_operator).start()
    monkeypatch.setenv("FAKE_US_KEY", "good-key")
    yield server
    server.shutdown()
    server.server_close()


def test_the_model_policy_sees_placeholders_and_the_browser_types_values(
        tmp_path, sqlite_url, browser, site, model):
    app = App(load_settings(
        data_dir=str(tmp_path / "data"), database_url=sqlite_url, max_retries=0,
        providers={"us": {"type": "openai", "base_url": model.url, "api_key_env": "FAKE_US_KEY",
                          "region": "us"}},
        routes={"operator": {"provider": "us", "model": "echo"}}))
    try:
        set_pii_policy(app.store, "default", "redact", region="us")
        outcome = run(app, browser, RunRequest(start_url=site.add("/contacts", PAGE),
                                               instruction=TASK))
        assert outcome.status == "succeeded", outcome.error
        assert outcome.result == "added john.smith@example.com"  # restored for the user
        records = run_records(app.store, outcome.id)
        assert [r.action["action"] for r in records] == ["goto", "type", "click", "done"]
        assert records[1].action["text"] == "john.smith@example.com"  # what the browser typed
    finally:
        app.close()
    with model.lock:
        sent = json.dumps([r["body"] for r in model.requests], ensure_ascii=False)
    assert len(model.chat_requests()) == 4  # type, click, done, and the done check
    assert "<PERSON_" in sent and "<PHONE_1>" in sent and "<EMAIL_" in sent
    for value in VALUES:
        assert value not in sent, value
