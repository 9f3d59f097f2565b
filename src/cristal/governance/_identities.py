"""Users, their groups, and role bindings (a role for a user or a group) in each tenant."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from cristal.errors import Conflict, InvalidInput, NotFound
from cristal.governance._identity_tables import api_keys, console_sessions, role_bindings, users
from cristal.governance._rbac import ROLES
from cristal.governance._tenants import Tenant
from cristal.store import Store, new_id, utcnow

__all__ = [
    "RoleBinding",
    "User",
    "bind_role",
    "bound_roles",
    "check_role",
    "create_user",
    "delete_user",
    "find_user",
    "get_user",
    "list_bindings",
    "list_users",
    "parse_groups",
    "unbind_role",
    "update_user",
]

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+-]{0,199}")
_GROUP = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@:/+ -]{0,199}")


@dataclass(frozen=True, slots=True)
class User:
    """A person (or service account) of one tenant, with the groups they belong to."""

    id: str
    tenant: str
    name: str
    groups: tuple[str, ...]
    created_at: datetime
    disabled: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"id": self.id, "tenant": self.tenant, "name": self.name,
                "groups": list(self.groups), "created_at": self.created_at.isoformat(),
                "disabled": self.disabled}


@dataclass(frozen=True, slots=True)
class RoleBinding:
    """A role given to a user or a group in a tenant."""

    id: str
    tenant: str
    subject_kind: str
    subject: str
    role: str
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"id": self.id, "tenant": self.tenant, "subject_kind": self.subject_kind,
                "subject": self.subject, "role": self.role,
                "created_at": self.created_at.isoformat()}


def check_role(role: str) -> str:
    """The role if it is one Cristal knows, else InvalidInput listing them."""
    if role not in ROLES:
        raise InvalidInput(f"role {role!r} is not one of {', '.join(ROLES)}.", role=role)
    return role


def _check_name(name: str, what: str = "user name") -> str:
    if not _NAME.fullmatch(name):
        raise InvalidInput(f"{what} {name!r} is not valid: use 1-200 letters, digits, '.', '_', "
                           "'@', '+' or '-', starting with a letter or digit.")
    return name


def parse_groups(groups: list[str] | str | None) -> tuple[str, ...]:
    """Group names from a list or a comma-separated string, checked and de-duplicated."""
    if groups is None:
        return ()
    items = groups.split(",") if isinstance(groups, str) else groups
    out = []
    for g in (i.strip() for i in items):
        if not g:
            continue
        if not _GROUP.fullmatch(g):
            raise InvalidInput(f"group name {g!r} is not valid: use letters, digits, spaces and "
                               "'_.@:/+-', at most 200 characters.")
        out.append(g)
    return tuple(dict.fromkeys(out))


def _user(row: Any, tenant: Tenant) -> User:
    m = row._mapping
    return User(m["id"], tenant.name, m["name"], tuple(m["groups"] or ()), m["created_at"],
                m["disabled_at"] is not None)


def create_user(store: Store, tenant: Tenant, name: str,
                groups: list[str] | str | None = None) -> User:
    """Add a user to a tenant; names are unique per tenant."""
    _check_name(name)
    user = User(new_id("usr"), tenant.name, name, parse_groups(groups), utcnow())
    with store.write() as conn:
        exists = conn.execute(sa.select(users.c.id).where(
            users.c.tenant_id == tenant.id, users.c.name == name)).first()
        if exists:
            raise Conflict(f"user {name!r} already exists in tenant {tenant.name}; change "
                           f"their groups with `cristal users update {name} --groups …`.")
        conn.execute(users.insert().values(id=user.id, tenant_id=tenant.id, name=name,
                                           groups=list(user.groups), created_at=user.created_at))
    return user


def find_user(store: Store, tenant: Tenant, name: str) -> User | None:
    """The user with this name in the tenant, or None."""
    with store.read() as conn:
        row = conn.execute(sa.select(users).where(users.c.tenant_id == tenant.id,
                                                  users.c.name == name)).first()
    return _user(row, tenant) if row else None


def get_user(store: Store, tenant: Tenant, name: str) -> User:
    """The user with this name in the tenant; NotFound says how to add one."""
    found = find_user(store, tenant, name)
    if found is None:
        raise NotFound(f"no user {name!r} in tenant {tenant.name}; add one with "
                       f"`cristal users create {name} --tenant {tenant.name}`.", user=name)
    return found


def list_users(store: Store, tenant: Tenant) -> list[User]:
    """A tenant's users by name."""
    with store.read() as conn:
        rows = conn.execute(sa.select(users).where(users.c.tenant_id == tenant.id)
                            .order_by(users.c.name)).all()
    return [_user(r, tenant) for r in rows]


def update_user(store: Store, tenant: Tenant, name: str, *,
                groups: list[str] | str | None = None, disabled: bool | None = None) -> User:
    """Replace a user's groups and/or disable (or enable) them."""
    user = get_user(store, tenant, name)
    values: dict[str, Any] = {}
    if groups is not None:
        values["groups"] = list(parse_groups(groups))
    if disabled is not None:
        values["disabled_at"] = utcnow() if disabled else None
    if values:
        with store.write() as conn:
            conn.execute(users.update().where(users.c.id == user.id).values(**values))
    return get_user(store, tenant, name)


def delete_user(store: Store, tenant: Tenant, name: str) -> User:
    """Remove a user and their own role bindings (their keys are revoked by the caller)."""
    user = get_user(store, tenant, name)
    with store.write() as conn:
        conn.execute(role_bindings.delete().where(
            role_bindings.c.tenant_id == tenant.id, role_bindings.c.subject_kind == "user",
            role_bindings.c.subject == name))
        conn.execute(users.delete().where(users.c.id == user.id))
    return user


def _binding(row: Any, tenant: Tenant) -> RoleBinding:
    m = row._mapping
    return RoleBinding(m["id"], tenant.name, m["subject_kind"], m["subject"], m["role"],
                       m["created_at"])


def bind_role(store: Store, tenant: Tenant, role: str, *, user: str | None = None,
              group: str | None = None) -> RoleBinding:
    """Give a role to a user (who must exist) or to a group in a tenant."""
    check_role(role)
    if (user is None) == (group is None):
        raise InvalidInput("name exactly one of --user or --group.")
    kind, subject = ("user", user) if user is not None else ("group", group)
    if kind == "user":
        get_user(store, tenant, subject)
    else:
        subject = parse_groups([subject])[0] if parse_groups([subject]) else ""
        if not subject:
            raise InvalidInput("the group name is empty.")
    binding = RoleBinding(new_id("rb"), tenant.name, kind, subject, role, utcnow())
    with store.write() as conn:
        exists = conn.execute(sa.select(role_bindings.c.id).where(
            role_bindings.c.tenant_id == tenant.id, role_bindings.c.subject_kind == kind,
            role_bindings.c.subject == subject, role_bindings.c.role == role)).first()
        if exists:
            raise Conflict(f"{kind} {subject!r} already has role {role} in tenant {tenant.name}.")
        conn.execute(role_bindings.insert().values(
            id=binding.id, tenant_id=tenant.id, subject_kind=kind, subject=subject, role=role,
            created_at=binding.created_at))
    return binding


def unbind_role(store: Store, tenant: Tenant, role: str, *, user: str | None = None,
                group: str | None = None) -> RoleBinding:
    """Take a role away from a user or group; NotFound when they did not have it."""
    check_role(role)
    if (user is None) == (group is None):
        raise InvalidInput("name exactly one of --user or --group.")
    kind, subject = ("user", user) if user is not None else ("group", group)
    c = role_bindings.c
    where = (c.tenant_id == tenant.id, c.subject_kind == kind, c.subject == subject,
             c.role == role)
    with store.write() as conn:
        row = conn.execute(sa.select(role_bindings).where(*where)).first()
        if row is None:
            raise NotFound(f"{kind} {subject!r} has no role {role} in tenant {tenant.name}; "
                           "`cristal roles list` shows the bindings.")
        conn.execute(role_bindings.delete().where(*where))
    return _binding(row, tenant)


def list_bindings(store: Store, tenant: Tenant) -> list[RoleBinding]:
    """A tenant's role bindings."""
    c = role_bindings.c
    with store.read() as conn:
        rows = conn.execute(sa.select(role_bindings).where(c.tenant_id == tenant.id)
                            .order_by(c.subject_kind, c.subject, c.role)).all()
    return [_binding(r, tenant) for r in rows]


def bound_roles(store: Store, tenant: Tenant, user: str | None,
                groups: tuple[str, ...] | frozenset[str] = ()) -> set[str]:
    """The roles bound in a tenant to this user or to any of these groups."""
    c = role_bindings.c
    subjects = [sa.and_(c.subject_kind == "group", c.subject.in_(list(groups)))] if groups else []
    if user:
        subjects.append(sa.and_(c.subject_kind == "user", c.subject == user))
    if not subjects:
        return set()
    with store.read() as conn:
        rows = conn.execute(sa.select(c.role).where(c.tenant_id == tenant.id,
                                                    sa.or_(*subjects))).scalars().all()
    return set(rows)


def erase_identity(scope: Any) -> None:
    """`cristal erase --user U`: the user's record, role bindings, API keys and console
    sessions go.

    Keys are deleted, not only revoked: a revoked key row would still name the user.
    Audit entries that name the user stay (the chain is append-only; see README).
    """
    if scope.selector != "user":
        return
    tenant_id, name = scope.tenant.id, scope.value
    with scope.store.write() as conn:
        bindings = conn.execute(role_bindings.delete().where(
            role_bindings.c.tenant_id == tenant_id, role_bindings.c.subject_kind == "user",
            role_bindings.c.subject == name)).rowcount
        keys = conn.execute(api_keys.delete().where(
            api_keys.c.tenant_id == tenant_id, api_keys.c.user_name == name)).rowcount
        conn.execute(console_sessions.delete().where(
            console_sessions.c.tenant_id == tenant_id, console_sessions.c.user_name == name))
        removed = conn.execute(users.delete().where(
            users.c.tenant_id == tenant_id, users.c.name == name)).rowcount
    scope.counts["users"] += removed
    scope.counts["role bindings"] += bindings
    scope.counts["api keys"] += keys
