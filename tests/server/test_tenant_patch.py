"""PATCH /api/tenants/NAME over real HTTP: the change is in the audit log under the caller's
key with before and after, the chain verifies; callers who may not change it leave no trace."""

from __future__ import annotations

ROUTE = {"provider": "up", "model": "echo", "max_output_tokens": 32}


def _entries(site, action: str) -> list[dict]:
    got = site.call("auditor", "GET", "/api/audit", params={"action": action})
    assert got.status_code == 200, got.text
    return got.json()["entries"]


def test_patching_budget_and_route_is_audited_under_the_callers_key(site):
    changed = site.call("admin", "PATCH", "/api/tenants/acme",
                        json={"budget_usd": 12.5, "period": "day", "routes": {"fast": ROUTE}})
    assert changed.status_code == 200, changed.text
    assert changed.json()["budget_usd"] == 12.5 and changed.json()["routes"] == {"fast": ROUTE}

    actor = f"key:{site.key_ids['admin']}"
    [budget] = _entries(site, "budget.change")
    assert (budget["actor"], budget["tenant"], budget["target"]) == (actor, "acme", "acme")
    assert budget["details"] == {"before": {"budget_usd": None, "period": "month"},
                                 "after": {"budget_usd": 12.5, "period": "day"}}
    [route] = _entries(site, "route.change")
    assert (route["actor"], route["tenant"], route["target"]) == (actor, "acme", "acme")
    assert route["details"] == {"changes": {"fast": ROUTE}, "routes": {"fast": ROUTE}}
    verified = site.call("auditor", "GET", "/api/audit/verify").json()
    assert verified["ok"] is True and verified["problem"] is None, verified


def test_refused_patches_leave_the_tenant_and_the_audit_log_alone(site):
    before = site.call("owner", "GET", "/api/tenants/acme").json()
    attempt = {"budget_usd": 1.0, "routes": {"fast": ROUTE}}
    for who, status in (("builder", 403), ("member", 403), ("auditor", 403), ("other", 404),
                        ("none", 401)):
        refused = site.call(who, "PATCH", "/api/tenants/acme", json=attempt)
        assert refused.status_code == status, (who, refused.text)
    assert _entries(site, "budget.change") == _entries(site, "route.change") == []
    assert site.call("owner", "GET", "/api/tenants/acme").json() == before
    assert site.call("auditor", "GET", "/api/audit/verify").json()["ok"] is True
