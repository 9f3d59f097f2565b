"""A migrated store on each database (SQLite file, then PostgreSQL), closed afterwards."""

from __future__ import annotations

import pytest

from cristal.store import Store


@pytest.fixture
def store(db_url):
    """The store on a fresh database (runs on SQLite and on PostgreSQL)."""
    opened = Store.open(db_url)
    yield opened
    opened.close()
