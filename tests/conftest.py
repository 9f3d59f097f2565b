"""Shared fixtures: isolated environment, real SQLite files, a real PostgreSQL server.

PostgreSQL tests use the server named by CRISTAL_TEST_PG_URL (an account that may
create databases); each test gets a fresh database. `scripts/test` starts the
server, installs every optional component and sets CRISTAL_TEST_STRICT=1, which
turns a missing component (PostgreSQL, llama-cpp, Chromium) into a failure
instead of a skip.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
import warnings
from pathlib import Path

import pytest
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent))

from fake_openai import FakeOpenAI  # noqa: E402
from oidc_idp import IdentityProvider  # noqa: E402

PG_ADMIN_URL = os.environ.get("CRISTAL_TEST_PG_URL")
STRICT = os.environ.get("CRISTAL_TEST_STRICT") == "1"
_KEEP = {"CRISTAL_TEST_PG_URL", "CRISTAL_TEST_STRICT", "CRISTAL_REQUIRE_SQLITE_VEC",
         "CRISTAL_SCREENSHOTS"}


def require(available: bool, what: str) -> None:
    """Skip a test whose component is missing, or fail in strict mode (CI)."""
    if available:
        return
    if STRICT:
        pytest.fail(f"{what} is required in strict mode (CRISTAL_TEST_STRICT=1)")
    pytest.skip(f"{what} is not available here; scripts/test installs it")


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory, monkeypatch):
    """No test sees the developer's config, keys or data directory."""
    home = tmp_path_factory.mktemp("home")
    for key in list(os.environ):
        if (key.startswith("CRISTAL_") and key not in _KEEP) or key.startswith("OPENAI_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("CRISTAL_DATA_DIR", str(home / "cristal"))
    monkeypatch.chdir(home)


def _pg_database() -> tuple[str, str]:
    require(bool(PG_ADMIN_URL), "PostgreSQL (CRISTAL_TEST_PG_URL)")
    name = f"cristal_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(_driver(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"PostgreSQL at CRISTAL_TEST_PG_URL is not reachable: {exc.orig}")
    finally:
        admin.dispose()
    url = sa.make_url(_driver(PG_ADMIN_URL)).set(database=name)
    return name, url.render_as_string(hide_password=False)


def _drop(name: str) -> None:
    """Drop a test database; a backend of another role (autovacuum, a catalogue scan by a
    neighbouring test run) can make FORCE fail for a moment, so try a few times, then leave
    the scratch database behind rather than fail a test that passed."""
    admin = sa.create_engine(_driver(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    try:
        for attempt in range(5):
            try:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                return
            except sa.exc.ProgrammingError:
                time.sleep(0.5 * (attempt + 1))
        warnings.warn(f"could not drop test database {name}; drop it by hand", stacklevel=2)
    finally:
        admin.dispose()


def _driver(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture
def pg_url():
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    name, url = _pg_database()
    yield url
    _drop(name)


@pytest.fixture
def sqlite_url(tmp_path):
    """A SQLite file in the test's temporary directory."""
    return f"sqlite:///{tmp_path / 'cristal.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """Each test using this runs twice: on a SQLite file and on a real PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cristal.db'}"
        return
    name, url = _pg_database()
    yield url
    _drop(name)


@pytest.fixture
def fake_openai():
    """An OpenAI-compatible server on 127.0.0.1 (see tests/fake_openai.py)."""
    server = FakeOpenAI().start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def idp():
    """An OpenID Connect identity provider on 127.0.0.1 (see tests/oidc_idp.py)."""
    server = IdentityProvider().start()
    yield server
    server.shutdown()
    server.server_close()
