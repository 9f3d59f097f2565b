"""The http step's network policy: allow-list entries parsed strictly, the address a
name resolves to checked and connected to directly, response bodies capped while
streaming. Real servers on 127.0.0.1 and [::1]."""

from __future__ import annotations

import socket
import threading
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cristal.config import load_settings
from cristal.errors import ConfigError, PermissionDenied
from cristal.workflows import get_run, start_run, wait_run
from cristal.workflows._http import HttpPolicy, host_allowed, send


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        return

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self.server.hosts.append(self.headers.get("Host"))
        if self.path.startswith("/big/"):
            count, sized = int(self.path.split("/")[2]), self.path.endswith("/sized")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if sized:
                self.send_header("Content-Length", str(count))
            else:
                self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk, left = b"y" * 65536, count
            while left > 0:
                piece = chunk[: min(left, len(chunk))]
                frame = piece if sized else f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
                try:
                    self.wfile.write(frame)
                except OSError:  # the client stopped reading: it has what it keeps
                    return
                left -= len(piece)
            if not sized:
                self.wfile.write(b"0\r\n\r\n")
            return
        data = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server6(ThreadingHTTPServer):
    address_family = socket.AF_INET6


def _serve(server_class, address):
    server = server_class(address, _Echo)
    server.hosts = []
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def v4():
    server = _serve(ThreadingHTTPServer, ("127.0.0.1", 0))
    yield server
    server.shutdown()
    server.server_close()


def _send(url, allow, **kw):
    policy = HttpPolicy(tuple(allow), kw.pop("block_private", True),
                        kw.pop("max_body_bytes", 1_000_000))
    return send("GET", url, key="k", policy=policy, timeout_s=kw.pop("timeout_s", 10), **kw)


@pytest.mark.parametrize("entry", ["host:abc", "host:", "host:0", "host:70000", "[::1",
                                   "http://host", ":80", "*."])
def test_malformed_allow_list_entries_are_refused_at_load(monkeypatch, entry):
    with pytest.raises(ConfigError, match="workflows.http_allow") as info:
        load_settings(workflows={"http_allow": ["ok.example", entry]})
    assert repr(entry.strip().lower()) in info.value.message or entry in info.value.message
    monkeypatch.setenv("CRISTAL_HTTP_ALLOW", f"ok.example,{entry}")
    with pytest.raises(ConfigError, match="CRISTAL_HTTP_ALLOW"):
        load_settings()


def test_ipv6_entries_with_ports_match():
    assert host_allowed("http://[::1]:8099/hook", ["[::1]:8099"])
    assert not host_allowed("http://[::1]:8098/hook", ["[::1]:8099"])
    assert host_allowed("http://[::1]/hook", ["::1"])
    assert host_allowed("http://127.0.0.1:8099/", ["127.0.0.1:8099"])
    assert not host_allowed("http://127.0.0.1:8099/", ["127.0.0.1:abc"])  # never "any port"


def test_a_real_request_over_ipv6():
    try:
        server = _serve(_Server6, ("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    try:
        port = server.server_address[1]
        result = _send(f"http://[::1]:{port}/ok", [f"[::1]:{port}"])
        assert result == {"status": 200, "body": {"ok": True}}
        with pytest.raises(PermissionDenied, match="not allow-listed"):
            _send(f"http://[::1]:{port}/ok", [f"[::1]:{port + 1}"])
    finally:
        server.shutdown()
        server.server_close()


def test_names_resolving_to_loopback_are_refused_unless_opted_in(v4):
    port = v4.server_address[1]
    url = f"http://localhost:{port}/ok"
    with pytest.raises(PermissionDenied, match="resolves to 127.0.0.1"):
        _send(url, ["*"])
    with pytest.raises(PermissionDenied, match="resolves to"):
        _send(f"http://127.0.0.1:{port}/ok", ["*"])  # a wildcard does not name the IP
    before = len(v4.hosts)
    assert _send(url, ["localhost"])["status"] == 200  # named: loopback is meant
    assert _send(url, ["*"], block_private=False)["status"] == 200
    assert _send(f"http://127.0.0.1:{port}/ok", [f"127.0.0.1:{port}"])["status"] == 200
    # the connection went to the checked address; the Host header kept the name
    assert v4.hosts[before:] == [f"localhost:{port}", f"localhost:{port}", f"127.0.0.1:{port}"]


def test_cloud_metadata_needs_its_own_entry():
    for block in (True, False):
        with pytest.raises(PermissionDenied, match="169.254.169.254"):
            _send("http://169.254.169.254/latest/meta-data/", ["*"], block_private=block)


@pytest.mark.parametrize("sized", [False, True])
def test_long_bodies_are_cut_while_streaming(v4, sized):
    port = v4.server_address[1]
    size = 30_000_000
    tracemalloc.start()
    try:
        result = _send(f"http://127.0.0.1:{port}/big/{size}" + ("/sized" if sized else ""),
                       [f"127.0.0.1:{port}"], max_body_bytes=1000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result["truncated"] is True and result["size"] == size
    assert result["body"] == "y" * 1000  # cut JSON is kept as text, not parsed
    assert peak < 5_000_000, f"peak {peak:,} bytes for a {size:,}-byte body"


def test_a_run_stores_the_cut_body_with_its_size(engine, spec, tenant, receiver):
    s = spec(f"""
name: big
steps:
  - id: fetch
    type: http
    url: {receiver.url}/big/3000000
""")
    view = wait_run(engine, start_run(engine, s, {}, tenant=tenant).run_id, timeout_s=60)
    assert view.status == "succeeded", view.error
    output = view.outputs["fetch"]
    assert output["truncated"] is True and output["size"] == 3_000_000
    assert len(output["body"]) == engine.settings.workflows.http_max_body_bytes
    steps = {s.id: s for s in get_run(engine, view.run_id).steps}
    assert steps["fetch"].meta["http"]["truncated"] is True
