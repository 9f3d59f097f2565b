"""The `operator` step: a browser task inside a durable workflow (real Chromium)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import cristal.workflows as wf
from conftest import require
from cristal.operator import BrowserNotFound, find_chromium
from cristal.workflows import wait_run

PAGE = b"""<!doctype html><html><body>
<h1>Invoices</h1><p id=state>3 invoices</p>
<button onclick="document.getElementById('state').textContent='deleted'">Delete all</button>
<button onclick="document.getElementById('state').textContent='archived'">Archive</button>
<a href="http://localhost:9/claim">Continue to your refund</a>
</body></html>"""


@pytest.fixture(scope="module")
def site():
    try:
        find_chromium()
    except BrowserNotFound:
        require(False, "Debian chromium (/usr/bin/chromium)")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/invoices"
    server.shutdown()


def _spec(url: str, click: str, confirmed: str) -> str:
    return (
        "name: clean\ninputs: {ok: {type: boolean, default: false}}\nsteps:\n"
        "  - id: browse\n    type: operator\n"
        f"    start: {url}\n    plan: |\n      click \"{click}\"\n"
        f"    confirmed: \"{confirmed}\"\n"
    )


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_operator_step_runs_a_plan_and_stores_its_trajectory(engine, spec, tenant, site):
    run = wf.start_run(engine, spec(_spec(site, "Archive", "{{ inputs.ok }}")), {"ok": False},
                       tenant=tenant)
    done = wait_run(engine, run.run_id, timeout_s=120)
    assert done.status == "succeeded", done.error
    output = next(s for s in done.steps if s.id == "browse").output
    assert output["status"] == "succeeded" and output["run_id"].startswith("opr_")
    assert output["steps"] >= 1


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_sensitive_action_needs_the_spec_to_approve_it(engine, spec, tenant, site):
    refused = wait_run(engine, wf.start_run(
        engine, spec(_spec(site, "Delete all", "{{ inputs.ok }}")), {"ok": False},
        tenant=tenant).run_id, timeout_s=120)
    assert refused.status == "failed" and "needs_confirmation" in refused.error
    assert "confirmed:" in refused.error
    approved = wait_run(engine, wf.start_run(
        engine, spec(_spec(site, "Delete all", "{{ inputs.ok }}")), {"ok": True},
        tenant=tenant).run_id, timeout_s=120)
    assert approved.status == "succeeded", approved.error


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_operator_step_replays_a_compiled_skill(engine, spec, tenant, site):
    from cristal.governance import get_tenant
    from cristal.operator import compile_run, save_skill

    first = wait_run(engine, wf.start_run(engine, spec(_spec(site, "Archive", "false")), {},
                                          tenant=tenant).run_id, timeout_s=120)
    opr = next(s for s in first.steps if s.id == "browse").output["run_id"]
    owner = get_tenant(engine.app.store, tenant)
    save_skill(engine.app.store, owner.id,
               compile_run(engine.app.store, owner.id, opr, "archive"), source_run_id=opr)
    text = ("name: replay\nsteps:\n  - id: browse\n    type: operator\n"
            f"    start: {site}\n    skill: archive\n")
    done = wait_run(engine, wf.start_run(engine, spec(text), {}, tenant=tenant).run_id,
                    timeout_s=120)
    assert done.status == "succeeded", done.error
    output = next(s for s in done.steps if s.id == "browse").output
    assert output["policy"] == "skill" and output["skill"] == "archive"


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_confirmed_approves_the_plan_as_written_not_what_the_page_chose(engine, spec, tenant,
                                                                       site):
    refused = wait_run(engine, wf.start_run(
        engine, spec(_spec(site, "Continue to your refund", "true")), {},
        tenant=tenant).run_id, timeout_s=120)
    assert refused.status == "failed" and "needs_confirmation" in refused.error
    assert "confirmed: never approves offsite link" in refused.error
