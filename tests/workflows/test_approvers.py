"""Who may decide an approval from the CLI: the configured local identity, checked
against the step's approvers (users or groups) and the identity's tenants."""

from __future__ import annotations

import pytest
from wfkit import base_env, cli, last_json

SPEC = """name: payout
inputs: {amount: number}
steps:
  - id: sign
    type: approval
    message: "Pay {{ inputs.amount }} EUR?"
    approvers: [finance-lead]
"""


@pytest.fixture
def env(tmp_path):
    return base_env(f"sqlite:///{tmp_path / 'cristal.db'}", tmp_path / "data")


def _waiting_run(env, tmp_path, tenant: str = "default") -> str:
    spec = tmp_path / "payout.yaml"
    spec.write_text(SPEC)
    started = cli(env, "workflow", "run", str(spec), "-i", "amount=900", "--tenant", tenant,
                  "--wait", "--json")
    assert started.returncode == 0, started.stderr
    run = last_json(started)
    assert run["status"] == "waiting" and run["waiting"]["approvers"] == ["finance-lead"]
    return run["run_id"]


@pytest.mark.slow
def test_only_a_named_approver_or_group_member_decides(env, tmp_path):
    run_id = _waiting_run(env, tmp_path)
    carol = {**env, "CRISTAL_IDENTITY__USER": "carol"}
    refused = cli(carol, "approve", run_id, "sign", "--json")
    assert refused.returncode == 3, refused.stderr
    assert last_json(refused)["error"] == "PermissionDenied"
    assert "finance-lead" in refused.stderr and "carol" in refused.stderr
    # naming someone else is refused, whoever it is
    spoof = cli(carol, "approve", run_id, "sign", "--by", "finance-lead")
    assert spoof.returncode == 3 and "--by finance-lead" in spoof.stderr
    assert last_json(cli(env, "runs", "show", run_id, "--json"))["status"] == "waiting"
    # the named user, or a member of the named group, may decide
    member = {**carol, "CRISTAL_IDENTITY__GROUPS": '["finance-lead"]'}
    decided = cli(member, "approve", run_id, "sign", "--reject", "--comment", "no", "--json")
    assert decided.returncode == 0, decided.stderr
    assert last_json(decided)["by"] == "carol"


@pytest.mark.slow
def test_the_login_name_is_the_default_identity(env, tmp_path):
    import getpass

    run_id = _waiting_run(env, tmp_path)
    me = getpass.getuser()
    as_me = {**env, "CRISTAL_IDENTITY__GROUPS": '["finance-lead"]'}
    decided = cli(as_me, "approve", run_id, "sign", "--by", me, "--json")
    assert decided.returncode == 0, decided.stderr
    assert last_json(decided)["by"] == me


@pytest.mark.slow
def test_tenants_outside_the_identity_are_refused(env, tmp_path):
    assert cli(env, "tenant", "create", "acme").returncode == 0
    assert cli(env, "tenant", "create", "globex").returncode == 0
    run_id = _waiting_run(env, tmp_path, tenant="globex")
    acme_only = {**env, "CRISTAL_IDENTITY__TENANTS": '["acme"]',
                 "CRISTAL_IDENTITY__GROUPS": '["finance-lead"]'}
    for args in (("workflow", "run", str(tmp_path / "payout.yaml"), "-i", "amount=1",
                  "--tenant", "globex"),
                 ("research", "list", "--tenant", "globex"),
                 ("tenant", "show", "globex"),
                 ("approve", run_id, "sign")):
        proc = cli(acme_only, *args)
        assert proc.returncode == 3, (args, proc.stderr)
        assert "identity.tenants" in proc.stderr and "Traceback" not in proc.stderr
    # the default tenant is checked too, and an allowed one works
    assert cli(acme_only, "research", "list").returncode == 3
    assert cli(acme_only, "research", "list", "--tenant", "acme").returncode == 0


def test_who_decides_through_the_use_case_layer(engine, spec, tenant):
    """The CLI's principal (identity user and groups) is held to the named approvers even
    though it is the local owner; a server principal with the admin role may decide any
    step of its tenant; an approver not named may not."""
    from cristal.app import Principal
    from cristal.app import workflows as uc
    from cristal.errors import PermissionDenied
    from cristal.workflows import start_run, wait_run

    engine.app.__dict__["engine"] = engine  # the use cases use this launched engine
    s = spec("""
name: pay
steps:
  - id: sign
    type: approval
    message: "Pay?"
    approvers: [finance-lead]
""")

    def waiting() -> str:
        view = start_run(engine, s, {}, tenant=tenant)
        view = wait_run(engine, view.run_id, timeout_s=60)
        assert view.status == "waiting", view.error
        return view.run_id

    def key(role: str, user: str) -> Principal:
        return Principal("key", f"key_{role}", tenant, frozenset({role}), user=user)

    run_id = waiting()
    carol = Principal.local_owner(tenant, user="carol", groups=["ops"])
    assert carol.is_owner  # owner of everything else, but not of this decision
    with pytest.raises(PermissionDenied, match="finance-lead only.*carol"):
        uc.decide(engine.app, carol, run_id, "sign", approved=True)
    with pytest.raises(PermissionDenied, match="finance-lead only"):
        uc.decide(engine.app, key("approver", "paula"), run_id, "sign", approved=True)
    with pytest.raises(PermissionDenied, match="identity.tenants"):
        uc.decide(engine.app, Principal.local_owner(tenant, user="finance-lead"), run_id,
                  "sign", approved=True, tenants=["elsewhere"])
    lead = Principal.local_owner(tenant, user="dora", groups=["finance-lead"])
    assert uc.decide(engine.app, lead, run_id, "sign", approved=True)["by"] == "dora"

    other = waiting()
    decided = uc.decide(engine.app, key("admin", "ada"), other, "sign", approved=False,
                        comment="no")
    assert decided["by"] == "ada" and decided["decision"] == "rejected"
    assert wait_run(engine, other, timeout_s=60, until_waiting=False).status == "failed"
