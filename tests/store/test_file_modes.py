"""Data directories are created 0700 and database files 0600 (main, WAL, SHM, the DBOS
system database, the migration lock) and reports 0600: other users of the machine
cannot read prompts, documents or approvals."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from cristal.app import App
from cristal.config import load_settings
from cristal.governance import create_tenant
from cristal.store import Store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    """The common default (files 0644, folders 0755) that made databases world-readable."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_store_files_and_folders_are_private(tmp_path, loose_umask):
    data = tmp_path / "new" / "data"
    store = Store.open(f"sqlite:///{data / 'cristal.db'}")
    try:
        create_tenant(store, "acme")  # a write: WAL and SHM exist now
        files = {p.name: mode(p) for p in data.iterdir()}
    finally:
        store.close()
    assert mode(data) == 0o700 and mode(data.parent) == 0o700
    assert {"cristal.db", "cristal.db-wal", "cristal.db-shm",
            "cristal.db.migrate-lock"} <= set(files)
    assert set(files.values()) == {0o600}, files


def test_an_existing_world_readable_database_is_tightened(tmp_path, loose_umask):
    db = tmp_path / "cristal.db"
    Store.open(f"sqlite:///{db}").close()
    db.chmod(0o644)
    Store.open(f"sqlite:///{db}").close()
    assert mode(db) == 0o600


def test_workflow_system_database_is_private(tmp_path, loose_umask):
    from cristal.workflows import Engine

    settings = load_settings(data_dir=str(tmp_path / "wf"))
    engine = Engine(App(settings))
    try:
        engine.client  # noqa: B018 - creates and migrates the DBOS system database
        system_db = tmp_path / "wf" / "cristal.workflows.db"
        assert system_db.is_file() and mode(system_db) == 0o600
        assert mode(tmp_path / "wf") == 0o700
        sides = [p for p in (tmp_path / "wf").iterdir() if p.name.startswith(system_db.name)]
        assert {mode(p) for p in sides} == {0o600}
    finally:
        engine.close()


def test_reports_are_private(tmp_path, loose_umask):
    from cristal.research import write_report
    from cristal.research._types import Report

    report = Report(id="res_1", question="q", lang="en", answer="a", not_found=False,
                    claims=[], retrieved=[], sub_questions=[], evidence=[],
                    timings_ms={"research": 1.0}, model_calls=0, mode="extractive",
                    collection="kb", tenant="default", created_at="2026-01-01T00:00:00")
    paths = write_report(report, tmp_path / "reports" / "r1")
    assert len(paths) == 3 and {mode(p) for p in paths} == {0o600}
    assert mode(tmp_path / "reports" / "r1") == 0o700
