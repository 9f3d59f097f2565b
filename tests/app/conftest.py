"""The ACL world (tests/acl_world.py) on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from acl_world import World, build_world


@pytest.fixture
def world(db_url, tmp_path) -> World:
    """The world on a fresh database; closed afterwards."""
    made = build_world(db_url, tmp_path)
    yield made
    made.app.close()
