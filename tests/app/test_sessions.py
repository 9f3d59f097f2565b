"""Console sessions in the database (SQLite and PostgreSQL): what opens, checks and ends them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from acl_world import build_world
from cristal.app import sessions
from cristal.errors import NotAuthenticated
from cristal.governance import (
    audit_entries,
    create_key,
    get_tenant,
    load_session,
    open_session,
    revoke_key,
    update_user,
)
from cristal.governance._identity_tables import console_sessions
from cristal.lifecycle import erase


@pytest.fixture
def world(db_url, tmp_path):
    made = build_world(db_url, tmp_path)
    yield made
    made.app.close()


def test_a_key_session_follows_its_key_and_its_user(world):
    app, store = world.app, world.app.store
    acme = get_tenant(store, "acme")
    key, text = create_key(store, acme, "member", user="alice")
    token, opened = sessions.sign_in_with_key(app, text, client="127.0.0.1")
    assert token not in repr(opened)  # the cookie's token is not kept in the session
    again = sessions.session_of(app, token)
    assert again.principal.user == "alice" and again.csrf == opened.csrf
    update_user(store, acme, "alice", disabled=True)
    with pytest.raises(NotAuthenticated, match="alice is disabled"):
        sessions.session_of(app, token)
    with pytest.raises(NotAuthenticated, match="ended or is unknown"):
        sessions.session_of(app, token)  # and it is gone for good
    update_user(store, acme, "alice", disabled=False)
    token, _ = sessions.sign_in_with_key(app, text, client="127.0.0.1")
    revoke_key(store, key.id)
    with pytest.raises(NotAuthenticated, match="revoked"):
        sessions.session_of(app, token)


def test_expired_sessions_end_and_are_purged_at_the_next_sign_in(world):
    app, store = world.app, world.app.store
    token, _ = open_session(store, world.alice, "key:none", lifetime=timedelta(seconds=-1))
    with pytest.raises(NotAuthenticated, match="expired"):
        load_session(store, token, idle=timedelta(hours=1))
    stale, _ = open_session(store, world.alice, "key:none", lifetime=timedelta(seconds=-1))
    _, text = create_key(store, get_tenant(store, "acme"), "member", user="alice")
    sessions.sign_in_with_key(app, text, client="127.0.0.1")
    with pytest.raises(NotAuthenticated, match="ended or is unknown"):
        load_session(store, stale, idle=timedelta(hours=1))


def test_sign_out_is_audited_and_ends_the_session(world):
    app = world.app
    _, text = create_key(app.store, get_tenant(app.store, "acme"), "auditor")
    token, _ = sessions.sign_in_with_key(app, text, client="10.0.0.9")
    sessions.sign_out(app, token)
    with pytest.raises(NotAuthenticated):
        sessions.session_of(app, token)
    actions = [e.action for e in audit_entries(app.store)]
    assert actions[-2:] == ["console.signin", "console.signout"]


def test_erasing_a_user_ends_their_sessions(world):
    app = world.app
    _, text = create_key(app.store, get_tenant(app.store, "acme"), "member", user="alice")
    token, _ = sessions.sign_in_with_key(app, text, client="127.0.0.1")
    open_session(app.store, world.alice, "oidc:alice", lifetime=timedelta(hours=1))
    erase(app, "user", "alice", tenant="acme")
    with app.store.read() as conn:  # no row names her any more
        left = conn.execute(sa.select(sa.func.count()).select_from(console_sessions).where(
            console_sessions.c.user_name == "alice")).scalar()
    assert left == 0
    with pytest.raises(NotAuthenticated):
        sessions.session_of(app, token)
