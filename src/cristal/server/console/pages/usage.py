"""Console pages: usage and budgets — spend and tokens per day as server-drawn SVG charts
(with a table of the same numbers), each tenant's remaining budget, and the call log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from cristal.app import admin, usage
from cristal.errors import InvalidInput
from cristal.server.console._web import Page, Pager, page, page_number, render

__all__ = ["chart", "parse_day", "router"]

router = APIRouter(include_in_schema=False)

CALLS_PER_PAGE = 50
DEFAULT_DAYS = 30
MAX_DAYS = 366
STATUSES = ("ok", "error", "refused", "cancelled", "pending", "abandoned")
GROUPS = ("route", "model", "tenant")
SERIES_MAX = 8  # colours in usage.css; the rest are summed as "other"


def parse_day(text: str | None, what: str) -> date | None:
    """A `YYYY-MM-DD` query value as a date (None when empty)."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{what} {text[:40]!r} is not a date; use YYYY-MM-DD.") from None


def _start(d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=UTC)


@dataclass
class Bar:
    """One segment of a stacked bar (numbers only; labels are escaped by the template)."""

    x: float
    y: float
    w: float
    h: float
    series: int
    day: str
    name: str
    value: float


def chart(rows: list[dict[str, Any]], days: list[str], metric: str, by: str, *,
          width: int = 720, height: int = 240) -> dict[str, Any]:
    """Geometry of a stacked bar chart of `metric` per day, one colour per value of `by`.

    Returns numbers and the series names; the template draws the `<svg>` (autoescaped)."""
    totals: dict[str, float] = {}
    per: dict[tuple[str, str], float] = {}
    for r in rows:
        name = str(r.get(by) or "—")
        value = float(r[metric])
        totals[name] = totals.get(name, 0.0) + value
        per[(r["day"], name)] = per.get((r["day"], name), 0.0) + value
    names = sorted(totals, key=lambda n: (-totals[n], n))
    if len(names) > SERIES_MAX:
        keep, rest = names[:SERIES_MAX - 1], set(names[SERIES_MAX - 1:])
        merged: dict[tuple[str, str], float] = {}
        for (d, n), v in per.items():
            key = (d, "…" if n in rest else n)
            merged[key] = merged.get(key, 0.0) + v
        per, names = merged, [*keep, "…"]
    day_totals = [sum(per.get((d, n), 0.0) for n in names) for d in days]
    top = max(day_totals, default=0.0)
    scale_top = _nice(top)
    left, right, top_pad, bottom = 84, 8, 10, 28
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    step = plot_w / max(1, len(days))
    bars: list[Bar] = []
    for i, d in enumerate(days):
        base = 0.0
        for s, n in enumerate(names):
            v = per.get((d, n), 0.0)
            if v <= 0 or scale_top <= 0:
                continue
            h = v / scale_top * plot_h
            y = top_pad + plot_h - (base + v) / scale_top * plot_h
            bars.append(Bar(round(left + i * step + step * 0.1, 2), round(y, 2),
                            round(max(1.0, step * 0.8), 2), round(max(0.5, h), 2), s, d, n, v))
            base += v
    ticks = [(round(top_pad + plot_h - k / 4 * plot_h, 2), scale_top * k / 4) for k in range(5)]
    digits = next((d for d in range(9) if abs(round(scale_top / 4 * 10 ** d)
                                               - scale_top / 4 * 10 ** d) < 1e-6), 8)
    label_every = max(1, round(len(days) / 8))
    labels = [(round(left + i * step + step / 2, 2), d) for i, d in enumerate(days)
              if i % label_every == 0]
    table = [(d, [per.get((d, n), 0.0) for n in names], t) for d, t in zip(days, day_totals,
                                                                             strict=True)]
    busiest = max(range(len(days)), key=lambda i: day_totals[i]) if days else None
    return {"width": width, "height": height, "left": left, "plot_w": plot_w,
            "base_y": top_pad + plot_h, "bars": bars, "ticks": ticks, "labels": labels,
            "digits": digits, "series": names, "totals": [totals.get(n, 0.0) if n != "…" else
                                        sum(v for (_, m), v in per.items() if m == "…")
                                        for n in names],
            "table": table, "total": sum(day_totals), "metric": metric, "by": by,
            "busiest": (days[busiest], day_totals[busiest]) if busiest is not None and top > 0
            else None}


def _nice(value: float) -> float:
    """A round axis maximum ≥ value (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 0.0
    power = 10 ** (len(f"{int(value)}") - 1) if value >= 1 else 10 ** -_zeros(value)
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= value:
            return m * power
    return 10 * power


def _zeros(value: float) -> int:
    n = 0
    while value < 1 and n < 12:
        value *= 10
        n += 1
    return n


def _tenant_choice(p: Page, request: Request) -> tuple[str | None, bool]:
    """(tenant, all_tenants) from `?tenant=` (owners may pick any tenant or all)."""
    asked = request.query_params.get("tenant") or None
    if not p.principal.is_owner:
        return None, False
    if asked == "*":
        return None, True
    return asked, False


@router.get("/usage")
def usage_page(request: Request, p: Page = Depends(page)) -> Response:
    """Budgets, charts of spend and tokens per day, and the call log."""
    q = request.query_params
    tenant, every = _tenant_choice(p, request)
    today = datetime.now(UTC).date()
    until = parse_day(q.get("to"), "to") or today
    since = parse_day(q.get("from"), "from") or until - timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise InvalidInput("the start date is after the end date.")
    if (until - since).days >= MAX_DAYS:
        since = until - timedelta(days=MAX_DAYS - 1)
    by = q.get("by") if q.get("by") in GROUPS else ("tenant" if every else "route")
    days = [(since + timedelta(days=i)).isoformat() for i in range((until - since).days + 1)]

    positions = usage.positions(p.app, p.principal, tenant, all_tenants=every)
    rows = usage.daily(p.app, p.principal, _start(since), _start(until + timedelta(days=1)),
                       tenant, all_tenants=every)
    spend = chart(rows, days, "cost_usd", by)
    tokens = chart(rows, days, "tokens", by)

    route, model = q.get("route") or None, q.get("model") or None
    status = q.get("status") if q.get("status") in STATUSES else None
    number = page_number(request)
    found = usage.calls(p.app, p.principal, tenant=tenant, all_tenants=every,
                        since=_start(since), until=_start(until + timedelta(days=1)),
                        status=status, route=route, model=model, limit=CALLS_PER_PAGE + 1,
                        offset=(number - 1) * CALLS_PER_PAGE)
    pager = Pager.of(request, found, size=CALLS_PER_PAGE)
    tenants = ([t.name for t in admin.list_tenants(p.app, p.principal)]
               if p.principal.is_owner else [])
    routes = sorted({r["route"] for r in rows} | ({route} if route else set()))
    models = sorted({r["model"] for r in rows} | ({model} if model else set()))
    return render(p, "usage/index.html", positions=positions, spend=spend, tokens=tokens,
                  pager=pager, tenants=tenants, tenant=("*" if every else
                                                        tenant or p.principal.tenant),
                  since=since.isoformat(), until=until.isoformat(), by=by, groups=GROUPS,
                  route=route or "", model=model or "", wanted_status=status or "",
                  statuses=STATUSES, routes=routes, models=models, every=every)


@router.get("/usage/calls/{call_id}")
def call_page(call_id: str, p: Page = Depends(page)) -> Response:
    """One model call: route, model, tokens, cost, timing, error and caller."""
    found = usage.call(p.app, p.principal, call_id)
    return render(p, "usage/call.html", call=found)
