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



# -- Ending the test process ----------------------------------------------------------

_EXIT_GRACE_S = 15.0
_exit_status = pytest.StashKey[int]()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    session.config.stash[_exit_status] = int(exitstatus)


def _busy_threads_joined_at_exit() -> list:
    """Threads the interpreter would wait for at exit: non-daemon threads, and the
    workers of every ThreadPoolExecutor (joined at exit, daemon or not) that are running
    a task. An idle worker waits in `_worker` for its queue and ends when told to."""
    import threading
    from concurrent.futures import thread as futures_thread

    workers = set(getattr(futures_thread, "_threads_queues", {}).keys())
    frames = sys._current_frames()
    busy = []
    for t in threading.enumerate():
        if t is threading.main_thread() or not t.is_alive():
            continue
        if t in workers:
            top = frames.get(t.ident)
            if top is None or top.f_code is futures_thread._worker.__code__:
                continue
        elif t.daemon:
            continue
        busy.append(t)
    return busy


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """Leave once pytest is done, as `cristal worker` does, when threads would hold it.

    Tests run workflow engines in this process. A run still waiting when its engine
    shuts down (an approval, a sleep: its state is in the database, for a worker to
    continue) keeps its DBOS executor thread; once the test's database is dropped, DBOS
    retries its connection without end, and the interpreter joins that thread at exit,
    so the process would never end. After a short grace, name those threads and where
    they wait, then end the process with pytest's own exit status.
    """
    import traceback

    pending = _busy_threads_joined_at_exit()
    deadline = time.monotonic() + _EXIT_GRACE_S
    for t in pending:
        t.join(max(0.0, deadline - time.monotonic()))
    pending = [t for t in _busy_threads_joined_at_exit() if t in pending]
    if not pending:
        return
    frames = sys._current_frames()
    sys.stderr.write(f"\n{len(pending)} thread(s) still busy after the tests; the process "
                     "ends without joining them (as `cristal worker` does):\n")
    for t in pending:
        stack = traceback.extract_stack(frames[t.ident]) if t.ident in frames else []
        where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}"
                            for f in reversed(stack[-4:]))
        sys.stderr.write(f"  {t.name}: {where}\n")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(config.stash.get(_exit_status, 1))
