"""The tamper-evident audit log: an append-only SHA-256 hash chain in the store's database.

Each entry's hash covers the previous entry's hash and the entry itself as canonical
JSON (sorted keys, no spaces, UTF-8), so changing, deleting or reordering any entry
breaks the chain from there on. Appends are serialised on the one-row `audit_head`
(`SELECT … FOR UPDATE` on PostgreSQL; SQLite's `BEGIN IMMEDIATE` write lock), so
concurrent writers on many servers still make one linear chain, and the head also
records the newest entry, so deleting the last entries is noticed too.

Someone who can write the database could rebuild the whole chain; keep the head hash
that `cristal audit verify` prints (`SEQ:HASH`) somewhere else (a ticket, a WORM
bucket) and pass it later as `--anchor SEQ:HASH` to catch that as well.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from cristal.governance._identity_tables import audit_head, audit_log
from cristal.governance._tenants import Tenant
from cristal.store import Store, new_id, utcnow

__all__ = ["GENESIS", "AuditEntry", "Verification", "append_audit", "audit_entries",
           "canonical", "entry_hash", "verify_chain"]

GENESIS = "0" * 64
_BATCH = 1000


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no whitespace, UTF-8 kept (the text that is hashed)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """SHA-256 of the previous hash and the entry's canonical JSON."""
    return hashlib.sha256(f"{prev_hash}\n{canonical(fields)}".encode()).hexdigest()


def _fields(id_: str, created_at: str, tenant: str | None, actor: str, action: str,
            target: str | None, details: str) -> dict[str, Any]:
    return {"id": id_, "created_at": created_at, "tenant": tenant, "actor": actor,
            "action": action, "target": target, "details": details}


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One entry of the chain."""

    seq: int
    id: str
    created_at: str
    tenant: str | None
    actor: str
    action: str
    target: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (with both hashes, so an export can be checked elsewhere)."""
        return {"seq": self.seq, "id": self.id, "created_at": self.created_at,
                "tenant": self.tenant, "actor": self.actor, "action": self.action,
                "target": self.target, "details": self.details, "prev_hash": self.prev_hash,
                "hash": self.hash}


def _tenant_name(tenant: Tenant | str | None) -> str | None:
    return tenant.name if isinstance(tenant, Tenant) else tenant


def _append(conn: sa.Connection, tenant: str | None, actor: str, action: str,
            target: str | None, details: dict[str, Any]) -> AuditEntry:
    head = sa.select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
    if conn.dialect.name == "postgresql":
        head = head.with_for_update()
    row = conn.execute(head).first()
    seq, prev = (row.seq, row.hash) if row else (0, GENESIS)
    text = canonical(details)
    entry = _fields(new_id("aud"), utcnow().isoformat(timespec="microseconds"), tenant,
                    actor[:300], action[:60], target, text)
    digest = entry_hash(prev, entry)
    conn.execute(audit_log.insert().values(seq=seq + 1, prev_hash=prev, hash=digest, **entry))
    if row is None:
        conn.execute(audit_head.insert().values(id=1, seq=seq + 1, hash=digest))
    else:
        conn.execute(audit_head.update().where(audit_head.c.id == 1)
                     .values(seq=seq + 1, hash=digest))
    return AuditEntry(seq + 1, entry["id"], entry["created_at"], tenant, entry["actor"],
                      entry["action"], target, details, prev, digest)


def append_audit(store: Store | sa.Connection, *, tenant: Tenant | str | None, actor: str,
                 action: str, target: str | None = None,
                 details: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry to the chain (in the caller's write transaction if given one).

    `tenant` is a Tenant or tenant name (None for platform-wide events), `actor` who did
    it (`Principal.actor`), `action` a dotted verb such as `keys.create`, `target` what
    it was done to, `details` any JSON-friendly facts (never secrets).
    """
    name = _tenant_name(tenant)
    facts = json.loads(canonical(details or {}))  # what is stored is what is returned
    if isinstance(store, sa.Connection):
        return _append(store, name, actor, action, target, facts)
    with store.write() as conn:
        return _append(conn, name, actor, action, target, facts)


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(row.seq, row.id, row.created_at, row.tenant, row.actor, row.action,
                      row.target, json.loads(row.details), row.prev_hash, row.hash)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def audit_entries(store: Store, *, tenant: str | None = None, since: datetime | None = None,
                  until: datetime | None = None, action: str | None = None,
                  limit: int | None = None, newest_first: bool = False) -> Iterator[AuditEntry]:
    """Entries in chain order (or newest first), filtered by tenant, time and action prefix."""
    c = audit_log.c
    where = []
    if tenant is not None:
        where.append(c.tenant == tenant)
    if since is not None:
        where.append(c.created_at >= _iso(since))
    if until is not None:
        where.append(c.created_at < _iso(until))
    if action:
        where.append(sa.or_(c.action == action, c.action.startswith(action.rstrip(".") + ".")))
    order = c.seq.desc() if newest_first else c.seq
    last: int | None = None
    given = 0
    while limit is None or given < limit:
        page = sa.select(audit_log).where(*where)
        if last is not None:
            page = page.where(c.seq < last if newest_first else c.seq > last)
        size = _BATCH if limit is None else min(_BATCH, limit - given)
        with store.read() as conn:
            rows = conn.execute(page.order_by(order).limit(size)).all()
        for row in rows:
            given += 1
            yield _entry(row)
        if len(rows) < size:
            return
        last = rows[-1].seq


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of checking the chain: intact, or the first bad entry and why."""

    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    bad_seq: int | None = None
    bad_id: str | None = None
    problem: str | None = None  # changed | deleted | reordered | head | anchor
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"ok": self.ok, "entries": self.entries, "head_seq": self.head_seq,
                "head_hash": self.head_hash, "bad_seq": self.bad_seq, "bad_id": self.bad_id,
                "problem": self.problem, "message": self.message}


def verify_chain(store: Store, anchor: tuple[int, str] | None = None) -> Verification:
    """Walk the whole chain; report the first entry that was changed, deleted or reordered.

    `anchor` (seq, hash), recorded elsewhere earlier, must still be in the chain.
    """
    prev, expected, count, last_id = GENESIS, 1, 0, None
    c = audit_log.c
    after = 0
    with store.read() as conn:
        head = conn.execute(sa.select(audit_head.c.seq, audit_head.c.hash)
                            .where(audit_head.c.id == 1)).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)

    def bad(row: Any, problem: str, message: str) -> Verification:
        return Verification(False, count, head_seq, head_hash, row.seq if row else None,
                            row.id if row else None, problem, message)

    while True:
        with store.read() as conn:
            rows = conn.execute(sa.select(audit_log).where(c.seq > after).order_by(c.seq)
                                .limit(_BATCH)).all()
        for row in rows:
            fields = _fields(row.id, row.created_at, row.tenant, row.actor, row.action,
                             row.target, row.details)
            if entry_hash(row.prev_hash, fields) != row.hash:
                return bad(row, "changed", f"entry {row.seq} ({row.id}, {row.action}) was "
                           "changed: its hash does not match its contents.")
            if row.seq != expected:
                return bad(row, "deleted", f"entry {expected} is missing: deleted before entry "
                           f"{row.seq} ({row.id}).")
            if row.prev_hash != prev:
                return bad(row, "reordered", f"entry {row.seq} ({row.id}, {row.action}) is out "
                           f"of order: it does not follow entry {expected - 1}"
                           f"{f' ({last_id})' if last_id else ''} in the chain (entries were "
                           "reordered, or one before it was replaced).")
            if anchor is not None and row.seq == anchor[0] and row.hash != anchor[1]:
                return bad(row, "anchor", f"entry {row.seq} ({row.id}) is consistent with the "
                           f"chain but its hash {row.hash[:16]}… is not the anchored "
                           f"{anchor[1][:16]}…: the chain was rebuilt from there or earlier.")
            prev, expected, count, last_id = row.hash, expected + 1, count + 1, row.id
        if len(rows) < _BATCH:
            break
        after = rows[-1].seq
    if head_seq != count or head_hash != prev:
        gone = head_seq - count
        message = (f"the newest {gone} entr{'y was' if gone == 1 else 'ies were'} deleted: "
                   f"the chain head records entry {head_seq}, the log ends at {count}."
                   if head_seq > count else
                   f"the chain head records entry {head_seq} but the log ends at {count}: entries "
                   "were added or the head was changed outside Cristal.")
        return Verification(False, count, head_seq, head_hash, count + 1 if head_seq > count
                            else head_seq, None, "head", message)
    if anchor is not None and anchor[0] > count:
        return Verification(False, count, head_seq, head_hash, anchor[0], None, "anchor",
                            f"the anchored entry {anchor[0]} is past the end of the log "
                            f"({count} entries): entries were removed and the chain rebuilt.")
    return Verification(True, count, head_seq, head_hash, message=f"{count} entries intact.")
