"""Every endpoint × every kind of caller: allowed, 401, 403 or 404, on SQLite and PostgreSQL.

The endpoints come from the server's own route table (its OpenAPI document): an endpoint
added without a row in MATRIX fails `test_every_endpoint_has_a_row`. Callers: the six
roles of tenant acme, an admin of another tenant (`other`), and no key (`none`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from cristal.app import Principal, research
from cristal.app import workflows as flows
from cristal.governance import bind_role, create_key, create_user, get_tenant
from cristal.knowledge import grant, ingest_paths, list_collections, list_documents
from cristal.operator import start_run as start_operator_run

ROLE_LETTERS = {"owner": "O", "admin": "A", "builder": "B", "member": "M", "approver": "P",
                "auditor": "U"}
CALLERS = [*ROLE_LETTERS, "other", "none"]
SPEC = "name: {name}\nsteps:\n  - id: wait\n    type: sleep\n    seconds: 1\n"


@dataclass(frozen=True)
class Row:
    """Who may: role letters allowed; the rest get `denied`; `other` and `none` as given."""

    allowed: str
    other: int | str = 404
    denied: int = 403
    ok: int | str = "ok"  # what "allowed" looks like (a status, or any 2xx)
    public: bool = False
    special: tuple[tuple[str, int | str], ...] = ()

    def expect(self, who: str) -> int | str:
        """The expected answer for a caller."""
        for letter, answer in self.special:
            if ROLE_LETTERS.get(who) == letter:
                return answer
        if self.public:
            return "ok"
        if who == "none":
            return 401
        if who == "other":
            return self.other
        return self.ok if ROLE_LETTERS[who] in self.allowed else self.denied


# (method, path) -> (Row, how to make the request for a caller)
MATRIX: dict[tuple[str, str], tuple[Row, Any]] = {
    ("GET", "/healthz"): (Row("", public=True), lambda w, c: {}),
    ("GET", "/readyz"): (Row("", public=True), lambda w, c: {}),
    ("GET", "/api/me"): (Row("OABMPU", other="ok"), lambda w, c: {}),
    ("GET", "/api/tenants"): (Row("OAU", other="ok"), lambda w, c: {}),
    ("POST", "/api/tenants"): (Row("O", other=403), lambda w, c: {"json": {"name": f"t-{w}"}}),
    ("GET", "/api/tenants/{name}"): (Row("OAU"), lambda w, c: {"path": {"name": "acme"}}),
    ("PATCH", "/api/tenants/{name}"): (
        Row("OA"), lambda w, c: {"path": {"name": "acme"}, "json": {"budget_usd": 100}}),
    ("GET", "/api/usage"): (Row("OAU", other="ok"), lambda w, c: {}),
    ("GET", "/api/calls"): (Row("OAU", other="ok"), lambda w, c: {}),
    ("GET", "/api/calls/{call_id}"): (Row("OAU"), lambda w, c: {"path": {"call_id": c["call"]}}),
    ("GET", "/api/users"): (Row("OAU", other="ok"), lambda w, c: {}),
    ("POST", "/api/users"): (Row("OA", other="ok"),
                             lambda w, c: {"json": {"name": f"new-{w}", "groups": ["x"]}}),
    ("GET", "/api/users/{name}"): (Row("OAU"), lambda w, c: {"path": {"name": "alice"}}),
    ("PATCH", "/api/users/{name}"): (
        Row("OA"), lambda w, c: {"path": {"name": "alice"}, "json": {"groups": ["sales"]}}),
    ("DELETE", "/api/users/{name}"): (Row("OA"), lambda w, c: {"path": {"name": f"victim-{w}"}}),
    ("GET", "/api/roles"): (Row("OAU", other="ok"), lambda w, c: {}),
    ("POST", "/api/roles"): (Row("OA", other="ok"),
                             lambda w, c: {"json": {"role": "member", "group": f"new-{w}"}}),
    ("DELETE", "/api/roles/{role}/{kind}/{subject}"): (
        Row("OA"), lambda w, c: {"path": {"role": "member", "kind": "groups",
                                          "subject": f"g-{w}"}}),
    ("GET", "/api/keys"): (Row("OA", other="ok"), lambda w, c: {}),
    ("POST", "/api/keys"): (Row("OA", other="ok"), lambda w, c: {"json": {"role": "member"}}),
    ("DELETE", "/api/keys/{key_id}"): (
        Row("OA"), lambda w, c: {"path": {"key_id": c["victim_keys"][w]}}),
    ("GET", "/api/collections"): (Row("OABM", other="ok"), lambda w, c: {}),
    ("POST", "/api/collections"): (Row("OAB", other="ok"),
                                   lambda w, c: {"json": {"name": f"new-{w}"}}),
    ("GET", "/api/collections/{name}"): (Row("OABM"), lambda w, c: {"path": {"name": "handbook"}}),
    ("DELETE", "/api/collections/{name}"): (
        Row("OAB"), lambda w, c: {"path": {"name": f"del-{w}"}}),
    ("GET", "/api/collections/{name}/documents"): (
        Row("OABM"), lambda w, c: {"path": {"name": "handbook"}}),
    ("POST", "/api/collections/{name}/documents"): (
        Row("OAB", other="ok"), lambda w, c: {
            "path": {"name": "handbook"}, "params": {"embed": "false"},
            "files": [("files", (f"up-{w}.md", b"# Up\n\nUploaded text for the index."))]}),
    ("DELETE", "/api/collections/{name}/documents/{document_id}"): (
        Row("OAB"), lambda w, c: {"path": {"name": "handbook", "document_id": c["docs"][w]}}),
    ("GET", "/api/collections/{name}/grants"): (
        Row("OAB"), lambda w, c: {"path": {"name": "handbook"}}),
    ("POST", "/api/collections/{name}/grants"): (
        Row("OAB"), lambda w, c: {"path": {"name": f"gr-{w}"}, "json": {"group": "x"}}),
    ("DELETE", "/api/collections/{name}/grants/{kind}/{subject}"): (
        Row("OAB"), lambda w, c: {"path": {"name": f"rv-{w}", "kind": "groups",
                                           "subject": "x"}}),
    ("POST", "/api/search"): (Row("OABM", other="ok"), lambda w, c: {"json": {"query": "fee"}}),
    ("POST", "/api/research"): (
        Row("OABM", other="ok"), lambda w, c: {"json": {"question": "Who approves expenses?"}}),
    ("GET", "/api/research"): (Row("OABM", other="ok"), lambda w, c: {}),
    ("GET", "/api/research/{session_id}"): (
        Row("OA", special=(("B", 404), ("M", 404))),
        lambda w, c: {"path": {"session_id": c["session"]}}),
    ("GET", "/api/research/{session_id}/report"): (
        Row("OA", special=(("B", 404), ("M", 404))),
        lambda w, c: {"path": {"session_id": c["session"]}, "params": {"format": "md"}}),
    ("POST", "/api/workflows"): (
        Row("OAB", other="ok"), lambda w, c: {"json": {"source": SPEC.format(name=f"wf-{w}")}}),
    ("GET", "/api/workflows"): (Row("OABMP", other="ok"), lambda w, c: {}),
    ("GET", "/api/workflows/{name}"): (Row("OABMP"), lambda w, c: {"path": {"name": "pause"}}),
    ("POST", "/api/workflows/{name}/runs"): (
        Row("OABM", ok=202), lambda w, c: {"path": {"name": "pause"}, "json": {}}),
    ("GET", "/api/runs"): (Row("OABMP", other="ok"), lambda w, c: {}),
    ("GET", "/api/approvals"): (Row("OAP", other="ok"), lambda w, c: {}),
    ("GET", "/api/runs/{run_id}"): (
        Row("OABP", special=(("M", 404),)), lambda w, c: {"path": {"run_id": c["run"]}}),
    ("POST", "/api/runs/{run_id}/cancel"): (
        Row("OAB", special=(("M", 404),)), lambda w, c: {"path": {"run_id": c["cancel"][w]}}),
    ("POST", "/api/runs/{run_id}/resume"): (
        Row("OAB", special=(("M", 404),)), lambda w, c: {"path": {"run_id": c["resume"][w]}}),
    ("POST", "/api/runs/{run_id}/approvals/{step}"): (
        # Allowed callers get past the checks to "not waiting for approval" (400).
        Row("OAP", ok=400, special=(("M", 404),)),
        lambda w, c: {"path": {"run_id": c["run"], "step": "wait"}, "json": {"approved": True}}),
    ("GET", "/api/operator/runs"): (Row("OAB", other="ok"), lambda w, c: {}),
    ("GET", "/api/operator/runs/{run_id}"): (
        Row("OAB"), lambda w, c: {"path": {"run_id": c["operator"]}}),
    ("GET", "/api/operator/runs/{run_id}/export"): (
        Row("OAB"), lambda w, c: {"path": {"run_id": c["operator"]}}),
    ("GET", "/api/audit"): (Row("OAU", other="ok"), lambda w, c: {}),
    ("GET", "/api/audit/export"): (Row("OAU", other="ok"), lambda w, c: {}),
    ("GET", "/api/audit/verify"): (Row("OU", other=403), lambda w, c: {}),
    ("GET", "/v1/models"): (Row("OABM", other="ok"), lambda w, c: {}),
    ("POST", "/v1/chat/completions"): (
        Row("OABM", other="ok"), lambda w, c: {"json": {
            "model": "fast", "messages": [{"role": "user", "content": "hi"}]}}),
    ("POST", "/v1/embeddings"): (
        Row("OABM", other="ok"), lambda w, c: {"json": {"model": "embed", "input": "hi"}}),
}


def _routes(site) -> set[tuple[str, str]]:
    paths = site.http.get("/openapi.json").json()["paths"]
    return {(method.upper(), path) for path, ops in paths.items() for method in ops}


def _prepare(site) -> dict[str, Any]:
    """Make the objects each caller's request works on (one of each per caller)."""
    app, store = site.world.app, site.world.app.store
    acme = get_tenant(store, "acme")
    owner = Principal.local_owner("acme")
    ctx: dict[str, Any] = {"victim_keys": {}, "docs": {}, "cancel": {}, "resume": {}}
    ctx["call"] = app.gateway.chat([{"role": "user", "content": "x"}], route="fast",
                                   tenant="acme").call_id
    root = site.world.app.settings.data_dir
    for who in CALLERS:
        create_user(store, acme, f"victim-{who}")
        bind_role(store, acme, "member", group=f"g-{who}")
        ctx["victim_keys"][who] = create_key(store, acme, "member")[0].id
        for prefix in ("del", "gr", "rv"):
            folder = root / "prep" / f"{prefix}-{who}"
            folder.mkdir(parents=True)
            (folder / "a.md").write_text("# A\n\nSome text about fees.", encoding="utf-8")
            ingest_paths(store, acme, f"{prefix}-{who}", [folder])
        rv = next(c for c in list_collections(store, acme) if c.name == f"rv-{who}")
        grant(store, rv.id, "group", "x")
        grant(store, rv.id, "user", "dan")  # builders (dan) keep reading it
        doc = root / "prep" / "docs" / who
        doc.mkdir(parents=True)
        (doc / f"doc-{who}.md").write_text("# Doc\n\nA document to delete.", encoding="utf-8")
        ingest_paths(store, acme, "handbook", [doc / f"doc-{who}.md"])


    handbook = next(c for c in list_collections(store, acme) if c.name == "handbook")
    for d in list_documents(store, handbook):
        if d["path"].startswith("doc-"):
            ctx["docs"][d["path"][4:-3]] = d["id"]
    report, _ = research.ask(app, site.world.admin, "Who approves expense claims?", embed=False)
    ctx["session"] = report.id
    flows.register(app, owner, SPEC.format(name="pause"), tenant="acme")
    admin = site.world.admin
    ctx["run"] = flows.start(app, admin, "pause", {}).run_id
    for who in CALLERS:
        ctx["cancel"][who] = flows.start(app, admin, "pause", {}).run_id
        resumable = flows.start(app, admin, "pause", {}).run_id
        flows.cancel(app, admin, resumable)
        ctx["resume"][who] = resumable
    ctx["operator"] = start_operator_run(store, acme.id, instruction="open the page",
                                         start_url="http://127.0.0.1:1/", policy="plan")
    return ctx


def test_every_endpoint_has_a_row(site):
    missing = sorted(_routes(site) - set(MATRIX))
    assert not missing, f"endpoints without a permission row: {missing}"
    stale = sorted(set(MATRIX) - _routes(site))
    assert not stale, f"rows for endpoints that do not exist: {stale}"


def _matches(expected: int | str, status: int) -> bool:
    return 200 <= status < 300 if expected == "ok" else status == expected


@pytest.mark.slow
def test_every_endpoint_for_every_caller(site):
    ctx = _prepare(site)
    wrong = []
    for (method, template), (row, build) in sorted(MATRIX.items()):
        for who in CALLERS:
            spec = build(who, ctx)
            path = template.format(**spec.pop("path", {}))
            response = site.call(who, method, path, **spec)
            expected = row.expect(who)
            if not _matches(expected, response.status_code):
                wrong.append(f"{method} {template} as {who}: expected {expected}, got "
                             f"{response.status_code} {response.text[:160]}")
            if response.status_code >= 400:
                error = response.json().get("error", {})
                assert error.get("type") and error.get("message"), response.text
    assert not wrong, "\n".join(wrong)
