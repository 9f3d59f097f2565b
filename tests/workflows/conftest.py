"""Fixtures for workflow tests: an in-process engine per module (SQLite and PostgreSQL),
a receiver on 127.0.0.1, and helpers for real worker processes."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import PG_ADMIN_URL, require  # the root conftest (tests/ is on sys.path)
from fake_openai import FakeOpenAI

sys.path.append(str(Path(__file__).parent))  # after: this file is a `conftest` too

from wfkit import Receiver  # noqa: E402

from cristal.app import App  # noqa: E402
from cristal.config import load_settings  # noqa: E402
from cristal.governance import create_tenant  # noqa: E402
from cristal.workflows import Engine, list_runs, parse_spec  # noqa: E402
from cristal.workflows._runs import cancel_run  # noqa: E402


def _admin() -> sa.Engine:
    assert PG_ADMIN_URL
    return sa.create_engine(PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                            isolation_level="AUTOCOMMIT")


def make_pg_database() -> tuple[str, str]:
    """A fresh PostgreSQL database: (name, url)."""
    require(bool(PG_ADMIN_URL), "PostgreSQL (CRISTAL_TEST_PG_URL)")
    name = f"cristal_wf_{uuid.uuid4().hex[:10]}"
    admin = _admin()
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"PostgreSQL at CRISTAL_TEST_PG_URL is not reachable: {exc.orig}")
    finally:
        admin.dispose()
    url = sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    return name, url


def drop_pg_database(name: str) -> None:
    """Drop a database made by make_pg_database."""
    admin = _admin()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_db(request, tmp_path) -> Iterator[str]:
    """A database URL: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cristal.db'}"
        return
    name, url = make_pg_database()
    yield url
    drop_pg_database(name)


@pytest.fixture
def pg_db() -> Iterator[str]:
    """A fresh PostgreSQL database (dropped afterwards)."""
    name, url = make_pg_database()
    yield url
    drop_pg_database(name)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    """The HTTP receiver, shared by a module's tests (each uses its own runs)."""
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def fake_model() -> Iterator[FakeOpenAI]:
    """An OpenAI-compatible server for `model` steps on the `smart` route."""
    server = FakeOpenAI().start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def engine(request, tmp_path_factory, fake_model) -> Iterator[Engine]:
    """A launched engine (this process is the worker), on SQLite then PostgreSQL."""
    data_dir = tmp_path_factory.mktemp("wf")
    pg_name = None
    if request.param == "sqlite":
        url = f"sqlite:///{data_dir / 'cristal.db'}"
    else:
        pg_name, url = make_pg_database()
    with pytest.MonkeyPatch.context() as mp:
        for key in list(os.environ):
            if key.startswith(("CRISTAL_", "OPENAI_")) and not key.startswith("CRISTAL_TEST_"):
                mp.delenv(key)
        mp.setenv("WF_FAKE_KEY", "good-key")
        settings = load_settings(
            data_dir=str(data_dir), database_url=url, max_retries=0,
            providers={"fake": {"type": "openai", "base_url": fake_model.url,
                                "api_key_env": "WF_FAKE_KEY"}},
            routes={"smart": {"provider": "fake", "model": "echo", "max_output_tokens": 20}},
            prices={"echo": {"input_per_mtok": 1.0, "output_per_mtok": 1.0}},
            workflows={"http_allow": ["127.0.0.1"], "polling_interval_s": 0.05,
                       "heartbeat_s": 0.5, "budget_recheck_s": 1.0, "park_after_s": 0.5,
                       "scheduler_poll_s": 1.0,
                       "queues": {"default": {"concurrency": 16},
                                  "limited": {"concurrency": 16, "tenant_concurrency": 1,
                                              "tenant_rate": {"limit": 3, "period_s": 1.0}}}})
        eng = Engine(App(settings))
        eng.launch()
        yield eng
        for run in list_runs(eng, limit=500):
            if not run.done:
                cancel_run(eng, run.run_id)
        eng.shutdown(grace_s=5)  # woken runs see they are cancelled and end
        eng.close()
        eng.app.close()
    if pg_name:
        drop_pg_database(pg_name)


@pytest.fixture
def tenant(engine) -> str:
    """A fresh tenant for one test."""
    name = f"t{uuid.uuid4().hex[:8]}"
    create_tenant(engine.app.store, name)
    return name


@pytest.fixture
def spec(engine):
    """Parse YAML text into a validated spec with the engine's settings."""
    return lambda text: parse_spec(text, "test.yaml", engine.settings)
