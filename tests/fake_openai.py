"""A small OpenAI-compatible HTTP server on 127.0.0.1 standing in for a hosted model.

It is the process boundary tests may fake: the real `openai` SDK talks to it over
real HTTP. Behaviour is chosen by the model name:

- `echo` (any other name too): replies "echo: <last user message>"
- `fail-429-once` / `fail-500-once`: the first request of each distinct prompt fails
- `fail-429` / `fail-500`: always fails
- `slow`: sleeps 3 s before answering (for timeouts)
- `no-usage`: answers without a usage block
- `missing-model`: 404, as OpenAI answers for a model that does not exist
Requests with `tools` get a tool call to the first tool (or the calls a `tool_caller`
chooses from the request); requests with a
`response_format` JSON schema get a JSON object with each required property.
Only the key `good-key` is accepted. Every request is counted in `requests`.

Run standalone: `python tests/fake_openai.py --port 8765 [--delay-ms 50]` (prints the URL).
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

GOOD_KEY = "good-key"


def _sample(schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: _sample(v) for k, v in props.items()}
    if kind == "array":
        return [_sample(schema.get("items", {"type": "string"}))]
    if kind in ("integer", "number"):
        return 1
    if kind == "boolean":
        return True
    if "enum" in schema:
        return schema["enum"][0]
    return "text"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # small header+body writes would otherwise stall ~40 ms
    server: FakeOpenAI  # type: ignore[assignment]

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        fake = self.server
        with fake.lock:
            fake.requests.append({"path": self.path, "body": body,
                                  "authorization": self.headers.get("Authorization")})
        if self.headers.get("Authorization") != f"Bearer {GOOD_KEY}":
            self._send(401, {"error": {"message": "Incorrect API key", "type": "invalid_api_key"}})
            return
        if self.path.endswith("/embeddings"):
            self._embeddings(body)
            return
        if not self.path.endswith("/chat/completions"):
            self._send(404, {"error": {"message": f"no route {self.path}"}})
            return
        model = body.get("model", "echo")
        prompt = json.dumps(body.get("messages"))
        if model.startswith("fail-"):
            code = int(model.split("-")[1])
            with fake.lock:
                seen = fake.seen.get((model, prompt), 0)
                fake.seen[(model, prompt)] = seen + 1
            if not model.endswith("-once") or seen == 0:
                self._send(code, {"error": {"message": f"fake {code}"}}, {"retry-after": "0"})
                return
        if model == "missing-model":
            self._send(404, {"error": {"message": f"The model `{model}` does not exist"}})
            return
        if model == "slow":
            time.sleep(3)
        if fake.delay_s:
            time.sleep(fake.delay_s)
        self._chat(body, model)

    def _embeddings(self, body: dict[str, Any]) -> None:
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [{"object": "embedding", "index": i,
                 "embedding": [float(len(t) % 7 + 1), 1.0, float(i)]} for i, t in enumerate(inputs)]
        tokens = 5 * len(inputs)
        self._send(200, {"object": "list", "data": data, "model": body["model"],
                         "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})

    def _reply(self, body: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        last = next((m for m in reversed(body["messages"]) if m["role"] == "user"), {})
        content = last.get("content", "")
        if isinstance(content, list):
            content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        tools = body.get("tools")
        if tools and self.server.tool_caller is not None:  # a double that picks the call
            calls = self.server.tool_caller(body)
            if calls is not None:
                return "", calls
        if tools:
            fn = tools[0]["function"]
            args = _sample(fn.get("parameters", {"type": "object"}))
            return "", [{"id": "call_1", "type": "function",
                         "function": {"name": fn["name"], "arguments": json.dumps(args)}}]
        fmt = body.get("response_format") or {}
        if self.server.responder is not None:  # a double that answers from the prompt
            text = self.server.responder(body)
            if text is not None:
                return text, []
        if fmt.get("type") == "json_schema":
            return json.dumps(_sample(fmt["json_schema"]["schema"])), []
        return f"echo: {content}", []

    def _chat(self, body: dict[str, Any], model: str) -> None:
        text, calls = self._reply(body)
        usage = {"prompt_tokens": 11, "completion_tokens": max(1, len(text.split())),
                 "total_tokens": 11 + max(1, len(text.split()))}
        if body.get("stream"):
            self._stream(text, calls, model, usage, body)
            return
        message: dict[str, Any] = {"role": "assistant", "content": text or None}
        if calls:
            message["tool_calls"] = calls
        response = {
            "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "message": message,
                         "finish_reason": "tool_calls" if calls else "stop"}],
        }
        if model != "no-usage":
            response["usage"] = usage
        self._send(200, response)

    def _stream(self, text: str, calls: list, model: str, usage: dict, body: dict) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def emit(payload: dict[str, Any] | str) -> None:
            line = payload if isinstance(payload, str) else json.dumps(payload)
            data = f"data: {line}\n\n".encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

        base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk",
                "created": int(time.time()), "model": model}
        words = text.split(" ") if text else []
        for i, word in enumerate(words):
            piece = word if i == 0 else " " + word
            emit({**base, "choices": [{"index": 0, "delta": {"content": piece},
                                       "finish_reason": None}]})
        for i, call in enumerate(calls):
            emit({**base, "choices": [{"index": 0, "delta": {"tool_calls": [
                {"index": i, **call}]}, "finish_reason": None}]})
        emit({**base, "choices": [{"index": 0, "delta": {},
                                   "finish_reason": "tool_calls" if calls else "stop"}]})
        if (body.get("stream_options") or {}).get("include_usage") and model != "no-usage":
            emit({**base, "choices": [], "usage": usage})
        emit("[DONE]")
        self.wfile.write(b"0\r\n\r\n")


class FakeOpenAI(ThreadingHTTPServer):
    """The server; `url` is its OpenAI base URL, `requests` what it received."""

    daemon_threads = True

    def __init__(self, port: int = 0, delay_s: float = 0.0,
                 responder: Callable[[dict[str, Any]], str | None] | None = None,
                 tool_caller: Callable[[dict[str, Any]], list[dict[str, Any]] | None]
                 | None = None) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.delay_s = delay_s
        self.responder = responder  # body -> reply text, or None for the default reply
        # body with tools -> OpenAI-format tool calls, or None for the default call
        self.tool_caller = tool_caller
        self.lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        self.seen: dict[tuple[str, str], int] = {}
        self.url = f"http://127.0.0.1:{self.server_address[1]}/v1"

    def start(self) -> FakeOpenAI:
        """Serve in a background thread."""
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def chat_requests(self) -> list[dict[str, Any]]:
        """The chat completion requests received so far."""
        with self.lock:
            return [r for r in self.requests if r["path"].endswith("/chat/completions")]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay-ms", type=float, default=0.0,
                        help="simulated model latency added to every chat completion")
    args = parser.parse_args()
    server = FakeOpenAI(args.port, args.delay_ms / 1000)
    print(server.url, flush=True)
    server.serve_forever()
