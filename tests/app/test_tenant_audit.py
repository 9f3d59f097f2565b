"""Changing a tenant's budget or routes through the use-case layer leaves `budget.change` and
`route.change` entries (actor, tenant, before and after) in a chain that still verifies; a
refused change leaves none and changes nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from cristal.app import admin, audit
from cristal.errors import NotFound, PermissionDenied

FAST = {"provider": "up", "model": "echo"}


def _changes(world) -> list:
    return [e for e in audit.list_entries(world.app, world.auditor, limit=1000)
            if e.action in ("budget.change", "route.change")]


def test_budget_and_route_changes_are_audited_with_before_and_after(world):
    app = world.app
    admin.update_tenant(app, world.admin, "acme", budget_usd=25.0, budget_tokens=100_000,
                        period="week")
    admin.update_tenant(app, world.admin, None, routes={"fast": FAST})
    admin.update_tenant(app, world.owner, "acme", budget_usd=None)
    admin.update_tenant(app, world.owner, "acme", routes={"fast": None})

    raised, added, unlimited, removed = reversed(_changes(world))
    assert [e.action for e in (raised, added, unlimited, removed)] == [
        "budget.change", "route.change", "budget.change", "route.change"]
    assert {e.tenant for e in (raised, added, unlimited, removed)} == {"acme"}
    assert {e.target for e in (raised, added, unlimited, removed)} == {"acme"}
    assert raised.actor == added.actor == "key:key_admin"
    assert unlimited.actor == removed.actor == "key:key_own"
    assert raised.details == {
        "before": {"budget_usd": None, "budget_tokens": None, "period": "month"},
        "after": {"budget_usd": 25.0, "budget_tokens": 100_000, "period": "week"}}
    assert added.details == {"changes": {"fast": FAST}, "routes": {"fast": FAST}}
    # Only what was asked for is recorded: budget_usd back to unlimited, not the period.
    assert unlimited.details == {"before": {"budget_usd": 25.0}, "after": {"budget_usd": None}}
    assert removed.details == {"changes": {"fast": None}, "routes": {}}

    tenant = admin.get_tenant(app, world.admin)
    assert (tenant.budget_usd, tenant.budget_tokens, tenant.period, tenant.routes) == (
        None, 100_000, "week", {})
    for checker in (world.owner, world.auditor):
        result = audit.verify(app, checker)
        assert result.ok, result.message
    assert result.entries >= 4


@pytest.mark.parametrize(("who", "error"), [
    ("builder", PermissionDenied), ("alice", PermissionDenied), ("auditor", PermissionDenied),
    ("outsider", NotFound),  # a member of beta: acme is not even visible
])
def test_a_refused_change_is_not_audited_and_changes_nothing(world, who, error):
    app = world.app
    before = admin.get_tenant(app, world.owner, "acme")
    with pytest.raises(error):
        admin.update_tenant(app, getattr(world, who), "acme", budget_usd=1.0,
                            routes={"fast": FAST})
    assert _changes(world) == []
    assert admin.get_tenant(app, world.owner, "acme") == before
    assert audit.verify(app, world.owner).ok
