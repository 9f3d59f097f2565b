"""Governance: tenants, budgets, identities (users, groups, roles, API keys), audit, limits.

This area sits just above `store`: the model gateway uses it to check and
charge budgets, and it imports nothing from `models` or any feature. Permission
checks themselves happen in the use-case layer (`cristal.app`), with `require`.
"""

from cristal.governance._audit import (
    GENESIS,
    AuditEntry,
    Verification,
    append_audit,
    audit_entries,
    canonical,
    entry_hash,
    verify_chain,
)
from cristal.governance._budgets import (
    Reservation,
    Usage,
    current_usage,
    period_start,
    reserve,
    settle,
)
from cristal.governance._identities import (
    RoleBinding,
    User,
    bind_role,
    bound_roles,
    check_role,
    create_user,
    delete_user,
    find_user,
    get_user,
    list_bindings,
    list_users,
    parse_groups,
    unbind_role,
    update_user,
)
from cristal.governance._keys import (
    ApiKey,
    authenticate_key,
    create_key,
    get_key,
    list_keys,
    parse_expiry,
    revoke_key,
)
from cristal.governance._oidc import OidcVerifier
from cristal.governance._ratelimit import hit
from cristal.governance._rbac import PERMISSIONS, ROLES, Principal, allowed, require, roles_with
from cristal.governance._signin import sign_in
from cristal.governance._tenants import (
    PERIODS,
    Tenant,
    create_tenant,
    get_tenant,
    list_tenants,
    update_tenant,
)

__all__ = [
    "GENESIS",
    "PERIODS",
    "PERMISSIONS",
    "ROLES",
    "ApiKey",
    "AuditEntry",
    "OidcVerifier",
    "Principal",
    "Reservation",
    "RoleBinding",
    "Tenant",
    "Usage",
    "User",
    "Verification",
    "allowed",
    "append_audit",
    "audit_entries",
    "authenticate_key",
    "bind_role",
    "bound_roles",
    "canonical",
    "check_role",
    "create_key",
    "create_tenant",
    "create_user",
    "current_usage",
    "delete_user",
    "entry_hash",
    "find_user",
    "get_key",
    "get_tenant",
    "get_user",
    "hit",
    "list_bindings",
    "list_keys",
    "list_tenants",
    "list_users",
    "parse_expiry",
    "parse_groups",
    "period_start",
    "require",
    "reserve",
    "revoke_key",
    "roles_with",
    "settle",
    "sign_in",
    "unbind_role",
    "update_tenant",
    "update_user",
    "verify_chain",
]
