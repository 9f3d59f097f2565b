"""`cristal serve` as an operator runs it: a fresh data directory, a key from `cristal keys
create`, the official openai client chatting through a route and asking cristal-research
(metered and audited), several workers, and a graceful stop that finishes requests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import openai
import pytest

from clitools import cristal, last_json

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "docs"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(port: int, env: dict[str, str], workers: int = 1) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "cristal", "serve", "--port", str(port), "--workers",
         str(workers), "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **env})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise AssertionError(f"cristal serve exited: {proc.stderr.read()}")
        time.sleep(0.3)
    proc.kill()
    raise AssertionError("cristal serve did not become ready in 120 s")


@pytest.fixture
def online(fake_openai):
    return {"OPENAI_BASE_URL": fake_openai.url, "OPENAI_API_KEY": "good-key",
            "CRISTAL_MODEL": "echo", "CRISTAL_MAX_RETRIES": "0",
            "CRISTAL_PRICES__ECHO__INPUT_PER_MTOK": "1",
            "CRISTAL_PRICES__ECHO__OUTPUT_PER_MTOK": "2",
            # The echo model cannot write research answers: research stays extractive.
            "CRISTAL_ROUTES__RESEARCH__PROVIDER": "offline"}


@pytest.mark.slow
def test_fresh_machine_serve_key_chat_research_metered_and_audited(online):
    ingested = cristal("ingest", str(EXAMPLES), "--collection", "examples", "--no-embed",
                       "--json", env=online)
    assert ingested.returncode == 0, ingested.stderr
    key = last_json(cristal("keys", "create", "--role", "member", "--json", env=online))["key"]
    port = _free_port()
    proc = _serve(port, online)
    try:
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key=key,
                               max_retries=0)
        reply = client.chat.completions.create(model="default", messages=[
            {"role": "user", "content": "ping"}])
        assert reply.choices[0].message.content == "echo: ping"
        research = client.chat.completions.create(model="cristal-research", messages=[
            {"role": "user", "content": "What is the late-payment fee for business cards?"}])
        extra = research.model_dump()["cristal"]
        assert not extra["not_found"] and extra["citations"], research.choices[0].message
        assert "[1]" in research.choices[0].message.content
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert json.loads(out.strip().splitlines()[-1])["status"] == "stopped"
    calls = last_json(cristal("calls", "list", "--json", env=online))["calls"]
    assert [c["route"] for c in calls] == ["default"] and calls[0]["status"] == "ok"
    assert calls[0]["caller"].startswith("v1:key:") and calls[0]["cost_usd"] > 0
    audit = last_json(cristal("audit", "list", "--json", env=online))["entries"]
    assert {"research.asked", "research.cited", "key.create"} <= {e["action"] for e in audit}
    access = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert {a["path"] for a in access} >= {"/v1/chat/completions", "/readyz"}
    assert key not in err


@pytest.mark.slow
def test_two_workers_and_a_graceful_stop(online, fake_openai):
    key = last_json(cristal("keys", "create", "--role", "member", "--json", env=online))["key"]
    port = _free_port()
    proc = _serve(port, {**online, "CRISTAL_MODEL": "slow"}, workers=2)
    outcome: dict[str, object] = {}

    def slow_call() -> None:
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key=key,
                               max_retries=0, timeout=60)
        reply = client.chat.completions.create(model="default", messages=[
            {"role": "user", "content": "take your time"}])
        outcome["text"] = reply.choices[0].message.content

    worker = threading.Thread(target=slow_call)
    worker.start()
    deadline = time.monotonic() + 30
    while not fake_openai.chat_requests() and time.monotonic() < deadline:
        time.sleep(0.05)  # the upstream (3 s "slow" model) has the request now
    proc.send_signal(signal.SIGTERM)
    worker.join(timeout=60)
    proc.communicate(timeout=60)
    assert outcome.get("text") == "echo: take your time"  # finished despite the stop
    assert proc.returncode == 0
