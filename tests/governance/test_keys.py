"""API keys: shown once, stored hashed, expiring, revocable, with last use; users and roles."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from cristal.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from cristal.governance import (
    authenticate_key,
    bind_role,
    bound_roles,
    create_key,
    create_tenant,
    create_user,
    get_tenant,
    list_keys,
    parse_expiry,
    revoke_key,
    unbind_role,
)
from cristal.store import utcnow


def test_key_is_shown_once_and_only_its_hash_is_stored(store):
    tenant = get_tenant(store, "default")
    key, text = create_key(store, tenant, "member")
    assert text.startswith("cr_") and len(text) >= 3 + 12 + 1 + 43
    with store.read() as conn:
        dump = " ".join(str(v) for row in conn.execute(sa.text("SELECT * FROM api_keys"))
                        for v in row)
    secret = text.split("_", 2)[2]
    assert secret not in dump and text not in dump
    assert key.lookup in dump  # the public part finds the row
    found = authenticate_key(store, text)
    assert (found.id, found.role, found.tenant) == (key.id, "member", "default")
    assert found.last_used_at is None  # the record read before the touch
    assert list_keys(store, tenant)[0].last_used_at is not None


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # wrong secret
    lambda t: "cr_" + "x" * 12 + t[15:],                 # unknown lookup
    lambda t: t[:20],                                    # malformed
    lambda t: "Bearer " + t,                             # not a key at all
])
def test_wrong_keys_are_refused(store, mangle):
    _, text = create_key(store, get_tenant(store, "default"), "admin")
    with pytest.raises(NotAuthenticated):
        authenticate_key(store, mangle(text))


def test_revoked_and_expired_keys_stop_working(store):
    tenant = get_tenant(store, "default")
    key, text = create_key(store, tenant, "member")
    revoke_key(store, key.id, tenant)
    with pytest.raises(NotAuthenticated, match="revoked"):
        authenticate_key(store, text)
    soon, later = create_key(store, tenant, "member",
                             expires_at=utcnow() + timedelta(seconds=1))
    assert authenticate_key(store, later).id == soon.id
    with store.write() as conn:
        conn.execute(sa.text("UPDATE api_keys SET expires_at = :t WHERE id = :i"),
                     {"t": (utcnow() - timedelta(seconds=1)).replace(tzinfo=None)
                      if store.dialect == "sqlite" else utcnow() - timedelta(seconds=1),
                      "i": soon.id})
    with pytest.raises(NotAuthenticated, match="expired"):
        authenticate_key(store, later)


def test_key_for_a_user_needs_the_user_and_a_known_role(store):
    tenant = create_tenant(store, "acme")
    with pytest.raises(NotFound, match="cristal users create bob"):
        create_key(store, tenant, "member", user="bob")
    with pytest.raises(InvalidInput, match="not one of owner"):
        create_key(store, tenant, "superuser")
    create_user(store, tenant, "bob", "finance, tokyo")
    key, _ = create_key(store, tenant, "member", user="bob")
    assert key.user == "bob" and key.tenant == "acme"
    with pytest.raises(NotFound):  # another tenant's key is not found by id
        revoke_key(store, key.id, get_tenant(store, "default"))


def test_role_bindings_for_users_and_groups(store):
    tenant = create_tenant(store, "acme")
    create_user(store, tenant, "carol", ["finance"])
    bind_role(store, tenant, "member", user="carol")
    bind_role(store, tenant, "approver", group="finance")
    with pytest.raises(Conflict):
        bind_role(store, tenant, "member", user="carol")
    assert bound_roles(store, tenant, "carol", ("finance",)) == {"member", "approver"}
    assert bound_roles(store, tenant, "carol", ()) == {"member"}
    assert bound_roles(store, get_tenant(store, "default"), "carol", ("finance",)) == set()
    unbind_role(store, tenant, "approver", group="finance")
    assert bound_roles(store, tenant, "carol", ("finance",)) == {"member"}


def test_expiry_parsing():
    now = utcnow()
    assert parse_expiry("90d", now) - now == timedelta(days=90)
    assert parse_expiry("never") is None and parse_expiry(None) is None
    for bad in ("soon", "0d", "2001-01-01", "99999d"):
        with pytest.raises(InvalidInput):
            parse_expiry(bad, now)
