"""Run the real `cristal` command in a subprocess and read its last JSON line."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def cristal(*args: str, env: dict[str, str] | None = None,
            input: str | None = None) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess (COLUMNS wide, so tables do not wrap)."""
    return subprocess.run(
        [sys.executable, "-m", "cristal", *args], capture_output=True, text=True, timeout=180,
        env={**os.environ, "COLUMNS": "200", **(env or {})}, input=input,
    )


def last_json(proc: subprocess.CompletedProcess) -> dict:
    """The JSON object on the last line of stdout."""
    assert proc.stdout.strip(), proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])
