"""Which vector search serves a store, and why not the fast one (issue 12, item 19).

A broken sqlite-vec install is simulated the way it happens: the `sqlite_vec` package
found first on the path fails to import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import require
from cristal.store import Store


def _broken_sqlite_vec(tmp_path: Path) -> dict[str, str]:
    shadow = tmp_path / "shadow" / "sqlite_vec"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text(
        'raise ImportError("simulated: vec0.so is missing from this sqlite-vec install")\n'
    )
    path = os.pathsep.join([str(shadow.parent), *sys.path])
    return {**os.environ, "PYTHONPATH": path, "COLUMNS": "250"}


def _config_show(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cristal", "config", "show", *args],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )


def test_config_show_and_the_log_say_why_sqlite_vec_did_not_load(tmp_path):
    env = _broken_sqlite_vec(tmp_path)
    env.pop("CRISTAL_REQUIRE_SQLITE_VEC", None)
    shown = _config_show(env, "--json")
    assert shown.returncode == 0, shown.stderr
    rows = {r["key"]: r for r in json.loads(shown.stdout.strip().splitlines()[-1])["config"]}
    assert rows["store.vectors"]["value"] == "numpy"
    assert "vec0.so is missing" in rows["store.vectors"]["reason"]
    assert "sqlite-vec did not load" in shown.stderr and "vec0.so is missing" in shown.stderr
    table = _config_show(env)
    assert "numpy (sqlite-vec did not load: ImportError: simulated" in table.stdout


def test_strict_mode_refuses_a_store_without_sqlite_vec(tmp_path):
    env = {**_broken_sqlite_vec(tmp_path), "CRISTAL_REQUIRE_SQLITE_VEC": "1"}
    shown = _config_show(env, "--json")
    assert shown.returncode == 2
    assert "CRISTAL_REQUIRE_SQLITE_VEC=1" in shown.stdout + shown.stderr
    assert "vec0.so is missing" in shown.stdout + shown.stderr


def test_sqlite_vec_serves_vectors_here(sqlite_url):
    """Fails in CI (strict mode) when the extension is expected but does not load."""
    store = Store.open(sqlite_url)
    try:
        require(store.vector_backend == "sqlite-vec", f"sqlite-vec ({store.vector_reason})")
        assert store.vector_reason is None
    finally:
        store.close()
