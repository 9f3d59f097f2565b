"""`cristal users …`, `cristal roles …`, `cristal keys …`: who may use the service, and how."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cristal.app import admin
from cristal.cli._common import JsonOpt, TenantOpt, app_state, local_principal
from cristal.cli._output import console, literal, print_json
from cristal.governance import ROLES, parse_expiry

users_app = typer.Typer(help="Users of a tenant and their groups.", no_args_is_help=True)
roles_app = typer.Typer(help="Role bindings: a role for a user or a group in a tenant.",
                        no_args_is_help=True)
keys_app = typer.Typer(help="API keys for the server (shown once; only a hash is kept).",
                       no_args_is_help=True)

Groups = Annotated[str | None, typer.Option(help="Comma-separated groups, e.g. finance,tokyo.")]
RoleOpt = Annotated[str, typer.Option("--role", "-r", help=f"One of {', '.join(ROLES)}.")]
UserOpt = Annotated[str | None, typer.Option("--user", "-u", help="A user of the tenant.")]
GroupOpt = Annotated[str | None, typer.Option("--group", "-g", help="A group name.")]


def _run():
    return app_state(), local_principal()


@users_app.command("create")
def users_create(name: str, tenant: TenantOpt = None, groups: Groups = None,
                 json_out: JsonOpt = False) -> None:
    """Add a user to a tenant (give them roles with `cristal roles bind`)."""
    app, me = _run()
    user = admin.create_user(app, me, name, tenant=tenant, groups=groups)
    if json_out:
        print_json(user.to_dict())
        return
    console.print(literal(f"Created user {user.name} in tenant {user.tenant} "
                          f"(groups: {', '.join(user.groups) or 'none'})."))


@users_app.command("list")
def users_list(tenant: TenantOpt = None, json_out: JsonOpt = False) -> None:
    """List a tenant's users."""
    app, me = _run()
    found = admin.list_users(app, me, tenant)
    if json_out:
        print_json({"users": [u.to_dict() for u in found]})
        return
    table = Table("name", "groups", "created (UTC)", "status", title="Users")
    for u in found:
        table.add_row(literal(u.name), literal(", ".join(u.groups)),
                      f"{u.created_at:%Y-%m-%d %H:%M}", "disabled" if u.disabled else "active")
    console.print(table)


@users_app.command("update")
def users_update(
    name: str, tenant: TenantOpt = None, groups: Groups = None,
    disabled: Annotated[bool | None, typer.Option("--disable/--enable",
                                                  help="Disable or enable the user.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Replace a user's groups, or disable/enable them."""
    app, me = _run()
    user = admin.update_user(app, me, name, tenant=tenant, groups=groups, disabled=disabled)
    if json_out:
        print_json(user.to_dict())
        return
    console.print(literal(f"User {user.name}: groups {', '.join(user.groups) or 'none'}, "
                          f"{'disabled' if user.disabled else 'active'}."))


@users_app.command("delete")
def users_delete(name: str, tenant: TenantOpt = None, json_out: JsonOpt = False) -> None:
    """Remove a user with their role bindings; keys acting as them are revoked."""
    app, me = _run()
    user = admin.delete_user(app, me, name, tenant)
    if json_out:
        print_json({"deleted": user.name, "tenant": user.tenant})
        return
    console.print(literal(f"Removed user {user.name} from tenant {user.tenant}."))


@roles_app.command("bind")
def roles_bind(role: Annotated[str, typer.Argument(help=f"One of {', '.join(ROLES)}.")],
               user: UserOpt = None, group: GroupOpt = None, tenant: TenantOpt = None,
               json_out: JsonOpt = False) -> None:
    """Give ROLE to a user (--user) or to every member of a group (--group)."""
    app, me = _run()
    binding = admin.bind_role(app, me, role, tenant=tenant, user=user, group=group)
    if json_out:
        print_json(binding.to_dict())
        return
    console.print(literal(f"{binding.subject_kind} {binding.subject} now has role {role} in "
                          f"tenant {binding.tenant}."))


@roles_app.command("unbind")
def roles_unbind(role: Annotated[str, typer.Argument(help="The role to take away.")],
                 user: UserOpt = None, group: GroupOpt = None, tenant: TenantOpt = None,
                 json_out: JsonOpt = False) -> None:
    """Take ROLE away from a user or a group."""
    app, me = _run()
    binding = admin.unbind_role(app, me, role, tenant=tenant, user=user, group=group)
    if json_out:
        print_json({**binding.to_dict(), "removed": True})
        return
    console.print(literal(f"{binding.subject_kind} {binding.subject} no longer has role {role} "
                          f"in tenant {binding.tenant}."))


@roles_app.command("list")
def roles_list(tenant: TenantOpt = None, json_out: JsonOpt = False) -> None:
    """List a tenant's role bindings."""
    app, me = _run()
    found = admin.list_bindings(app, me, tenant)
    if json_out:
        print_json({"bindings": [b.to_dict() for b in found]})
        return
    table = Table("kind", "subject", "role", "since (UTC)", title="Role bindings")
    for b in found:
        table.add_row(b.subject_kind, literal(b.subject), b.role, f"{b.created_at:%Y-%m-%d}")
    console.print(table)


@keys_app.command("create")
def keys_create(
    role: RoleOpt, tenant: TenantOpt = None, user: UserOpt = None,
    expires: Annotated[str | None, typer.Option(
        help="When it stops working: 90d, 12h, 2w, 1y, a date, or never (default).")] = None,
    name: Annotated[str | None, typer.Option(help="A label, e.g. what it is for.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Create an API key; the key is printed once and cannot be shown again."""
    app, me = _run()
    key, text = admin.create_key(app, me, role, tenant=tenant, user=user,
                                 expires_at=parse_expiry(expires), name=name)
    if json_out:
        print_json({"id": key.id, "key": text, "tenant": key.tenant, "role": key.role,
                    "user": key.user, "expires_at": key.expires_at})
        return
    console.print(literal(f"API key {key.id} (tenant {key.tenant}, role {key.role}"
                          f"{', user ' + key.user if key.user else ''}"
                          f"{', expires ' + key.expires_at.isoformat() if key.expires_at else ''}"
                          "):"))
    console.print(text, markup=False, soft_wrap=True)
    console.print("[dim]Store it now: it is not shown again. Use it as "
                  "`Authorization: Bearer <key>`.[/]")


@keys_app.command("list")
def keys_list(tenant: TenantOpt = None, json_out: JsonOpt = False) -> None:
    """List a tenant's keys: role, user, status, expiry and last use (never the secret)."""
    app, me = _run()
    found = admin.list_keys(app, me, tenant)
    if json_out:
        print_json({"keys": [k.to_dict() for k in found]})
        return
    table = Table("id", "prefix", "role", "user", "name", "status", "expires", "last used",
                  title="API keys")
    for k in found:
        d = k.to_dict()
        table.add_row(k.id, d["prefix"], k.role, literal(k.user or ""), literal(k.name or ""),
                      k.status, (d["expires_at"] or "never")[:16],
                      (d["last_used_at"] or "never")[:16])
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: str, tenant: TenantOpt = None, json_out: JsonOpt = False) -> None:
    """Revoke a key: every server refuses it from the next request on."""
    app, me = _run()
    key = admin.revoke_key(app, me, key_id, tenant)
    if json_out:
        print_json(key.to_dict())
        return
    console.print(f"Revoked key {key.id} (tenant {key.tenant}, role {key.role}).")
