"""The usage and budgets page in Chromium: SVG charts with their table, budgets, the call log
with filters, one call, permissions and Japanese."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from cristal.app import admin as admin_uc
from cristal.app import usage
from cristal.models._tables import model_calls
from cristal.server.console.pages import usage as usage_page
from server_site import make_site

ASK = {"model": "fast", "messages": [{"role": "user", "content": "Say hello"}]}


@pytest.fixture
def calls(console):
    """Three model calls through the JSON API on route `fast`, and a budget for acme."""
    for _ in range(3):
        answer = console.call("admin", "POST", "/v1/chat/completions", json=ASK)
        assert answer.status_code == 200, answer.text
    admin_uc.update_tenant(console.world.app, console.world.owner, "acme", budget_usd=25.0)
    return console


def test_admin_sees_the_chart_budget_and_calls_and_filters_by_route(calls, signed_in, shots,
                                                                   monkeypatch):
    monkeypatch.setattr(usage_page, "CALLS_PER_PAGE", 2)  # three calls: two pages
    page = signed_in("admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Usage").click()
    page.wait_for_url(re.compile(r"/usage$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Usage and budgets"
    spend = page.get_by_role("img", name=re.compile(r"^Spend per day by route"))
    assert spend.count() == 1 and spend.evaluate("e => e.tagName") == "svg"
    assert spend.locator("rect").count() >= 1  # today's bar
    assert "fast" in page.locator("figure.chart").first.inner_text()  # legend
    # the same numbers as a table next to the chart
    page.get_by_text("The numbers of this chart as a table").first.click()
    table = page.get_by_role("table", name=re.compile(r"^Spend per day"))
    assert table.get_by_role("columnheader", name="fast").is_visible()
    # the budget: 25 USD, some spent
    budgets = page.get_by_role("region", name="Budgets this period").get_by_role("table")
    row = budgets.get_by_role("row", name=re.compile(r"^acme"))
    assert "US$25.0000" in row.inner_text() or "$25.0000" in row.inner_text()
    log = page.get_by_role("region", name="Call log")
    assert log.get_by_role("row").filter(has_text="fast").count() == 2
    page.screenshot(path=str(shots / "usage-en.png"), full_page=True)
    log.get_by_role("link", name="Next").click()
    page.wait_for_url(re.compile(r"page=2"))
    log = page.get_by_role("region", name="Call log")
    assert log.get_by_role("row").filter(has_text="fast").count() == 1
    assert log.get_by_role("link", name="Next").count() == 0

    log.get_by_label("Route").fill("embed")
    log.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"route=embed"))
    assert page.get_by_role("region", name="Call log").get_by_text(
        "No calls match these filters.").is_visible()
    log = page.get_by_role("region", name="Call log")
    log.get_by_label("Route").fill("fast")
    log.get_by_label("Status").select_option("ok")
    log.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"route=fast"))
    log = page.get_by_role("region", name="Call log")
    assert log.get_by_role("row").filter(has_text="fast").count() == 2  # page 1 again
    assert "status=ok" in log.get_by_role("link", name="Next").get_attribute("href")

    log.get_by_role("table").get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/usage/calls/"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Model call ")
    assert "echo" in page.locator("dl.facts").inner_text()


def test_member_may_not_see_usage_and_japanese_rendering(calls, signed_in, shots):
    member = signed_in("member")
    member.goto(f"{calls.url}/usage")
    assert member.get_by_role("heading", level=1).inner_text() == "Not allowed"
    page = signed_in("admin", lang="ja")
    page.goto(f"{calls.url}/usage")
    assert page.get_by_role("heading", level=1).inner_text() == "利用状況と予算"
    assert page.get_by_role("img", name=re.compile("^ルート別の 1 日ごとの支出")).count() == 1
    assert page.get_by_role("region", name="呼び出しログ").get_by_role("row").filter(
        has_text="fast").count() == 3
    page.screenshot(path=str(shots / "usage-ja.png"), full_page=True)


def test_owner_picks_a_tenant_or_all(calls, signed_in):
    page = signed_in("owner")
    page.goto(f"{calls.url}/usage")
    page.get_by_label("Tenant").select_option("*")
    page.get_by_label("Group by").select_option("tenant")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"tenant=(%2A|\*)"))
    budgets = page.get_by_role("region", name="Budgets this period").get_by_role("table")
    assert budgets.get_by_role("row", name=re.compile(r"^acme")).count() == 1
    assert budgets.get_by_role("row", name=re.compile(r"^beta")).count() == 1
    assert page.get_by_role("img", name=re.compile(r"^Spend per day by tenant")).count() == 1
    page.get_by_label("Tenant", exact=True).select_option("beta")
    page.get_by_label("Group by").select_option("model")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"tenant=beta"))
    assert page.get_by_role("region", name="Call log").get_by_text(
        "No calls match these filters.").is_visible()  # the calls were acme's


def test_daily_figures_are_grouped_by_utc_day_and_drawn_as_stacked_bars(calls):
    world = calls.world
    yesterday = datetime.now(UTC) - timedelta(days=1)
    with world.app.store.write() as conn:
        first = conn.execute(sa.select(model_calls.c.id).limit(1)).scalar_one()
        conn.execute(model_calls.update().where(model_calls.c.id == first)
                     .values(created_at=yesterday))
    start = datetime.combine(yesterday.date(), datetime.min.time(), tzinfo=UTC)
    rows = usage.daily(world.app, world.admin, start)
    assert [(r["day"], r["route"], r["calls"]) for r in rows] == [
        (yesterday.date().isoformat(), "fast", 1),
        ((yesterday + timedelta(days=1)).date().isoformat(), "fast", 2)]
    days = [r["day"] for r in rows]
    drawn = usage_page.chart(rows, days, "tokens", "route")
    assert [b.day for b in drawn["bars"]] == days and drawn["series"] == ["fast"]
    assert drawn["total"] == sum(r["tokens"] for r in rows)
    assert drawn["bars"][1].h > drawn["bars"][0].h  # two calls stand higher than one
    # more than eight series: the smallest are summed as "…"
    many = [{"day": days[0], "route": f"r{i}", "cost_usd": float(i + 1)} for i in range(10)]
    drawn = usage_page.chart(many, days[:1], "cost_usd", "route")
    assert len(drawn["series"]) == 8 and drawn["series"][-1] == "…"
    assert drawn["totals"][-1] == 1.0 + 2.0 + 3.0 and drawn["total"] == 55.0


def test_daily_figures_on_both_databases(db_url, tmp_path, fake_openai, monkeypatch):
    """usage_by_day groups by the UTC day in SQL that differs per database."""
    monkeypatch.setenv("UP_KEY", "good-key")
    site = make_site(db_url, tmp_path, fake_openai.url)
    try:
        for _ in range(2):
            assert site.call("admin", "POST", "/v1/chat/completions", json=ASK).status_code == 200
        world = site.world
        late = datetime.now(UTC).replace(hour=23, minute=59) - timedelta(days=2)
        with world.app.store.write() as conn:
            first = conn.execute(sa.select(model_calls.c.id).limit(1)).scalar_one()
            conn.execute(model_calls.update().where(model_calls.c.id == first)
                         .values(created_at=late))
        rows = usage.daily(world.app, world.admin, late - timedelta(hours=1))
        assert [(r["day"], r["tenant"], r["route"], r["calls"]) for r in rows] == [
            (late.date().isoformat(), "acme", "fast", 1),
            (datetime.now(UTC).date().isoformat(), "acme", "fast", 1)]
        assert all(r["tokens"] == r["input_tokens"] + r["output_tokens"] > 0 for r in rows)
    finally:
        site.http.close()
        site.served.stop()
        site.world.app.close()
