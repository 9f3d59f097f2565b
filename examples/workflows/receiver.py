"""A tiny receiver for the triage example: prints each request, drops repeats by key.

Run `python examples/workflows/receiver.py [--port 8099]`. Every request from an
`http` step carries an Idempotency-Key (run id + step id); a repeat of a key it
has already seen is answered without doing the work again, as a real receiver should.
"""

from __future__ import annotations

import argparse
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SEEN: dict[str, dict] = {}


class Handler(BaseHTTPRequestHandler):
    """Prints the request and answers with JSON."""

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        key = self.headers.get("Idempotency-Key", "")
        repeat = key in SEEN
        if not repeat:
            SEEN[key] = json.loads(body or b"null")
        print(f"{'REPEAT ' if repeat else ''}{self.command} {self.path} key={key} "
              f"{body.decode(errors='replace')}", flush=True)
        data = json.dumps({"ok": True, "duplicate": repeat}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8099)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"listening on http://127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
