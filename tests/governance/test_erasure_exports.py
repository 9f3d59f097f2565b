"""Export files are listed in the audit log, and erasure deletes those that hold erased data.

Files are written the way users write them (`cristal data export`, `cristal operator runs
export --out`, `cristal audit export --out`, as subprocesses); erasure is run through
`cristal erase`. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cristal.app import App, Principal
from cristal.app import data as data_uc
from cristal.config import load_settings
from cristal.governance import EXPORT_ACTION, audit_entries, get_tenant, record_export
from cristal.lifecycle import erase
from cristal.operator._records import StepRecord
from cristal.operator._trajectories import StoreRecorder, finish_run, start_run
from cristal.research._sessions import save_session
from cristal.research._types import Report
from cristal.store import new_id, utcnow

SECRET = "ZQX7731KAPPA"


def _plant_run(app: App, instruction: str) -> str:
    tenant = get_tenant(app.store, "default")
    run_id = start_run(app.store, tenant.id, instruction=instruction,
                       start_url="http://127.0.0.1:9/crm", policy="plan")
    StoreRecorder(app.store, run_id).record(StepRecord(
        step=1, started_at=utcnow().isoformat(), url="http://127.0.0.1:9/crm",
        snapshot_text=f'heading "{instruction}"', action={"action": "click", "ref": "e1"},
        result={"ok": True}))
    finish_run(app.store, run_id, status="done")
    return run_id


@pytest.fixture
def world(tmp_path, db_url):
    data = tmp_path / "data"
    env = {**os.environ, "CRISTAL_DATA_DIR": str(data), "CRISTAL_DATABASE_URL": db_url}

    def cli(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
        out = subprocess.run([sys.executable, "-m", "cristal", *args], env=env,
                             capture_output=True, text=True, cwd=tmp_path)
        if ok:
            assert out.returncode == 0, out.stderr
        return out

    app = App(load_settings(data_dir=str(data), database_url=db_url))
    yield app, tmp_path, cli
    app.close()


def _exports(app: App) -> list:
    return [e for e in audit_entries(app.store) if e.action == EXPORT_ACTION]


def test_exports_are_audited_and_erasure_deletes_those_holding_the_value(world):
    app, tmp_path, cli = world
    secret_run = _plant_run(app, f"Update the account {SECRET}")
    _plant_run(app, "Book a train to Osaka")
    out = tmp_path / "exports"
    cli("data", "export", "--from", "operator", "--format", "sft", "--parquet",
        "--out", str(out / "operator.jsonl"))
    cli("data", "export", "--from", "operator", "--format", "sft", "--split", "0.5",
        "--out", str(out / "split.jsonl"))
    cli("operator", "runs", "export", secret_run, "--out", str(out / "run.jsonl"))
    cli("audit", "export", "--out", str(out / "audit.jsonl"))
    (out / "unlisted.jsonl").write_text(f"{SECRET}\n")  # not written by Cristal: not ours

    entries = _exports(app)
    by_path = {e.details["path"]: e for e in entries}
    written = [out / "operator.jsonl", out / "split.train.jsonl", out / "split.test.jsonl",
               out / "run.jsonl", out / "audit.jsonl"]
    parquet = out / "operator.parquet"  # compressed: found by reading its rows
    assert sorted(by_path) == sorted(str(p.resolve()) for p in [*written, parquet])
    assert by_path[str(parquet.resolve())].details["format"] == "parquet"
    assert by_path[str((out / "operator.jsonl").resolve())].details["rows"] == 2
    assert by_path[str((out / "operator.jsonl").resolve())].tenant == "default"
    assert by_path[str((out / "run.jsonl").resolve())].details["format"] == "jsonl steps"
    assert by_path[str((out / "audit.jsonl").resolve())].tenant is None  # every tenant's
    assert all(e.target == e.details["path"] for e in entries)
    assert SECRET not in json.dumps([e.to_dict() for e in entries])  # never the data
    holding = [p for p in written if SECRET in p.read_text()]
    assert {p.name for p in holding} >= {"operator.jsonl", "run.jsonl"}
    assert "audit.jsonl" not in {p.name for p in holding}

    result = cli("erase", "--text", SECRET, "--json")
    record = json.loads(result.stdout.strip().splitlines()[-1])
    assert record["residual"] == []
    assert record["counts"]["export files"] == len(holding) + 1
    assert sorted(record["files"]) == sorted(str(p.resolve()) for p in [*holding, parquet])
    assert not any(p.exists() for p in [*holding, parquet])
    assert (out / "audit.jsonl").exists()  # listed, but holds no erased data
    assert [p for p in written if p.exists() and SECRET in p.read_text()] == []
    assert (out / "unlisted.jsonl").exists()
    assert "Osaka" in "".join(p.read_text() for p in out.glob("split.*.jsonl"))


def test_an_export_that_cannot_be_read_or_deleted_is_residual(world, monkeypatch):
    app, tmp_path, cli = world
    _plant_run(app, f"Update the account {SECRET}")
    broken = tmp_path / "broken.parquet"  # not a Parquet file: it cannot be vouched for
    broken.write_bytes(b"PAR1" + SECRET.encode())
    kept = tmp_path / "kept.jsonl"
    kept.write_text(json.dumps({"code": SECRET}) + "\n")
    for path in (broken, kept):
        record_export(app.store, tenant="default", actor="test", path=path, fmt="x", rows=1,
                      source="test")

    result = cli("erase", "--text", SECRET, "--json", ok=False)  # the parquet: unreadable
    assert result.returncode == 1 and "broken.parquet" in result.stdout + result.stderr
    record = json.loads(result.stdout.strip().splitlines()[0])
    assert record["residual"] == [f"file {broken.resolve()} (could not read: OSError)"]
    assert not kept.exists() and broken.exists()

    kept.write_text(json.dumps({"code": SECRET}) + "\n")
    broken.unlink()
    real_unlink = Path.unlink

    def refuse(self, *args, **kwargs):
        if self.name == "kept.jsonl":
            raise PermissionError(13, "read-only")
        return real_unlink(self, *args, **kwargs)

    monkeypatch.setattr(Path, "unlink", refuse)
    record = erase(app, "text", SECRET)
    assert record["residual"] == [f"file {kept.resolve()} (could not delete: PermissionError)"]
    assert kept.exists() and "export files" not in record["counts"]


def test_erase_user_deletes_exports_of_the_research_they_asked(world):
    app, tmp_path, cli = world
    tenant = get_tenant(app.store, "default")
    for who, question in (("dana", "Which supplier delivered the late pallets in May?"),
                          ("erin", "How many trains leave Osaka before nine?")):
        save_session(app.store, tenant.id, Report(
            id=new_id("res"), question=question, lang="en", answer="Not found.",
            not_found=True, claims=[], retrieved=[], sub_questions=[], evidence=[],
            timings_ms={}, model_calls=0, mode="extractive", collection="kb",
            tenant="default", created_at=utcnow().isoformat()),
            asked_by=f"user:default/{who}")
    owner = Principal.local_owner()
    data_uc.export_dataset(app, owner, source="research", fmt="sft",
                           out=tmp_path / "research.jsonl")
    cli("audit", "export", "--out", str(tmp_path / "audit.jsonl"))
    assert "late pallets" in (tmp_path / "research.jsonl").read_text()

    record = erase(app, "user", "erin")  # not in the audit export; in the dataset
    assert record["counts"]["research sessions"] == 1 and record["residual"] == []
    assert record["files"] == [str((tmp_path / "research.jsonl").resolve())]
    assert (tmp_path / "audit.jsonl").exists()
    assert erase(app, "user", "dana")["files"] == []  # the dataset is gone already


@pytest.mark.slow
def test_erase_document_deletes_synth_questions_and_document_copies(world):
    app, tmp_path, cli = world
    examples = Path(__file__).resolve().parents[2] / "examples" / "docs"
    cli("ingest", str(examples), "--collection", "ex", "--no-embed", "--json")
    out = tmp_path / "set"
    cli("envs", "synth", "--collection", "ex", "--n", "5", "--out", str(out), "--json")
    listed = {e.details["path"]: e.details for e in _exports(app)}
    assert listed[str(out / "questions.jsonl")]["rows"] == 5
    assert listed[str(out / "docs")]["format"] == "folder of document copies"
    tasks = [json.loads(line) for line in (out / "questions.jsonl").read_text().splitlines()]
    gold = next(t["gold_docs"][0] for t in tasks if t["gold_docs"])
    copies = {p for p in (out / "docs").rglob("*") if p.is_file()}
    assert out / "docs" / gold in copies and len(copies) > 1

    record = json.loads(cli("erase", "--document", str(examples / gold), "--json")
                        .stdout.strip().splitlines()[-1])
    assert record["residual"] == [] and record["counts"]["documents"] == 1
    assert str(out / "questions.jsonl") in record["files"]
    assert str(out / "docs" / gold) in record["files"]
    assert not (out / "questions.jsonl").exists() and not (out / "docs" / gold).exists()
    assert {p for p in (out / "docs").rglob("*") if p.is_file()}  # the other copies stay
    assert (examples / gold).exists()  # the source file is the user's
