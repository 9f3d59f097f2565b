"""An OpenAI-compatible server on 127.0.0.1 standing in for two agent models (Research-v0).

It is the process boundary tests and benchmarks may fake. Models, by name:

- `careful`: searches the question, then answers with the first result's text, citing it
  (a real tool-calling loop: it reads the `tool` message the environment sent back);
- `lazy`: answers at once that the documents do not say (`not_found`).

Usage counts tokens roughly (characters / 4), so cost and token figures are non-zero.
Run standalone: `python tests/agent_models.py [--port N]` (prints the base URL).
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_RESULT = re.compile(r"^\[1\] (\S+) \(chars \d+-\d+\): (.+)$", re.M)


def _decide(model: str, messages: list[dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    if model == "lazy":
        return "answer", {"text": "The documents do not say.", "not_found": True}
    tool_results = [m for m in messages if m.get("role") == "tool"]
    if not tool_results:
        first = next(m["content"] for m in messages if m["role"] == "user")
        question = first.split("\n", 1)[0].removeprefix("Question: ")
        return "search", {"query": question}
    found = _RESULT.search(tool_results[-1]["content"] or "")
    if not found:
        return "answer", {"text": "not found", "not_found": True}
    doc, snippet = found.group(1), found.group(2)
    return "answer", {"text": snippet, "citations": [{"doc": doc, "quote": snippet[:120]}]}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: AgentModels  # type: ignore[assignment]

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        with self.server.lock:
            self.server.requests += 1
        if self.server.delay_s:
            time.sleep(self.server.delay_s)
        name, args = _decide(body.get("model", "careful"), body.get("messages", []))
        prompt = len(json.dumps(body.get("messages", []))) // 4
        reply = {
            "id": "chatcmpl-agent", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model"),
            "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
                "role": "assistant", "content": None, "tool_calls": [{
                    "id": f"call_{self.server.requests}", "type": "function",
                    "function": {"name": name, "arguments": json.dumps(args,
                                                                       ensure_ascii=False)}}]}}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": 20,
                      "total_tokens": prompt + 20},
        }
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class AgentModels(ThreadingHTTPServer):
    """The server; `url` is its OpenAI base URL."""

    daemon_threads = True

    def __init__(self, port: int = 0, delay_s: float = 0.0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.lock = threading.Lock()
        self.requests = 0
        self.delay_s = delay_s
        self.url = f"http://127.0.0.1:{self.server_address[1]}/v1"

    def start(self) -> AgentModels:
        """Serve in a background thread."""
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()
        return self


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay-ms", type=float, default=0.0)
    options = parser.parse_args()
    server = AgentModels(options.port, options.delay_ms / 1000)
    print(server.url, flush=True)
    server.serve_forever()
