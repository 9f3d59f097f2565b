"""The PII guard at the gateway, against a real HTTP server standing in for a remote model.

A tenant with `redact` for the `us` region: the server receives no PII value, and
the user sees the restored reply (plain, streamed, tool calls). With `block`,
nothing is sent, the refusal names types and places (never values), exit 3.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from cristal.config import load_settings
from cristal.errors import PiiBlocked
from cristal.governance import create_tenant, set_pii_policy
from cristal.models import ChatResult, FunctionProvider, Gateway, ToolCall
from cristal.store import Store

VALUES = ["山田太郎", "taro.yamada@example.co.jp", "090-1234-5678", "526018159084",
          "John Smith", "4200182633043480"]
PROMPT = ("顧客の山田太郎様（taro.yamada@example.co.jp、携帯090-1234-5678、"
          "マイナンバー526018159084）と、John Smith のカード 4200182633043480 の件を要約して。")


def _settings(tmp_path, db_url, fake_url, **extra):
    os.environ["FAKE_US_KEY"] = "good-key"
    return load_settings(
        data_dir=str(tmp_path / "data"), database_url=db_url, max_retries=0, timeout_s=5,
        providers={"us": {"type": "openai", "base_url": fake_url, "api_key_env": "FAKE_US_KEY",
                          "region": "us"}},
        routes={"default": {"provider": "us", "model": "echo"},
                "embed": {"provider": "us", "model": "text-embed"}}, **extra)


@pytest.fixture
def guarded(tmp_path, fake_openai, monkeypatch):
    """(gateway, store) for a tenant `acme` whose policy redacts data sent to region us."""
    opened = []

    def build(db_url: str, mode: str = "redact", providers=None):
        monkeypatch.setenv("FAKE_US_KEY", "good-key")
        settings = _settings(tmp_path, db_url, fake_openai.url)
        store = Store.open(settings.db_url)
        opened.append(store)
        create_tenant(store, "acme")
        set_pii_policy(store, "acme", mode, region="us")
        return Gateway(settings, store, providers=providers), store

    yield build
    for store in opened:
        store.close()


def _sent(fake) -> str:
    with fake.lock:
        return json.dumps([r["body"] for r in fake.requests], ensure_ascii=False)


def _rows(store) -> str:
    with store.read() as conn:
        rows = conn.execute(sa.text("SELECT * FROM model_calls")).mappings().all()
    return json.dumps([dict(r) for r in rows], default=str, ensure_ascii=False)


def test_redact_sends_no_pii_and_restores_the_reply(guarded, fake_openai, db_url):
    gateway, store = guarded(db_url)
    result = gateway.chat([{"role": "user", "content": PROMPT}], tenant="acme")
    sent = _sent(fake_openai)
    assert fake_openai.chat_requests() and "<PERSON_1>" in sent and "<MY_NUMBER_1>" in sent
    for value in VALUES:
        assert value not in sent, value
    assert result.text == f"echo: {PROMPT}"  # the fake echoed placeholders; the user sees values
    logged = _rows(store)
    for value in VALUES:
        assert value not in logged, value
    meta = json.loads(logged)[0]["meta"]
    meta = json.loads(meta) if isinstance(meta, str) else meta
    assert meta["pii"]["mode"] == "redact"
    assert meta["pii"]["found"] == {"PERSON": 2, "EMAIL": 1, "PHONE": 1, "MY_NUMBER": 1,
                                    "CREDIT_CARD": 1}


def test_stream_is_restored(guarded, fake_openai, sqlite_url):
    gateway, _ = guarded(sqlite_url)
    events = list(gateway.stream([{"role": "user", "content": PROMPT}], tenant="acme"))
    shown = "".join(e.delta for e in events if e.result is None)
    assert shown == f"echo: {PROMPT}"
    assert events[-1].result.text == f"echo: {PROMPT}"
    sent = _sent(fake_openai)
    assert all(v not in sent for v in VALUES)


def test_tool_calls_are_redacted_out_and_restored_back(guarded, sqlite_url):
    seen = []

    def model(request):
        seen.append(json.dumps(request.messages, ensure_ascii=False))
        user = request.messages[-1]["content"]
        placeholder = user[user.index("<PERSON_"):user.index(">") + 1]
        args = {"to": placeholder, "note": f"call {placeholder}"}
        return ChatResult(text="", model=request.model, input_tokens=5, output_tokens=5,
                          tool_calls=[ToolCall("c1", "send", args, json.dumps(args))])

    remote = FunctionProvider(model, name="remote", region="us", local=False)
    gateway, _ = guarded(sqlite_url, providers={"remote": remote})
    gateway.settings.routes["fn"] = gateway.settings.routes["default"].model_copy(
        update={"provider": "remote"})
    history = [
        {"role": "assistant", "content": None, "tool_calls": [{
            "id": "c0", "type": "function",
            "function": {"name": "lookup", "arguments": json.dumps({"email": VALUES[1]})}}]},
        {"role": "tool", "tool_call_id": "c0", "content": f"found {VALUES[0]}"},
        {"role": "user", "content": f"Write to {VALUES[4]} now."},
    ]
    result = gateway.chat(history, route="fn", tenant="acme",
                          tools=[{"type": "function", "function": {"name": "send"}}])
    assert all(v not in seen[0] for v in (VALUES[0], VALUES[1], VALUES[4]))
    call = result.tool_calls[0]
    assert call.arguments == {"to": "John Smith", "note": "call John Smith"}
    assert json.loads(call.arguments_raw) == call.arguments


def test_block_refuses_before_sending(guarded, fake_openai, db_url):
    gateway, store = guarded(db_url, mode="block")
    with pytest.raises(PiiBlocked) as caught:
        gateway.chat([{"role": "system", "content": "Be brief."},
                      {"role": "user", "content": PROMPT}], tenant="acme")
    err = caught.value
    assert err.exit_code == 3 and fake_openai.requests == []
    assert "MY_NUMBER" in err.message and "message 1 [" in err.message
    assert all(v not in err.message for v in VALUES)
    assert err.entities["PERSON"] == 2
    logged = _rows(store)
    assert '"refused"' in logged and "PiiBlocked" in logged
    assert all(v not in logged for v in VALUES)
    assert gateway.chat([{"role": "user", "content": "Summarise the Q3 plan."}],
                        tenant="acme").text == "echo: Summarise the Q3 plan."


def test_remote_embeddings_are_redacted(guarded, fake_openai, sqlite_url):
    gateway, _ = guarded(sqlite_url)
    result = gateway.embed([PROMPT, "no personal data here"], tenant="acme")
    assert result.vectors.shape[0] == 2
    sent = _sent(fake_openai)
    assert "<PERSON_1>" in sent and all(v not in sent for v in VALUES)


def test_allow_and_local_providers_pass_data_unchanged(guarded, fake_openai, sqlite_url):
    gateway, store = guarded(sqlite_url, mode="allow")
    gateway.chat([{"role": "user", "content": PROMPT}], tenant="acme")
    assert VALUES[0] in _sent(fake_openai)
    seen = []
    local = FunctionProvider(lambda r: seen.append(r.messages[-1]["content"]) or "ok",
                             name="here", region="us", local=True)
    gateway2 = Gateway(gateway.settings, store, providers={"here": local})
    set_pii_policy(store, "acme", "block", region="us")
    gateway2.settings.routes["mine"] = gateway2.settings.routes["default"].model_copy(
        update={"provider": "here"})
    gateway2.chat([{"role": "user", "content": PROMPT}], route="mine", tenant="acme")
    assert seen == [PROMPT]  # local: the data never leaves the machine


def test_cli_block_exits_3_and_names_types(tmp_path, fake_openai):
    config = tmp_path / "cristal.toml"
    config.write_text(f"""
[providers.us]
type = "openai"
base_url = "{fake_openai.url}"
api_key_env = "FAKE_US_KEY"
region = "us"
[routes.default]
provider = "us"
model = "echo"
[pii]
regions = {{ us = "block" }}
""")
    env = {**os.environ, "CRISTAL_CONFIG": str(config), "FAKE_US_KEY": "good-key",
           "CRISTAL_DATA_DIR": str(tmp_path / "data")}
    out = subprocess.run([sys.executable, "-m", "cristal", "chat", PROMPT, "--json"], env=env,
                         capture_output=True, text=True)
    assert out.returncode == 3, out.stderr
    error = json.loads(out.stdout.strip().splitlines()[-1])
    assert error["error"] == "PiiBlocked" and "PHONE" in error["message"]
    assert all(v not in out.stdout + out.stderr for v in VALUES)
    assert fake_openai.requests == []


def test_mode_precedence_most_specific_wins():
    from cristal.config import PiiSettings
    from cristal.governance import DataPolicy, pii_mode

    config = PiiSettings(mode="allow", regions={"us": "redact"}, routes={"cheap": "block"})
    none = DataPolicy()
    assert pii_mode(config, none, "default", "jp") == "allow"
    assert pii_mode(config, none, "default", "us") == "redact"
    assert pii_mode(config, none, "cheap", "us") == "block"  # a route beats a region
    own = DataPolicy(pii={"mode": "redact", "regions": {"us": "block"},
                          "routes": {"default": "allow"}})
    assert pii_mode(config, own, "default", "us") == "allow"  # the tenant's route first
    assert pii_mode(config, own, "research", "us") == "block"  # then the tenant's region
    assert pii_mode(config, own, "cheap", "jp") == "redact"  # the tenant's own mode beats
    # the config's route


def test_policy_cli_sets_and_shows(tmp_path):
    env = {**os.environ, "CRISTAL_DATA_DIR": str(tmp_path / "d")}

    def run(*args):
        out = subprocess.run([sys.executable, "-m", "cristal", "pii", "policy", *args,
                              "--json"], env=env, capture_output=True, text=True)
        return out.returncode, out.stdout, out.stderr

    code, out, _ = run("set", "--region", "us", "--mode", "redact")
    assert code == 0 and json.loads(out.splitlines()[-1])["tenant_policy"] == {
        "regions": {"us": "redact"}}
    code, _, err = run("set", "--mode", "maybe")
    assert code == 2 and "allow, redact, block or unset" in err
    code, out, _ = run("set", "--region", "us", "--mode", "unset")
    assert json.loads(out.splitlines()[-1])["tenant_policy"] == {"regions": {}}


def test_openai_format_proxy_is_guarded_too(guarded, fake_openai, db_url):
    """The `/v1` passthrough (Gateway.proxy) redacts and restores like `chat`, streamed too."""
    gateway, store = guarded(db_url)
    body = {"model": "default", "messages": [{"role": "user", "content": PROMPT}]}
    data, _ = gateway.proxy(body, route="default", tenant="acme")
    assert data["choices"][0]["message"]["content"] == f"echo: {PROMPT}"
    streamed = list(gateway.proxy({**body, "stream": True}, route="default", tenant="acme",
                                  stream=True))
    shown = "".join(
        (c.get("delta") or {}).get("content") or ""
        for line in streamed if line.startswith("data: {")
        for c in json.loads(line[6:]).get("choices") or ())
    assert shown == f"echo: {PROMPT}"
    sent = _sent(fake_openai)
    assert len(fake_openai.chat_requests()) == 2 and "<PERSON_1>" in sent
    for value in VALUES:
        assert value not in sent, value
        assert value not in _rows(store), value


def test_openai_format_proxy_block_sends_nothing(guarded, fake_openai, sqlite_url):
    gateway, _ = guarded(sqlite_url, mode="block")
    body = {"model": "default", "messages": [{"role": "user", "content": PROMPT}]}
    with pytest.raises(PiiBlocked, match="MY_NUMBER"):
        gateway.proxy(body, route="default", tenant="acme")
    assert fake_openai.chat_requests() == []
