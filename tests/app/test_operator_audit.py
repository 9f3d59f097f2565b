"""The operator through the use-case layer: every confirmation asked (and the answer) is in
the audit log, as are the run and the export of its trajectory (real Chromium)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import require
from cristal.app import App, Principal
from cristal.app import operator as uc
from cristal.config import load_settings
from cristal.governance import audit_entries
from cristal.operator import BrowserNotFound, RunHooks, RunRequest, find_chromium

PAGE = b"""<!doctype html><html><body><h1>Invoices</h1><p id=state>3 invoices</p>
<button onclick="document.getElementById('state').textContent='deleted'">Delete all</button>
</body></html>"""


@pytest.fixture
def page():
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


@pytest.mark.slow
def test_confirmations_runs_and_exports_are_audited(sqlite_url, tmp_path, page):
    app = App(load_settings(data_dir=str(tmp_path / "data"), database_url=sqlite_url))
    me = Principal.local_owner()
    asked: list[str] = []

    def confirm(request) -> bool:
        asked.append(request.prompt())
        return True

    try:
        outcome = uc.operate(app, me, RunRequest(start_url=page, policy="plan",
                                                 plan='click "Delete all"\n'),
                             RunHooks(confirm=confirm))
        assert outcome.status == "succeeded" and len(asked) == 1
        lines = list(uc.export(app, me, outcome.id))
        assert lines
        entries = list(audit_entries(app.store))
        confirmed = [e for e in entries if e.action == "operator.confirm"]
        assert len(confirmed) == 1 and confirmed[0].details["answer"] is True
        assert "Delete all" in confirmed[0].details["prompt"]
        assert [e.action for e in entries] == ["operator.confirm", "operator.run",
                                               "operator.export"]
        assert entries[1].target == outcome.id and entries[1].details["status"] == "succeeded"
    finally:
        app.close()
