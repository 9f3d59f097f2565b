"""Every command that prints outside text prints it literally.

Documents, questions, inputs, model replies, page content, config values and
errors quoting them carry Rich markup (`[/bold]`, `[link=…]`), `:emoji:` codes
and terminal escape sequences (colours, OSC 8 hyperlinks, bells). Each command
below runs as a real process; its output must show the markup as typed, contain
no escape or control character, and never crash with a traceback.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import require

# What must show as typed (no spaces inside, so no table wraps it).
MARKUP = "[/bold][link=http://evil.example]click[/link]:smile:"
# What must not reach the terminal at all (the text around it must).
ESCAPES = "\x1b]8;;http://evil.example\x07here\x1b]8;;\x07 \x1b[31mred\x1b[0m\x9b2J"
HOSTILE = f"{MARKUP} {ESCAPES}"
NAME = "[bold]x[link=mailto:evil]y:smile:"  # markup that fits in a file name (no slash)
CONTROL = ("\x1b", "\x07", "\x9b", "\x9d")


def cristal(*args: str, env: dict[str, str] | None = None, input: str | None = None,
            timeout: int = 180) -> subprocess.CompletedProcess:
    """Run the real CLI, wide enough that no cell of interest wraps."""
    return subprocess.run(
        [sys.executable, "-m", "cristal", *args], capture_output=True, text=True,
        timeout=timeout, input=input, stdin=None if input is not None else subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "400", **(env or {})})


def literal(proc: subprocess.CompletedProcess, *expected: str, code: int = 0) -> str:
    """The output, checked: exit code, no traceback, no control characters, text as typed."""
    out = proc.stdout + proc.stderr
    assert proc.returncode == code, out
    assert "Traceback" not in out and "MarkupError" not in out, out
    for char in CONTROL:
        assert char not in out, f"{char!r} reached the terminal:\n{out!r}"
    for text in expected:
        assert text in out, f"{text!r} not shown literally in:\n{out}"
    return out


def last_json(proc: subprocess.CompletedProcess) -> dict:
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_documents_questions_and_reports(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / f"fees {NAME}.md").write_text(
        f"# Business card fees\n\nThe late-payment fee for business cards is 2,000 yen "
        f"{HOSTILE} per month.\n\nWaivers are approved by the Finance Manager.\n",
        encoding="utf-8")
    (docs / f"broken {NAME}.pdf").write_bytes(b"%PDF-1.4 not really")
    ingested = cristal("ingest", str(docs), "--collection", "kb", "--no-embed")
    literal(ingested, f"broken {NAME}.pdf")
    literal(cristal("search", f"late fee {MARKUP}", "--collection", "kb", "--mode", "lexical"),
            f"late fee {MARKUP}", f"fees {NAME}.md", f"2,000 yen {MARKUP}")
    question = f"What is the late-payment fee for business cards {MARKUP}?"
    research = cristal("research", question, "--collection", "kb", "--offline",
                       "--out", str(tmp_path / "report"))
    literal(research, question, f"2,000 yen {MARKUP} here red")
    sessions = last_json(cristal("research", "list", "--json"))["sessions"]
    literal(cristal("research", "list"), question[:50])
    literal(cristal("research", "show", sessions[0]["id"]), question,
            f"2,000 yen {MARKUP} here red")
    as_json = cristal("research", "show", sessions[0]["id"], "--json")
    assert "\x1b" in last_json(as_json)["answer"]  # stored as written; JSON escapes it
    assert "\x1b" not in as_json.stdout and "\\u001b" in as_json.stdout


def test_model_replies_call_log_config_and_errors(fake_openai):
    model = f"echo{MARKUP}"
    env = {"OPENAI_BASE_URL": fake_openai.url, "OPENAI_API_KEY": "good-key",
           "CRISTAL_MODEL": model, "CRISTAL_MAX_RETRIES": "0"}
    for stream in ("--stream", "--no-stream"):
        literal(cristal("chat", HOSTILE, stream, env=env), f"echo: {MARKUP} here red", model)
    calls = last_json(cristal("calls", "list", "--json", env=env))["calls"]
    literal(cristal("calls", "list", env=env), model)
    literal(cristal("calls", "show", calls[0]["id"], env=env), model)
    literal(cristal("config", "show", env=env), model)
    # the unknown-price refusal names the TOML table to add, brackets included
    cristal("tenant", "create", "capped", "--budget-usd", "5", env=env)
    refused = cristal("chat", "hi", "--tenant", "capped", env={**env, "CRISTAL_MODEL": "fake-1"})
    literal(refused, '[prices."fake-1"]', code=3)
    # an error quoting outside text (an unknown run id typed by someone)
    literal(cristal("runs", "show", HOSTILE.replace(" ", "_"), env=env), MARKUP, code=2)


APPROVAL = """name: payout
inputs: {amount: string, note: string}
steps:
  - id: pause
    type: sleep
    seconds: 0
  - id: sign
    type: approval
    message: "Pay {{ inputs.amount }} to {{ inputs.note }}"
"""
ECHO = """name: echo
inputs: {note: string}
steps:
  - id: pause
    type: sleep
    seconds: 0
outputs:
  said: "{{ inputs.note }}"
"""


def test_workflow_inputs_outputs_and_approval_prompts(tmp_path):
    spec = tmp_path / "payout.yaml"
    spec.write_text(APPROVAL)
    # markup inside an amount must not hide digits from the approver
    amount = "$1[/bold]0[bold]0[/bold],000[red]9[/red]"
    started = cristal("workflow", "run", str(spec), "-i", f"amount={amount}", "-i",
                      f"note={HOSTILE}", "--wait")
    shown_text = f"Pay {amount} to {MARKUP} here red"
    literal(started, shown_text)
    run_id = last_json(cristal("runs", "list", "--json"))["runs"][0]["run_id"]
    stored = last_json(cristal("runs", "show", run_id, "--json"))
    assert stored["waiting"]["message"] == f"Pay {amount} to {HOSTILE}"
    literal(cristal("runs", "show", run_id), shown_text)
    literal(cristal("runs", "list"), run_id)
    eve = {"CRISTAL_IDENTITY__USER": "[bold]eve[/bold]"}  # the local identity is outside text
    literal(cristal("approve", run_id, "sign", "--comment", HOSTILE, env=eve), run_id,
            "as [bold]eve[/bold]")
    # the audit log (a command the server merge added) shows who decided and the comment
    literal(cristal("audit", "list", "--action", "approval.decide"),
            "local:[bold]eve[/bold]", '"comment": "[/bold][link=')

    echo = tmp_path / "echo.yaml"
    echo.write_text(ECHO)
    done = cristal("workflow", "run", str(echo), "-i", f"note={HOSTILE}", "--wait")
    literal(done, f"said: {MARKUP} here red")
    as_json = cristal("workflow", "run", str(echo), "-i", f"note={HOSTILE}", "--wait", "--json")
    assert last_json(as_json)["outputs"] == {"said": HOSTILE}
    assert "\x9b" not in as_json.stdout and "\\u009b" in as_json.stdout


PAGE = f"""<html><head><meta charset="utf-8"><title>Account {MARKUP}</title></head><body>
<h1>Account</h1>
<button onclick="st.textContent = 'Status: deleted'">Delete account {MARKUP}</button>
<p id=st>Status: active {MARKUP}</p></body></html>"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def page(tmp_path):
    require(any(Path(p).is_file() for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser")),
            "Chromium (apt-get install -y chromium)")
    root = tmp_path / "web"
    root.mkdir()
    (root / "account.html").write_text(PAGE, encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/account.html"
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_operator_pages_tasks_and_confirmations(page, tmp_path):
    plan = tmp_path / "delete.plan"
    plan.write_text('click "Delete account"\nextract "Status"\n', encoding="utf-8")
    task = f"Delete it {HOSTILE}"
    # the confirmation prompt quotes the page's button; the person answers no
    asked = cristal("operator", "run", "--start", page, "--plan", str(plan), "--task", task,
                    input="n\n")
    button = "Delete account [/bold][link=http://evil.example]click[/link]"  # its aria name
    literal(asked, f"Allow click button \"{button}\"", code=3)
    done = cristal("operator", "run", "--start", page, "--plan", str(plan), "--task", task,
                   "--yes")
    literal(done, f"Delete it {MARKUP}", "Status: deleted")
    runs = last_json(cristal("operator", "runs", "list", "--json"))["runs"]
    literal(cristal("operator", "runs", "list"), f"Delete it {MARKUP}"[:60])
    literal(cristal("operator", "runs", "show", runs[0]["id"], "--snapshots"),
            f"Delete it {MARKUP} here red", button)
