"""Signing in through the use-case layer: keys and tokens to principals, failures audited,
readiness of the database."""

from __future__ import annotations

import pytest

from cristal.app import auth, health
from cristal.errors import NotAuthenticated
from cristal.governance import audit_entries, create_key, get_tenant


def _failures(world) -> list:
    return [e for e in audit_entries(world.app.store) if e.action == "auth.failed"]


def test_a_key_signs_in_and_a_bad_one_is_audited(world):
    store = world.app.store
    _, text = create_key(store, get_tenant(store, "acme"), "member", user="alice")
    who = auth.authenticate(world.app, f"Bearer {text}", client="10.0.0.7", method="GET",
                            path="/api/me")
    assert (who.kind, who.tenant, who.user, set(who.roles)) == ("key", "acme", "alice",
                                                                {"member"})
    assert who.groups == frozenset({"sales"})
    with pytest.raises(NotAuthenticated) as refused:
        auth.authenticate(world.app, f"Bearer {text[:-3]}xyz", client="10.0.0.7",
                          method="POST", path="/api/research")
    assert refused.value.fields["reason"] == "unknown"
    [entry] = _failures(world)
    assert entry.actor == "ip:10.0.0.7" and entry.details["path"] == "/api/research"


def test_no_credentials_is_not_a_failed_attempt(world):
    for header in ("", "Basic abc", "Bearer not-a-key"):
        with pytest.raises(NotAuthenticated):
            auth.authenticate(world.app, header, client="10.0.0.8")
    # Missing is not audited; a wrong scheme and a malformed token are.
    assert [e.details["reason"] for e in _failures(world)] == ["scheme", "malformed"]


def test_tokens_need_single_sign_on(world):
    assert auth.oidc_verifier(world.app) is None
    with pytest.raises(NotAuthenticated) as refused:
        auth.bearer_principal(world.app, "a.b.c")
    assert refused.value.fields["reason"] == "no_oidc"


def test_readiness_names_the_schema(world):
    state = health.readiness(world.app)
    assert state["status"] == "ready" and state["database"] == "ok" and state["schema"]
