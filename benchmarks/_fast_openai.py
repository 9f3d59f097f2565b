"""A fast OpenAI-compatible model server for benchmarks: a bare ASGI app under uvicorn.

`POST /v1/chat/completions` answers a fixed short reply with usage after an optional
simulated model latency (asyncio sleep, so concurrent requests overlap as with a real
model server); `stream: true` streams it word by word. Nothing else is parsed.

Usage: python benchmarks/_fast_openai.py --port 8765 [--latency-ms 100]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

REPLY = "The invoice total is wrong; send it back to the supplier."
USAGE = {"prompt_tokens": 24, "completion_tokens": 14, "total_tokens": 38}


def make_app(latency_s: float):
    """The ASGI application."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if not scope["path"].endswith("/chat/completions"):
            await _send(send, 404, b'{"error": {"message": "not found"}}')
            return
        request = json.loads(body or b"{}")
        if latency_s:
            await asyncio.sleep(latency_s)
        base = {"id": "chatcmpl-bench", "created": int(time.time()),
                "model": request.get("model", "bench")}
        if not request.get("stream"):
            reply = {**base, "object": "chat.completion", "usage": USAGE, "choices": [
                {"index": 0, "finish_reason": "stop",
                 "message": {"role": "assistant", "content": REPLY}}]}
            await _send(send, 200, json.dumps(reply).encode())
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/event-stream")]})
        for word in REPLY.split(" "):
            chunk = {**base, "object": "chat.completion.chunk", "choices": [
                {"index": 0, "delta": {"content": word + " "}, "finish_reason": None}]}
            await send({"type": "http.response.body", "more_body": True,
                        "body": f"data: {json.dumps(chunk)}\n\n".encode()})
        done = {**base, "object": "chat.completion.chunk", "choices": [], "usage": USAGE}
        await send({"type": "http.response.body", "more_body": False,
                    "body": f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode()})

    return app


async def _send(send: Any, status: int, data: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})


if __name__ == "__main__":
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args()
    uvicorn.run(make_app(args.latency_ms / 1000), host="127.0.0.1", port=args.port,
                log_level="warning", access_log=False, server_header=False,
                date_header=False, backlog=4096)
