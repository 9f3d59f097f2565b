"""A restricted collection is invisible to non-readers through every use case (SQLite and
PostgreSQL): no passage, title, file name or count; `not found` exactly as if it did not exist.
The same requests by a reader do show the secret, so each check can fail."""

from __future__ import annotations

import json

import pytest

from acl_world import OPEN_DOC, SECRET, SECRET_DOC
from cristal.app import audit, knowledge, research
from cristal.errors import NotFound, PermissionDenied

QUESTION = "What is the merger codename?"


def _text(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _leaks(value) -> bool:
    text = _text(value)
    return SECRET in text or SECRET_DOC in text or "Kestrel" in text or "vault" in text


def test_collections_list_and_lookup(world):
    app = world.app
    names = [c.name for c in knowledge.list_collections(app, world.alice)]
    assert names == ["handbook"]
    assert [c.name for c in knowledge.list_collections(app, world.bob)] == ["handbook", "vault"]
    assert [c.name for c in knowledge.list_collections(app, world.admin)] == ["handbook", "vault"]
    assert knowledge.list_collections(app, world.outsider) == []
    with pytest.raises(NotFound) as missing:
        knowledge.collection_info(app, world.alice, "vault")
    with pytest.raises(NotFound) as absent:
        knowledge.collection_info(app, world.alice, "nothing-here")
    # The same answer as for a collection that does not exist, and no list of the vault.
    assert missing.value.message.replace("vault", "X") == absent.value.message.replace(
        "nothing-here", "X")
    assert "(collections: handbook)" in missing.value.message  # the vault is not listed
    with pytest.raises(NotFound):
        knowledge.list_documents(app, world.alice, "vault")
    assert knowledge.list_documents(app, world.bob, "vault")[0]["path"] == SECRET_DOC
    with pytest.raises(NotFound):
        knowledge.collection_info(app, world.outsider, "handbook")


def test_search(world):
    app = world.app
    found = knowledge.search(app, world.alice, "merger codename Kestrel")
    assert not _leaks([p.to_dict() for p in found])
    with pytest.raises(NotFound):
        knowledge.search(app, world.alice, "merger", collections=["vault"])
    assert SECRET in _text([p.to_dict() for p in knowledge.search(app, world.bob, "merger")])
    assert knowledge.search(app, world.outsider, "merger codename") == []


def test_research_and_stored_reports(world):
    app = world.app
    report, _ = research.ask(app, world.alice, QUESTION, embed=False)
    assert not _leaks(report.to_contract())
    with pytest.raises(NotFound):
        research.ask(app, world.alice, QUESTION, collections=["vault"], embed=False)
    theirs, _ = research.ask(app, world.bob, QUESTION, embed=False)
    assert SECRET in theirs.answer and SECRET_DOC in _text(theirs.to_contract())
    # Alice cannot list, show or export Bob's session (nor could any non-reader).
    assert theirs.id not in [s.id for s in research.sessions(app, world.alice)]
    for fmt in ("json", "md", "html"):
        with pytest.raises(NotFound):
            research.export_report(app, world.alice, theirs.id, fmt)
    with pytest.raises(NotFound):
        research.session(app, world.outsider, theirs.id, None)
    # An admin reads every session of the tenant; Bob reads his own.
    assert SECRET in research.export_report(app, world.admin, theirs.id, "md")[0]
    assert SECRET in research.session(app, world.bob, theirs.id)["answer"]
    # Once Bob loses the grant, his own stored report is closed to him too.
    knowledge.revoke(app, world.admin, "vault", group="board")
    knowledge.grant(app, world.admin, "vault", user="carol")
    with pytest.raises(NotFound):
        research.session(app, world.bob, theirs.id)
    assert theirs.id not in [s.id for s in research.sessions(app, world.bob)]


def test_audit_list_and_export_leave_out_what_one_cannot_read(world):
    app = world.app
    research.ask(app, world.bob, QUESTION, embed=False)
    research.ask(app, world.alice, "When must expense claims be submitted?", embed=False)
    everything = _text([e.to_dict() for e in audit.export_entries(app, world.owner)])
    assert SECRET_DOC in everything and QUESTION in everything  # the control
    seen = [e.to_dict() for e in audit.export_entries(app, world.auditor)]
    assert not _leaks(seen) and QUESTION not in _text(seen)
    assert any(e["action"] == "research.asked" for e in seen)  # the open question is there
    assert OPEN_DOC in _text(seen)
    listed = [e.to_dict() for e in audit.list_entries(app, world.auditor, limit=500)]
    assert not _leaks(listed) and QUESTION not in _text(listed)
    with pytest.raises(PermissionDenied):
        audit.list_entries(app, world.alice)


def test_builders_cannot_write_into_or_open_a_collection_they_cannot_read(world):
    app, dan = world.app, world.builder
    with pytest.raises(NotFound):
        knowledge.upload(app, dan, "vault", [("x.md", b"# x\n\nmore text for the index.")],
                         embed=False)
    with pytest.raises(NotFound):
        knowledge.grant(app, dan, "vault", user="dan")
    with pytest.raises(NotFound):
        knowledge.delete_collection(app, dan, "vault")
    assert knowledge.collection_info(app, world.bob, "vault")["documents"] == 1
    made = knowledge.upload(app, dan, "handbook", [("travel.md", b"# Travel\n\nTrains only.")],
                            embed=False)
    assert made["added"] == 1


def test_read_document(world):
    app = world.app
    secret_id = knowledge.list_documents(app, world.bob, "vault")[0]["id"]
    open_id = knowledge.list_documents(app, world.alice, "handbook")[0]["id"]
    for who in (world.alice, world.auditor, world.outsider, world.builder):
        with pytest.raises((NotFound, PermissionDenied)) as hidden:
            knowledge.read_document(app, who, secret_id)
        assert not _leaks(hidden.value.message.replace(secret_id, "id"))
    with pytest.raises(NotFound) as hidden:
        knowledge.read_document(app, world.alice, secret_id)
    with pytest.raises(NotFound) as absent:
        knowledge.read_document(app, world.alice, "doc_nothing")
    assert hidden.value.message.replace(secret_id, "X") == absent.value.message.replace(
        "doc_nothing", "X")
    for who in (world.bob, world.admin, world.owner):
        doc = knowledge.read_document(app, who, secret_id)
        assert SECRET in doc["text"] and doc["collection"] == "vault"
        assert doc["path"] == SECRET_DOC
    doc = knowledge.read_document(app, world.alice, open_id)
    assert doc["path"] == OPEN_DOC and "line manager" in doc["text"]
    with pytest.raises(NotFound):
        knowledge.read_document(app, world.outsider, open_id)  # another tenant's document
