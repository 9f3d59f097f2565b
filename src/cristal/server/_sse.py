"""Server-sent events from work that runs in a thread (research, ingest): progress, then
the result (or the error, in the same `{"error": {"type", "message"}}` shape)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
from fastapi.responses import StreamingResponse

from cristal.errors import CristalError
from cristal.server._errors import status_of

__all__ = ["Emit", "event", "stream_work", "wants_events"]

log = logging.getLogger("cristal.server")
Emit = Callable[[str, dict[str, Any]], None]
_DONE = object()


def event(name: str, data: Any) -> str:
    """One SSE event (JSON data on one line)."""
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


def wants_events(accept: str | None, flag: bool | None) -> bool:
    """True when the client asked for a stream (`Accept: text/event-stream` or `?stream=1`)."""
    return bool(flag) or "text/event-stream" in (accept or "")


def stream_work(work: Callable[[Emit], Any], result: str = "result",
                headers: dict[str, str] | None = None) -> StreamingResponse:
    """Run `work(emit)` in a thread; stream what it emits, then its return value."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue()

    def emit(name: str, data: dict[str, Any]) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, (name, data))

    def run() -> None:
        try:
            value = work(emit)
            emit(result, value)
        except CristalError as exc:
            emit("error", {"error": {"type": type(exc).__name__, "message": exc.message,
                                     "status": status_of(exc)}})
        except Exception:  # logged here, answered without details
            log.exception("streamed work failed")
            emit("error", {"error": {"type": "InternalError",
                                     "message": "the server failed; see its log."}})
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, _DONE)

    async def body() -> AsyncIterator[str]:
        async with anyio.create_task_group() as group:
            group.start_soon(anyio.to_thread.run_sync, run)
            while True:
                item = await queue.get()
                if item is _DONE:
                    break
                yield event(*item)

    return StreamingResponse(body(), media_type="text/event-stream",
                             headers={"X-Accel-Buffering": "no", **(headers or {})})
