"""A research step reads only what the run's starter may read (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

from cristal.app import Principal
from cristal.app import workflows as uc
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
