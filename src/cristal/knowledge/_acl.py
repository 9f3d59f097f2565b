"""Collection permissions: readers (users, groups) of a collection, checked at the bottom.

A collection without grants is open to every member of its tenant; once it has
grants, only the users and groups named (and the tenant's admins, and owners) can
read it. `get_collection` and `list_collections` take the reader and answer exactly
as if an unreadable collection did not exist, so no caller can show its name, its
counts or its passages by mistake; search and research only ever see the
collections handed to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from cristal.errors import Conflict, InvalidInput, NotFound
from cristal.governance import Principal, parse_groups
from cristal.knowledge._tables import collection_grants
from cristal.store import Store, utcnow

__all__ = ["Grant", "can_read", "grant", "grants_by_collection", "list_grants", "revoke"]

_KINDS = ("user", "group")


@dataclass(frozen=True, slots=True)
class Grant:
    """A reader of a collection: a user or a group."""

    kind: str
    subject: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"kind": self.kind, "subject": self.subject}


def _subject(kind: str, subject: str) -> tuple[str, str]:
    if kind not in _KINDS:
        raise InvalidInput(f"a grant is for a user or a group, not {kind!r}.")
    cleaned = parse_groups([subject])
    if not cleaned:
        raise InvalidInput(f"the {kind} name is empty.")
    return kind, cleaned[0]


def grant(store: Store, collection_id: str, kind: str, subject: str) -> Grant:
    """Let a user or a group read a collection (the collection becomes restricted)."""
    kind, subject = _subject(kind, subject)
    with store.write() as conn:
        c = collection_grants.c
        exists = conn.execute(sa.select(c.kind).where(
            c.collection_id == collection_id, c.kind == kind, c.subject == subject)).first()
        if exists:
            raise Conflict(f"{kind} {subject!r} can already read this collection.")
        conn.execute(collection_grants.insert().values(
            collection_id=collection_id, kind=kind, subject=subject, created_at=utcnow()))
    return Grant(kind, subject)


def revoke(store: Store, collection_id: str, kind: str, subject: str) -> Grant:
    """Stop a user or a group reading a collection; the last revoke opens it to the tenant."""
    kind, subject = _subject(kind, subject)
    c = collection_grants.c
    with store.write() as conn:
        done = conn.execute(collection_grants.delete().where(
            c.collection_id == collection_id, c.kind == kind, c.subject == subject)).rowcount
    if not done:
        raise NotFound(f"{kind} {subject!r} has no grant on this collection.")
    return Grant(kind, subject)


def grants_by_collection(conn: sa.Connection, ids: list[str]) -> dict[str, list[Grant]]:
    """The grants of each of these collections (absent: no grants, open to the tenant)."""
    out: dict[str, list[Grant]] = {}
    if not ids:
        return out
    c = collection_grants.c
    rows = conn.execute(sa.select(c.collection_id, c.kind, c.subject)
                        .where(c.collection_id.in_(ids)).order_by(c.kind, c.subject)).all()
    for row in rows:
        out.setdefault(row.collection_id, []).append(Grant(row.kind, row.subject))
    return out


def list_grants(store: Store, collection_id: str) -> list[Grant]:
    """A collection's readers (empty: open to every member of its tenant)."""
    with store.read() as conn:
        return grants_by_collection(conn, [collection_id]).get(collection_id, [])


def can_read(reader: Principal | None, tenant_name: str, grants: list[Grant]) -> bool:
    """True when `reader` may read a collection of `tenant_name` with these grants.

    None is the process itself (the local owner): it reads everything.
    """
    if reader is None or reader.is_owner:
        return True
    if reader.tenant != tenant_name:
        return False
    if not grants or "admin" in reader.roles:
        return True
    return any((g.kind == "user" and g.subject == reader.user)
               or (g.kind == "group" and g.subject in reader.groups) for g in grants)
