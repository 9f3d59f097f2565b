"""`cristal serve`: uvicorn with one or more worker processes and a graceful stop.

Each worker process builds its own App from the same settings; everything shared
(sessions, rate-limit counters, the audit chain, budgets) lives in the database,
so any number of processes on any number of machines can serve one PostgreSQL.
SIGTERM or Ctrl-C stops accepting connections and lets requests in flight finish
(up to `server.graceful_s`).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

import uvicorn
from fastapi import FastAPI

from cristal.app import App
from cristal.config import Settings
from cristal.server._app import create_app

__all__ = ["factory", "serve"]


def factory() -> FastAPI:
    """The application of one worker process (settings from file and environment)."""
    return create_app(App())


def _logging(access: bool) -> dict:
    return {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"line": {"format": "%(message)s"},
                       "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
        "handlers": {"access": {"class": "logging.StreamHandler", "formatter": "line",
                                "stream": "ext://sys.stderr"},
                     "main": {"class": "logging.StreamHandler", "formatter": "plain",
                              "stream": "ext://sys.stderr"}},
        "loggers": {
            "cristal.access": {"handlers": ["access"], "level": "INFO" if access else "WARNING",
                               "propagate": False},
            "cristal": {"handlers": ["main"], "level": "INFO", "propagate": False},
            "uvicorn": {"handlers": ["main"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


class _Server(uvicorn.Server):
    """uvicorn's server, except that a stop signal ends it normally (exit status 0)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """First SIGINT/SIGTERM: finish requests in flight and stop; a second: stop now."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def stop(sig: int, frame: Any) -> None:
            if self.should_exit and sig == signal.SIGINT:
                self.force_exit = True
            self.should_exit = True

        previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Run the server until stopped (blocks)."""
    config = uvicorn.Config(
        "cristal.server._serve:factory", factory=True, host=host, port=port, workers=workers,
        log_config=_logging(settings.server.access_log), access_log=False,
        timeout_graceful_shutdown=int(settings.server.graceful_s) or None,
        server_header=False, proxy_headers=False, timeout_keep_alive=30)
    server = _Server(config)
    if workers > 1:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[config.bind_socket()]).run()  # it stops its workers
    else:
        server.run()
    sys.stderr.flush()
    logging.shutdown()
