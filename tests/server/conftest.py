"""The site (tests/server_site.py) on SQLite, then on PostgreSQL."""

from __future__ import annotations

import pytest

from server_site import make_site


@pytest.fixture
def site(db_url, tmp_path, fake_openai, monkeypatch):
    """A running server with a key per caller, over the ACL world."""
    monkeypatch.setenv("UP_KEY", "good-key")
    made = make_site(db_url, tmp_path, fake_openai.url)
    yield made
    made.http.close()
    made.served.stop()
    made.world.app.close()
