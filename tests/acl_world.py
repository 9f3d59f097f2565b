"""A tenant with an open and a restricted collection, and principals of every kind (shared by
the use-case and server leak tests)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cristal.app import App, Principal
from cristal.config import load_settings
from cristal.governance import create_tenant, create_user, get_tenant
from cristal.knowledge import grant, ingest_paths, list_collections

SECRET = "ZEPHYR-9931"
SECRET_DOC = "board-minutes-kestrel.md"
OPEN_DOC = "expense-policy.md"

_SECRET_TEXT = f"""# Board minutes: Project Kestrel

The board approved the merger with Kestrel Holdings under the codename {SECRET}.
The merger codename is {SECRET}; the purchase price is 4.2 billion yen.
The merger closes on 31 March; the approver is the board chair.
"""
_OPEN_TEXT = """# Expense policy

Expense claims must be submitted within 30 days of purchase.
The approver for expense claims is the line manager.
Late claims need a written reason and the finance lead's approval.
"""


@dataclass
class World:
    """The app, its tenant, and one principal per kind of caller."""

    app: App
    alice: Principal   # member, not a reader of the vault
    bob: Principal     # member of group `board`: reads the vault
    admin: Principal   # tenant admin: reads everything in the tenant
    auditor: Principal  # reads the audit log, not the vault
    outsider: Principal  # a member of another tenant
    owner: Principal
    builder: Principal  # tenant builder, not a reader of the vault


def _docs(root: Path, name: str, text: str) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / (SECRET_DOC if name == "vault" else OPEN_DOC)).write_text(text, encoding="utf-8")
    return folder


def build_world(db_url: str, tmp_path: Path, **overrides) -> World:
    """acme with `handbook` (open) and `vault` (group board only); beta, another tenant."""
    app = App(load_settings(data_dir=str(tmp_path / "data"), database_url=db_url, **overrides))
    store = app.store
    acme = create_tenant(store, "acme")
    create_tenant(store, "beta")
    create_user(store, acme, "alice", ["sales"])
    create_user(store, acme, "bob", ["board"])
    ingest_paths(store, acme, "handbook", [_docs(tmp_path, "handbook", _OPEN_TEXT)])
    ingest_paths(store, acme, "vault", [_docs(tmp_path, "vault", _SECRET_TEXT)])
    vault = next(c for c in list_collections(store, acme) if c.name == "vault")
    grant(store, vault.id, "group", "board")
    assert get_tenant(store, "beta").name == "beta"

    def who(kind_id: str, tenant: str, role: str, user: str | None = None,
            groups: tuple[str, ...] = ()) -> Principal:
        return Principal("key", kind_id, tenant, frozenset({role}), user, frozenset(groups))

    world = World(app, who("key_alice", "acme", "member", "alice", ("sales",)),
                  who("key_bob", "acme", "member", "bob", ("board",)),
                  who("key_admin", "acme", "admin"), who("key_aud", "acme", "auditor"),
                  who("key_out", "beta", "member", "olga", ("board",)),
                  who("key_own", "acme", "owner"), who("key_dan", "acme", "builder", "dan"))
    return world
