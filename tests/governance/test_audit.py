"""The audit chain: one line under concurrent writers; verify catches edits, deletes, reorders."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import sqlalchemy as sa

from cristal.governance import GENESIS, append_audit, audit_entries, verify_chain
from cristal.store import Store


def _fill(store: Store, n: int = 6) -> None:
    for i in range(n):
        append_audit(store, tenant="default", actor="local:test", action=f"test.step{i}",
                     target=f"t{i}", details={"i": i, "text": "日本語 ok", "nested": {"b": 1}})


def _sql(store: Store, *statements: str) -> None:
    with store.write() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))


def test_entries_chain_and_verify(store):
    _fill(store)
    entries = list(audit_entries(store))
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5, 6]
    assert entries[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    assert entries[2].details == {"i": 2, "text": "日本語 ok", "nested": {"b": 1}}
    result = verify_chain(store)
    assert result.ok and result.entries == 6 and result.head_hash == entries[-1].hash
    assert verify_chain(store, anchor=(3, entries[2].hash)).ok


def test_verify_names_an_edited_entry(store):
    _fill(store)
    _sql(store, "UPDATE audit_log SET details = '[9]' WHERE seq = 3")
    result = verify_chain(store)
    assert not result.ok and result.problem == "changed" and result.bad_seq == 3
    assert "entry 3" in result.message and "changed" in result.message


def test_verify_names_an_edited_actor_even_with_its_hash_recomputed_naively(store):
    _fill(store)
    _sql(store, "UPDATE audit_log SET actor = 'local:someone-else' WHERE seq = 2")
    assert verify_chain(store).bad_seq == 2


def test_verify_names_a_deleted_entry(store):
    _fill(store)
    _sql(store, "DELETE FROM audit_log WHERE seq = 4")
    result = verify_chain(store)
    assert not result.ok and result.problem == "deleted"
    assert "entry 4 is missing" in result.message


def test_verify_names_reordered_entries(store):
    _fill(store)
    _sql(store, "UPDATE audit_log SET seq = 100 WHERE seq = 2",
         "UPDATE audit_log SET seq = 2 WHERE seq = 3",
         "UPDATE audit_log SET seq = 3 WHERE seq = 100")
    result = verify_chain(store)
    assert not result.ok and result.problem == "reordered" and result.bad_seq == 2
    assert "out of order" in result.message


def test_verify_notices_the_newest_entries_deleted(store):
    _fill(store)
    _sql(store, "DELETE FROM audit_log WHERE seq >= 5")
    result = verify_chain(store)
    assert not result.ok and result.problem == "head" and "newest 2 entries" in result.message


def test_anchor_catches_a_rebuilt_chain(store):
    _fill(store, 3)
    anchor = (2, list(audit_entries(store))[1].hash)
    # Rebuild: wipe the log and write different entries with a valid chain.
    _sql(store, "DELETE FROM audit_log", "UPDATE audit_head SET seq = 0, hash = '" +
         GENESIS + "'")
    _fill(store, 3)
    assert verify_chain(store).ok  # consistent on its own
    result = verify_chain(store, anchor=anchor)
    assert not result.ok and result.problem == "anchor"


_WRITER = """
import sys
from cristal.governance import append_audit
from cristal.store import Store
store = Store.open(sys.argv[1])
for i in range(int(sys.argv[3])):
    append_audit(store, tenant="default", actor="proc:" + sys.argv[2], action="test.write",
                 target=str(i), details={"writer": sys.argv[2], "i": i})
store.close()
"""


@pytest.mark.slow
def test_four_processes_append_one_linear_chain(db_url):
    Store.open(db_url).close()  # migrate once, before the writers race
    per = 40
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, db_url, str(w), str(per)],
                              stderr=subprocess.PIPE) for w in range(4)]
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err.decode()
    store = Store.open(db_url)
    try:
        entries = list(audit_entries(store))
        assert [e.seq for e in entries] == list(range(1, 4 * per + 1))
        writers = {e.details["writer"] for e in entries}
        assert writers == {"0", "1", "2", "3"}
        # Each writer's own entries keep their order inside the one chain.
        for w in writers:
            mine = [e.details["i"] for e in entries if e.details["writer"] == w]
            assert mine == list(range(per))
        result = verify_chain(store)
        assert result.ok and result.entries == 4 * per, json.dumps(result.to_dict())
    finally:
        store.close()
