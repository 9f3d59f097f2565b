"""A real server on 127.0.0.1 over the ACL world, with a real API key for every kind of caller.

Shared by tests/server and the benchmarks-free end-to-end tests.

Callers: owner, admin, builder, member (alice, not a vault reader), reader (bob, group
board), approver (group finance), auditor, other (an admin of another tenant), none.
The `fast` route goes to an OpenAI-compatible test server (tests/fake_openai.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from acl_world import World, build_world
from cristal.governance import create_key, create_user, get_tenant
from cristal.knowledge import ingest_paths
from served import Served


@dataclass
class Site:
    """The running server, its world, and a key per caller."""

    served: Served
    world: World
    keys: dict[str, str]
    key_ids: dict[str, str]
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.served.url, timeout=120)

    @property
    def url(self) -> str:
        """The server's base URL."""
        return self.served.url

    def headers(self, who: str) -> dict[str, str]:
        """The Authorization header of a caller ({} for `none`)."""
        return {} if who == "none" else {"Authorization": f"Bearer {self.keys[who]}"}

    def call(self, who: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request as a caller."""
        headers = {**self.headers(who), **kwargs.pop("headers", {})}
        return self.http.request(method, path, headers=headers, **kwargs)


def site_settings(upstream_url: str) -> dict[str, Any]:
    """Settings with a `fast` route to the test model server and a price for its model."""
    return {"providers": {"up": {"type": "openai", "base_url": upstream_url,
                                 "api_key_env": "UP_KEY"}},
            "routes": {"fast": {"provider": "up", "model": "echo", "max_output_tokens": 64}},
            "prices": {"echo": {"input_per_mtok": 1.0, "output_per_mtok": 2.0}},
            "max_retries": 0}


def make_site(db_url: str, tmp_path, upstream_url: str, **overrides: Any) -> Site:
    """Build the world, create the keys, start the server."""
    world = build_world(db_url, tmp_path, **{**site_settings(upstream_url), **overrides})
    store = world.app.store
    acme, beta = get_tenant(store, "acme"), get_tenant(store, "beta")
    create_user(store, acme, "paula", ["finance"])
    create_user(store, acme, "dan")
    beta_docs = tmp_path / "beta-docs"
    beta_docs.mkdir()
    (beta_docs / "beta.md").write_text("# Beta\n\nBeta approves expenses weekly.", "utf-8")
    ingest_paths(store, beta, "beta-docs", [beta_docs])
    specs = {"owner": (acme, "owner", None), "admin": (acme, "admin", None),
             "builder": (acme, "builder", "dan"), "member": (acme, "member", "alice"),
             "reader": (acme, "member", "bob"), "approver": (acme, "approver", "paula"),
             "auditor": (acme, "auditor", None), "other": (beta, "admin", None)}
    keys, ids = {}, {}
    for who, (tenant, role, user) in specs.items():
        key, text = create_key(store, tenant, role, user=user, name=who)
        keys[who], ids[who] = text, key.id
    return Site(Served(world.app).start(), world, keys, ids)


