"""Principals, roles and permissions: who is asking, and one matrix of what each role may do.

A `Principal` is the caller of a use case: the local owner at the command line, an
API key, or a user signed in through OIDC. Roles are per tenant, except `owner`,
which covers the whole platform. The matrix below is the only place that says
which role may do what; the use-case layer asks `require(principal, permission)`.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from typing import Literal

from cristal.errors import PermissionDenied

__all__ = ["PERMISSIONS", "ROLES", "Principal", "allowed", "require", "roles_with"]

ROLES = ("owner", "admin", "builder", "member", "approver", "auditor")

_MEMBER = {"collections.read", "search", "research", "chat", "models.list", "workflows.read",
           "workflows.start", "runs.read_own", "research.read_own"}
_AUDIT = {"audit.read", "usage.read", "calls.read", "tenant.read"}
_BUILDER = _MEMBER | {"collections.write", "collections.grant", "workflows.register",
                      "runs.read", "runs.manage", "operator.read", "operator.run",
                      "skills.manage"}
_ADMIN = (_BUILDER | _AUDIT | {"tenant.update", "users.read", "users.manage", "keys.manage",
                               "approvals.decide", "research.read", "collections.all"})

# role -> permissions it grants (in its tenant; `owner` in every tenant)
PERMISSIONS: dict[str, frozenset[str]] = {
    "owner": frozenset(_ADMIN | {"tenant.create", "audit.verify", "platform"}),
    "admin": frozenset(_ADMIN),
    "builder": frozenset(_BUILDER),
    "member": frozenset(_MEMBER),
    "approver": frozenset({"approvals.decide", "runs.read", "workflows.read"}),
    "auditor": frozenset(_AUDIT | {"audit.verify", "users.read"}),
}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: kind and id (key id, user, `local`), tenant, roles and groups."""

    kind: Literal["local", "key", "user"]
    id: str
    tenant: str
    roles: frozenset[str]
    user: str | None = None
    groups: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def local_owner(cls, tenant: str = "default", user: str | None = None) -> Principal:
        """The person at the command line: trusted as the platform owner (see README)."""
        try:
            who = user or getpass.getuser()
        except Exception:  # no login name (containers without a passwd entry)
            who = "local"
        return cls("local", "local", tenant, frozenset({"owner"}), user=who)

    @property
    def is_owner(self) -> bool:
        """True for the platform owner (every tenant, every collection)."""
        return "owner" in self.roles

    @property
    def actor(self) -> str:
        """How the audit log names this principal: `key:key_…(alice)`, `user:alice`, …"""
        who = f"({self.user})" if self.user and self.kind == "key" else ""
        if self.kind == "user":
            return f"user:{self.user}"
        return f"{self.kind}:{self.id}{who}" if self.kind == "key" else f"local:{self.user}"

    @property
    def subject(self) -> str:
        """Who this is, whichever key or sign-in they used: `user:acme/alice`, `key:key_…`."""
        if self.kind == "local":
            return f"local:{self.user}"
        if self.user:
            return f"user:{self.tenant}/{self.user}"
        return f"key:{self.id}"

    def permissions(self) -> frozenset[str]:
        """Everything this principal's roles grant."""
        out: set[str] = set()
        for role in self.roles:
            out |= PERMISSIONS.get(role, frozenset())
        return frozenset(out)

    def with_tenant(self, tenant: str) -> Principal:
        """The same principal acting in another tenant (only an owner may)."""
        if tenant == self.tenant:
            return self
        return Principal(self.kind, self.id, tenant, self.roles, self.user, self.groups)

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly form (stored with workflow runs, shown by /api/me)."""
        return {"kind": self.kind, "id": self.id, "tenant": self.tenant,
                "roles": sorted(self.roles), "user": self.user, "groups": sorted(self.groups),
                "subject": self.subject}

    @classmethod
    def from_dict(cls, data: dict) -> Principal:
        """The inverse of `to_dict`."""
        return cls(data["kind"], data["id"], data["tenant"], frozenset(data.get("roles", ())),
                   data.get("user"), frozenset(data.get("groups", ())))


def allowed(principal: Principal, permission: str) -> bool:
    """True when one of the principal's roles grants `permission`."""
    return any(permission in PERMISSIONS.get(r, frozenset()) for r in principal.roles)


def roles_with(permission: str) -> list[str]:
    """The roles that grant a permission, in ROLES order."""
    return [r for r in ROLES if permission in PERMISSIONS[r]]


def require(principal: Principal, permission: str, doing: str | None = None) -> None:
    """Raise PermissionDenied (naming the roles that may) unless the principal may."""
    if allowed(principal, permission):
        return
    roles = ", ".join(sorted(principal.roles)) or "none"
    need = " or ".join(roles_with(permission)) or "owner"
    raise PermissionDenied(
        f"{principal.actor} (roles: {roles}) may not {doing or permission}: that needs the "
        f"{need} role in tenant {principal.tenant}. Ask a tenant admin for a key with that "
        "role (`cristal keys create --role ROLE`) or a role binding (`cristal roles bind`).",
        permission=permission, roles=sorted(principal.roles))
