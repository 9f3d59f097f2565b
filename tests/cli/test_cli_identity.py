"""`cristal users|roles|keys|audit` as a person runs them: real processes, exit codes, JSON."""

from __future__ import annotations

import json
import os
import sqlite3

from clitools import cristal, last_json


def test_users_roles_keys_and_audit_end_to_end(tmp_path):
    assert cristal("tenant", "create", "acme", "--budget-usd", "5").returncode == 0
    made = last_json(cristal("users", "create", "alice", "--tenant", "acme", "--groups",
                             "finance,tokyo", "--json"))
    assert made["groups"] == ["finance", "tokyo"]
    assert cristal("roles", "bind", "approver", "--group", "finance", "--tenant",
                   "acme").returncode == 0
    bound = last_json(cristal("roles", "list", "--tenant", "acme", "--json"))["bindings"]
    assert [(b["subject_kind"], b["subject"], b["role"]) for b in bound] == [
        ("group", "finance", "approver")]
    key = last_json(cristal("keys", "create", "--tenant", "acme", "--role", "member",
                            "--user", "alice", "--expires", "90d", "--json"))
    assert set(key) >= {"id", "key"} and key["key"].startswith("cr_")
    listed = cristal("keys", "list", "--tenant", "acme", "--json")
    assert key["key"] not in listed.stdout and key["key"][15:] not in listed.stdout
    row = last_json(listed)["keys"][0]
    assert (row["id"], row["role"], row["user"], row["status"]) == (
        key["id"], "member", "alice", "active")
    revoked = last_json(cristal("keys", "revoke", key["id"], "--tenant", "acme", "--json"))
    assert revoked["status"] == "revoked"
    bad = cristal("keys", "create", "--tenant", "acme", "--role", "root")
    assert bad.returncode == 2 and "not one of owner" in bad.stderr

    actions = [e["action"] for e in last_json(cristal("audit", "list", "--json"))["entries"]]
    assert actions == ["key.revoke", "key.create", "role.bind", "user.create", "tenant.create"]
    verified = cristal("audit", "verify", "--json")
    assert verified.returncode == 0 and last_json(verified)["ok"] is True
    out = tmp_path / "audit.jsonl"
    exported = last_json(cristal("audit", "export", "--out", str(out), "--json"))
    assert exported["exported"] == 6  # the five above and the export itself
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert lines[-1]["action"] == "audit.export" and all("hash" in e for e in lines)


def test_audit_verify_exit_codes_on_tampering():
    cristal("users", "create", "bob", "--json")
    cristal("users", "create", "eve", "--json")
    intact = cristal("audit", "verify")
    assert intact.returncode == 0 and "intact" in intact.stdout
    db = os.path.join(os.environ["CRISTAL_DATA_DIR"], "cristal.db")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE audit_log SET target = 'mallory' WHERE seq = 1")
    broken = cristal("audit", "verify")
    assert broken.returncode == 1 and "entry 1" in broken.stderr and "changed" in broken.stderr
    as_json = cristal("audit", "verify", "--json")
    assert as_json.returncode == 1 and last_json(as_json)["bad_seq"] == 1
    wrong = cristal("audit", "verify", "--anchor", "nonsense")
    assert wrong.returncode == 2 and "SEQ:HASH" in wrong.stderr
