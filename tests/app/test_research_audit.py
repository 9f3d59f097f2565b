"""What research leaves in the audit log: the question (or only its hash, by config) and the
documents cited; and the CLI-facing use cases keep working as the local owner."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from acl_world import build_world
from cristal.app import research

QUESTION = "Who is the approver for expense claims?"


def test_question_text_or_only_its_hash(sqlite_url, tmp_path):
    world = build_world(sqlite_url, tmp_path, audit={"research_question": "hash"})
    try:
        report, _ = research.ask(world.app, world.alice, QUESTION, embed=False)
        assert not report.not_found
        with world.app.store.read() as conn:
            dump = " ".join(str(v) for row in conn.execute(sa.text("SELECT * FROM audit_log"))
                            for v in row)
        assert QUESTION not in dump
        assert hashlib.sha256(QUESTION.encode()).hexdigest() in dump
        assert "expense-policy.md" in dump  # documents cited are still recorded
    finally:
        world.app.close()


def test_question_text_by_default(sqlite_url, tmp_path):
    world = build_world(sqlite_url, tmp_path)
    try:
        research.ask(world.app, world.alice, QUESTION, embed=False)
        with world.app.store.read() as conn:
            actions = conn.execute(sa.text("SELECT action, details FROM audit_log ORDER BY seq")
                                   ).all()
        assert [a for a, _ in actions] == ["research.asked", "research.cited"]
        assert QUESTION in actions[0][1]
    finally:
        world.app.close()


def test_erase_user_removes_the_record_keys_bindings_and_their_research(sqlite_url, tmp_path):
    from cristal.governance import bind_role, create_key, get_tenant, list_keys, list_users
    from cristal.lifecycle import erase

    world = build_world(sqlite_url, tmp_path)
    try:
        store = world.app.store
        acme = get_tenant(store, "acme")
        bind_role(store, acme, "member", user="alice")
        create_key(store, acme, "member", user="alice")
        research.ask(world.app, world.alice, QUESTION, embed=False)
        research.ask(world.app, world.bob, QUESTION, embed=False)
        record = erase(world.app, "user", "alice", tenant="acme")
        assert record["counts"]["users"] == 1 and record["counts"]["api keys"] == 1
        assert record["counts"]["role bindings"] == 1
        assert record["counts"]["research sessions"] == 1  # alice's, not bob's
        assert [u.name for u in list_users(store, acme)] == ["bob"]
        assert [k for k in list_keys(store, acme) if k.user == "alice"] == []
        left = research.sessions(world.app, world.admin)
        assert len(left) == 1
    finally:
        world.app.close()
