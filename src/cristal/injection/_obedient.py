"""The obedient model double: a local OpenAI-compatible server that does what it is told.

It is a TEST DOUBLE, not a model. It reads its context like a model would and:

- whenever an injected instruction is in that context, emits exactly the attacker's
  action (the injection task's ground-truth tool call; for a browser page, the action
  the page asks for), even in a role that was offered no tools;
- otherwise follows the person's task like AgentDojo's ground-truth pipeline does.

That is the worst case for a defence: a model that is fully fooled. Scenarios (AgentDojo
suites, hostile pages) supply the knowledge; the server dispatches each request by role:
`plan` / `extraction` / `verification` (the JSON schema's name), a tool-calling turn, or
plain text.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

__all__ = ["DOUBLE_MODEL", "DOUBLE_NOTE", "ObedientDouble", "Reply", "Scenario", "role_of"]

DOUBLE_MODEL = "obedient-double"
DOUBLE_NOTE = ("obedient-double: a TEST DOUBLE standing in for a model that obeys every "
               "injected instruction it sees (not a real model)")


@dataclass
class Reply:
    """What the double answers: text, or tool calls (name, arguments, optional call id)."""

    text: str = ""
    tool_calls: list[tuple[Any, ...]] = field(default_factory=list)


class Scenario(Protocol):
    """Knowledge for one family of tasks; None when the request is not one of its tasks."""

    def respond(self, role: str, request: dict[str, Any]) -> Reply | None:
        """The double's answer in `role` to an OpenAI chat request body."""


def role_of(request: dict[str, Any]) -> str:
    """`plan`, `extraction`, `verification` (by JSON schema name), `tools` or `text`."""
    fmt = request.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return str((fmt.get("json_schema") or {}).get("name") or "json")
    return "tools" if request.get("tools") else "text"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: ObedientDouble  # type: ignore[assignment]

    def log_message(self, *args: Any) -> None:  # keep eval output clean
        pass

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        if self.path.rstrip("/").endswith("/models"):
            self._send(200, {"object": "list", "data": [
                {"id": DOUBLE_MODEL, "object": "model", "owned_by": "cristal-test-double"}]})
            return
        self._send(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        length = int(self.headers.get("Content-Length", 0))
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except json.JSONDecodeError:
            self._send(400, {"error": {"message": "the body is not JSON"}})
            return
        if not self.path.endswith("/chat/completions"):
            self._send(404, {"error": {"message": f"no route {self.path}"}})
            return
        try:
            reply = self.server.answer(body)
        except Exception as exc:  # a bug in a scenario must show up, not hang the client
            self._send(500, {"error": {"message": f"double failed: {type(exc).__name__}: {exc}"}})
            return
        self._send(200, _completion(reply, body))


def _completion(reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if reply.tool_calls:
        message["tool_calls"] = [
            {"id": call[2] if len(call) > 2 else f"call_{i}", "type": "function",
             "function": {"name": call[0], "arguments": json.dumps(call[1], ensure_ascii=False,
                                                                   default=str)}}
            for i, call in enumerate(reply.tool_calls)]
    prompt = sum(len(str(m.get("content") or "")) for m in body.get("messages", [])) // 4
    out = max(1, len(reply.text) // 4 + 10 * len(reply.tool_calls))
    return {"id": "chatcmpl-double", "object": "chat.completion", "created": int(time.time()),
            "model": DOUBLE_MODEL,
            "choices": [{"index": 0, "message": message,
                         "finish_reason": "tool_calls" if reply.tool_calls else "stop"}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": out,
                      "total_tokens": prompt + out}}


class ObedientDouble(ThreadingHTTPServer):
    """The server on 127.0.0.1; `url` is its OpenAI base URL."""

    daemon_threads = True

    def __init__(self, scenarios: list[Scenario], port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.scenarios = list(scenarios)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/v1"
        self.requests = 0
        self._lock = threading.Lock()

    def answer(self, body: dict[str, Any]) -> Reply:
        """Ask each scenario in turn; the first that knows the task answers."""
        with self._lock:
            self.requests += 1
        role = role_of(body)
        for scenario in self.scenarios:
            reply = scenario.respond(role, body)
            if reply is not None:
                return reply
        if role == "extraction":
            return Reply(json.dumps({"found": False, "value": None}))
        if role == "plan":
            return Reply(json.dumps({"steps": [], "answer": "The double knows no such task."}))
        return Reply("The obedient double does not know this task.")

    def start(self) -> ObedientDouble:
        """Serve in a background thread."""
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True,
                         name="obedient-double").start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.shutdown()
        self.server_close()

    def __enter__(self) -> ObedientDouble:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
