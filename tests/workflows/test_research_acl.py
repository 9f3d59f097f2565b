"""A research step reads only what the run's starter may read (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest

from cristal.app import Principal
from cristal.app import workflows as uc
from cristal.errors import PermissionDenied
from cristal.governance import get_tenant
from cristal.knowledge import grant, ingest_paths, list_collections
from cristal.workflows import wait_run

SECRET = "QUILL-5521"
SPEC = """name: brief
inputs: {where: {type: string}}
steps:
  - id: ask
    type: research
    question: What is the project codename?
    collection: "{{ inputs.where }}"
    model: false
"""


def _setup(engine, tenant, tmp_path) -> None:
    store = engine.app.store
    owner = get_tenant(store, tenant)
    for name, text in (("vault", f"# Project\n\nThe project codename is {SECRET}.\n"),
                       ("handbook", "# Handbook\n\nThe project codename is public: Blue.\n")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / f"{name}.md").write_text(text, encoding="utf-8")
        ingest_paths(store, owner, name, [folder])
    vault = next(c for c in list_collections(store, owner) if c.name == "vault")
    grant(store, vault.id, "group", "board")


def _member(tenant: str, user: str, groups: tuple[str, ...]) -> Principal:
    return Principal("key", f"key_{user}", tenant, frozenset({"member", "builder"}), user,
                     frozenset(groups))


def test_research_step_reads_only_what_the_starter_may(engine, tenant, spec, tmp_path):
    _setup(engine, tenant, tmp_path)
    app, loaded = engine.app, spec(SPEC)
    alice, bob = _member(tenant, "alice", ("sales",)), _member(tenant, "bob", ("board",))

    refused = wait_run(engine, uc.run_here(app, alice, loaded, {"where": "vault"},
                                           tenant=tenant), timeout_s=120)
    assert refused.status == "failed"
    assert "no collection 'vault'" in refused.error
    assert SECRET not in json.dumps(refused.to_dict(), default=str)

    open_run = wait_run(engine, uc.run_here(app, alice, loaded, {"where": "handbook"},
                                            tenant=tenant), timeout_s=120)
    assert open_run.status == "succeeded", open_run.error
    assert SECRET not in json.dumps(open_run.to_dict(), default=str)
    assert open_run.started_by == alice.subject

    allowed = wait_run(engine, uc.run_here(app, bob, loaded, {"where": "vault"},
                                           tenant=tenant), timeout_s=120)
    assert allowed.status == "succeeded", allowed.error
    assert SECRET in json.dumps(allowed.outputs)
    # The run's starter sees it all; a builder of the tenant who may not read `vault`
    # sees statuses and timings but nothing a research step read, in a list or alone.
    assert SECRET in json.dumps(uc.run(app, bob, allowed.run_id).to_dict(), default=str)
    seen = uc.run(app, alice, allowed.run_id)
    assert seen.status == "succeeded" and seen.withheld and seen.steps
    assert SECRET not in json.dumps(seen.to_dict(), default=str)
    listed = [v for v in uc.runs(app, alice, tenant=tenant) if v.run_id == allowed.run_id]
    assert listed and listed[0].withheld
    assert SECRET not in json.dumps([v.to_dict() for v in listed], default=str)
    assert uc.run(app, alice, open_run.run_id).withheld is None  # her own run stays whole
    with pytest.raises(PermissionDenied, match="its starter or an owner"):
        uc.retry(app, alice, allowed.run_id, "ask")
