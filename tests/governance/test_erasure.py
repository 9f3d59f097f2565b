"""Erasure and retention: a secret planted everywhere is nowhere afterwards, on both databases.

Data is made the way users make it (CLI ingest, research, a workflow run against a
model server on 127.0.0.1, a failing model call, an operator trajectory, an episode of a
training environment). The check
is independent of our code: every table and column is listed from the database's
own catalogue (sqlite_master / information_schema), searched with plain SQL, and the
SQLite files (and WAL) are grepped for the bytes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from cristal.app import App
from cristal.config import RouteConfig, load_settings
from cristal.envs import Episode, Rollout, save_episode
from cristal.governance import audit_entries, set_retention, verify_chain
from cristal.lifecycle import erase, retention
from cristal.models import FunctionProvider
from cristal.operator._records import StepRecord
from cristal.operator._trajectories import StoreRecorder, finish_run, start_run
from cristal.store import Store, utcnow

SECRET = "ZQX7731KAPPA"  # a customer's account code
DOC = f"""# Customer accounts

The billing code for the Hanako Sato account is {SECRET}, issued in April.

Invoices are sent on the first business day of each month.
"""
SPEC = """name: triage
inputs: {ticket: string}
steps:
  - id: classify
    type: model
    prompt: "Classify this request: {{ inputs.ticket }}"
"""


def _catalogue_hits(url: str, needle: str) -> list[str]:
    """Columns holding `needle`, from the database's own catalogue, with plain SQL."""
    if url.endswith("cristal.db"):  # the store: its engine loads sqlite-vec for vec0 tables
        store = Store.open(url, migrate=False)
        engine = store.engine
    else:
        store, engine = None, sa.create_engine(url.replace("postgresql://",
                                                           "postgresql+psycopg://", 1))
    hits = []
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            tables = [r[0] for r in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table'")]
            cols = [(t, r[1]) for t in tables
                    for r in conn.exec_driver_sql(f'PRAGMA table_info("{t}")')]
            quote = '"{}"'.format
            cols = [(quote(t), quote(c)) for t, c in cols]
        else:
            cols = [(f'"{s}"."{t}"', f'"{c}"') for s, t, c in conn.exec_driver_sql(
                "SELECT table_schema, table_name, column_name FROM information_schema.columns "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")]
        for table, col in cols:
            found = conn.exec_driver_sql(
                f"SELECT 1 FROM {table} WHERE CAST({col} AS TEXT) LIKE %(n)s LIMIT 1"
                if engine.dialect.name != "sqlite" else
                f"SELECT 1 FROM {table} WHERE CAST({col} AS TEXT) LIKE ? LIMIT 1",
                {"n": f"%{needle}%"} if engine.dialect.name != "sqlite" else (f"%{needle}%",),
            ).first()
            if found:
                hits.append(f"{table}.{col}")
    if store is not None:
        store.close()
    engine.dispose()
    return hits


def _file_hits(folder: Path, needle: str) -> list[str]:
    return [str(p) for p in folder.rglob("*") if p.is_file() and needle.encode() in
            p.read_bytes()]


@pytest.fixture
def world(tmp_path, fake_openai, db_url):  # about 30 s: real ingest, research and a run
    """A data directory with the secret in documents, research, runs, calls, trajectories."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "accounts.md").write_text(DOC)
    (docs / "other.md").write_text("# Travel\n\nTrains are booked by the travel desk.\n")
    (tmp_path / "triage.yaml").write_text(SPEC)
    data = tmp_path / "data"
    config = tmp_path / "cristal.toml"
    config.write_text(f"""
[providers.model]
type = "openai"
base_url = "{fake_openai.url}"
api_key_env = "FAKE_KEY"
region = "jp"
[routes.default]
provider = "model"
model = "echo"
""")
    env = {**os.environ, "CRISTAL_CONFIG": str(config), "FAKE_KEY": "good-key",
           "CRISTAL_DATA_DIR": str(data), "CRISTAL_DATABASE_URL": db_url}

    def cli(*args: str) -> dict:
        out = subprocess.run([sys.executable, "-m", "cristal", *args, "--json"], env=env,
                             capture_output=True, text=True, cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout.strip().splitlines()[-1])

    cli("ingest", str(docs), "--collection", "kb")
    report = cli("research", "What is the billing code for the Hanako Sato account?",
                 "--collection", "kb", "--offline", "--embed-wait", "0",
                 "--out", str(tmp_path / "report"))
    assert SECRET in json.dumps(report)
    run = cli("workflow", "run", str(tmp_path / "triage.yaml"), "--input",
              f"ticket=Account {SECRET} was double billed", "--wait")
    assert run["status"] == "succeeded" and SECRET in json.dumps(run)

    settings = load_settings(data_dir=str(data), database_url=db_url)
    failing = FunctionProvider(lambda r: (_ for _ in ()).throw(ValueError(
        f"upstream rejected the prompt {r.messages[-1]['content']!r}")), name="fn",
        region="jp", local=False)
    app = App(settings, providers={"fn": failing})
    settings.routes["echoing"] = RouteConfig(provider="fn", model="m")
    with pytest.raises(Exception):  # noqa: B017 - the provider's own error, wrapped
        app.gateway.chat([{"role": "user", "content": f"Look up {SECRET}"}], route="echoing")
    tenant = app.gateway._tenant(None)
    shots = tmp_path / "shots"
    shots.mkdir()
    (shots / "001.png").write_bytes(b"PNG" + SECRET.encode())
    run_id = start_run(app.store, tenant.id, instruction=f"Update the account {SECRET}",
                       start_url="http://127.0.0.1:9/crm", policy="plan",
                       meta={"screenshots": str(shots)})
    StoreRecorder(app.store, run_id).record(StepRecord(
        step=1, started_at=utcnow().isoformat(), url="http://127.0.0.1:9/crm",
        snapshot_text=f'textbox "Account code" value="{SECRET}"',
        action={"type": "type", "text": SECRET}, result={"ok": True}))
    finish_run(app.store, run_id, status="done")
    for task, said in (("crm-1", f"The account code is {SECRET}."), ("crm-2", "No code.")):
        save_episode(app.store, tenant.id, Rollout(
            Episode("cristal/Tools-v0", task, 0, actions=[{"tool": "lookup"}], rewards=[1.0],
                    info={"success": True}), policy="route:default",
            transcript=[{"role": "user", "content": "Which account code?"},
                        {"role": "assistant", "content": said}]))
    workflows_db = (Path(db_url.removeprefix("sqlite:///")).with_name("cristal.workflows.db")
                    if db_url.startswith("sqlite") else None)
    yield app, db_url, tmp_path, cli, workflows_db
    app.close()


@pytest.mark.slow
def test_retention_then_erasure_leave_the_secret_nowhere(world):
    app, db_url, tmp_path, cli, workflows_db = world
    dbos_url = f"sqlite:///{workflows_db}" if db_url.startswith("sqlite") else db_url
    before = _catalogue_hits(db_url, SECRET) + _catalogue_hits(dbos_url, SECRET)
    for place in ("documents", "chunks", "research_sessions", "model_calls", "operator_runs",
                  "operator_steps", "env_episodes"):
        assert any(place in h for h in before), (place, before)

    # retention: nothing is old yet; then only the category with a period expires
    assert retention(app)["tenants"]["default"]["removed"] == {}
    set_retention(app.store, "default", {"workflows": 30})
    later = retention(app, now=utcnow() + timedelta(days=31))["tenants"]["default"]["removed"]
    assert later == {"workflow runs": 1}
    assert _catalogue_hits(dbos_url, SECRET) == [] or not db_url.startswith("sqlite")

    # erasing the document removes the reports that quote it (and their files)
    app.close()
    record = erase(app, "document", str(tmp_path / "docs" / "accounts.md"))
    assert record["counts"]["documents"] == 1 and record["counts"]["research sessions"] == 1
    assert record["residual"] == [] and not (tmp_path / "report").exists()
    hits = _catalogue_hits(db_url, SECRET)
    assert hits and not [h for h in hits if any(t in h for t in ("document", "chunk",
                                                                   "research"))], hits

    # erasing the text (a data subject's identifier) removes what the user typed elsewhere
    app.close()
    record = erase(app, "text", SECRET)
    assert record["residual"] == []
    assert record["counts"]["operator runs"] == 1 and record["counts"]["model calls scrubbed"]
    assert record["counts"]["episodes"] == 1  # the other episode stays
    assert SECRET not in json.dumps(record)
    app.close()
    assert _catalogue_hits(db_url, SECRET) == []
    assert _catalogue_hits(dbos_url, SECRET) == []
    assert not (tmp_path / "shots").exists()
    if db_url.startswith("sqlite"):  # the bytes are gone from the files (VACUUM, WAL)
        files = [p for p in tmp_path.glob("cristal*") if p.is_file()]
        assert files and [str(p) for p in files if SECRET.encode() in p.read_bytes()] == []

    # the other document is still searchable; both erasures are on record, value hashed
    hits = cli("search", "travel desk trains", "--collection", "kb")
    assert "other.md" in json.dumps(hits)
    with app.store.read() as conn:
        rows = conn.execute(sa.text("SELECT selector, value_sha256 FROM erasures")).all()
    assert sorted(r.selector for r in rows) == ["document", "text"]
    erased = [e for e in audit_entries(app.store) if e.action == "data.erase"]
    assert [e.details["selector"] for e in erased] == ["document", "text"]
    assert SECRET not in json.dumps([e.to_dict() for e in erased], default=str)
    assert verify_chain(app.store).ok

    # the rest expires with its period
    set_retention(app.store, "default", {"calls": 30, "operator": 30, "research": 30,
                                         "envs": 30})
    later = retention(app, now=utcnow() + timedelta(days=31))["tenants"]["default"]["removed"]
    assert later["model calls"] >= 3 and later["episodes"] == 1
    with app.store.read() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM model_calls")).scalar() == 0
        assert conn.execute(sa.text("SELECT COUNT(*) FROM env_episodes")).scalar() == 0


def test_unknown_document_and_bad_input_are_clear_errors(tmp_path):
    from cristal.errors import InvalidInput, NotFound

    app = App(load_settings(data_dir=str(tmp_path / "d")))
    try:
        with pytest.raises(NotFound, match="no document"):
            erase(app, "document", "/nowhere/x.md")
        with pytest.raises(InvalidInput):
            erase(app, "text", "ab")
        with pytest.raises(InvalidInput):
            erase(app, "everything", "x")
    finally:
        app.close()


def test_retention_and_erase_cli(tmp_path):
    env = {**os.environ, "CRISTAL_DATA_DIR": str(tmp_path / "d")}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "cristal", *args], env=env,
                              capture_output=True, text=True)

    out = run("retention", "set", "--calls", "90", "--envs", "14", "--json")
    assert out.returncode == 0 and json.loads(out.stdout.splitlines()[-1])["days"]["calls"] == 90
    assert json.loads(out.stdout.splitlines()[-1])["days"]["envs"] == 14
    out = run("retention", "run", "--json")
    assert out.returncode == 0 and "default" in json.loads(out.stdout.splitlines()[-1])["tenants"]
    out = run("erase", "--json")
    assert out.returncode == 2 and "exactly one" in out.stderr
