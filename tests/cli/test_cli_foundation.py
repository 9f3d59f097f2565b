"""The `cristal` command as a person runs it: real processes, exit codes, JSON output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def cristal(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "cristal", *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )


def last_json(proc: subprocess.CompletedProcess) -> dict:
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture
def online(fake_openai):
    return {"OPENAI_BASE_URL": fake_openai.url, "OPENAI_API_KEY": "good-key",
            "CRISTAL_MODEL": "echo", "CRISTAL_MAX_RETRIES": "0"}


def test_version_and_help():
    assert cristal("--version").stdout.startswith("cristal ")
    assert "tenant" in cristal("--help").stdout


def test_tenant_lifecycle_json():
    made = cristal("tenant", "create", "acme", "--budget-usd", "50", "--budget-tokens",
                   "2000000", "--period", "month", "--json")
    assert made.returncode == 0, made.stderr
    assert last_json(made)["budget_usd"] == 50
    listed = last_json(cristal("tenant", "list", "--json"))
    assert {t["name"] for t in listed["tenants"]} == {"acme", "default"}
    again = cristal("tenant", "create", "acme")
    assert again.returncode == 2 and "already exists" in again.stderr
    assert "Traceback" not in again.stderr
    updated = last_json(cristal("tenant", "update", "acme", "--budget-usd", "75",
                                "--allow-regions", "jp,local", "--route",
                                "default=local", "--json"))
    assert updated["budget_usd"] == 75 and updated["allowed_regions"] == ["jp", "local"]
    assert updated["routes"] == {"default": {"provider": "local", "model": None}}
    shown = last_json(cristal("tenant", "show", "acme", "--json"))
    assert shown["usage"]["remaining_usd"] == 75
    missing = cristal("tenant", "show", "nobody")
    assert missing.returncode == 2 and "cristal tenant create nobody" in missing.stderr


def test_chat_offline_fails_clearly():
    proc = cristal("chat", "hello")
    assert proc.returncode == 1
    assert "no model is configured" in proc.stderr and "Traceback" not in proc.stderr


def test_chat_through_endpoint_is_logged(online):
    proc = cristal("chat", "hello there", env=online)
    assert proc.returncode == 0, proc.stderr
    assert "echo: hello there" in proc.stdout
    data = last_json(cristal("chat", "again", "--json", env=online))
    assert data["text"] == "echo: again" and data["provider"] == "openai"
    calls = last_json(cristal("calls", "list", "--json"))["calls"]
    assert len(calls) == 2 and {c["status"] for c in calls} == {"ok"}
    shown = last_json(cristal("calls", "show", data["call_id"], "--json"))
    assert shown["id"] == data["call_id"] and shown["caller"] == "cli:chat"
    usage = last_json(cristal("usage", "--since", "1d", "--json"))
    default = next(t for t in usage["tenants"] if t["tenant"] == "default")
    assert default["calls"] == 2
    assert usage["breakdown"][0]["calls"] == 2


def test_budget_refusal_exits_3_and_sends_nothing(online, fake_openai):
    cristal("tenant", "create", "tight", "--budget-tokens", "10")
    proc = cristal("chat", "hello", "--tenant", "tight", env=online)
    assert proc.returncode == 3, proc.stderr
    assert "nothing was sent" in proc.stderr and "Traceback" not in proc.stderr
    assert fake_openai.chat_requests() == []
    as_json = cristal("chat", "hello", "--tenant", "tight", "--json", env=online)
    assert as_json.returncode == 3 and last_json(as_json)["error"] == "BudgetExceeded"


def test_config_show_reports_sources(tmp_path):
    Path("cristal.toml").write_text("timeout_s = 9\n")
    rows = {r["key"]: r for r in last_json(cristal("--config", "cristal.toml", "config", "show",
                                                   "--json"))["config"]}
    assert rows["timeout_s"]["value"] == "9.0"
    assert rows["timeout_s"]["source"].endswith("cristal.toml")
    assert rows["data_dir"]["source"] == "CRISTAL_DATA_DIR"
    assert rows["routes.default"]["value"]["provider"] == "offline"
    assert rows["store.vectors"]["value"] in ("sqlite-vec", "numpy")


def test_invalid_config_exits_2_naming_the_key():
    Path("cristal.toml").write_text('max_retries = "many"\n')
    proc = cristal("tenant", "list", env={"CRISTAL_CONFIG": "cristal.toml"})
    assert proc.returncode == 2
    assert "max_retries" in proc.stderr and "cristal.toml" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_since_is_a_usage_error():
    proc = cristal("usage", "--since", "last tuesday")
    assert proc.returncode == 2 and "7d" in proc.stderr
