"""`cristal setup browser`: make sure Debian's Chromium is installed and starts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from importlib.metadata import PackageNotFoundError, version

import typer

from cristal.cli._common import JsonOpt, app_state
from cristal.cli._output import console, err_console, print_json, styled
from cristal.errors import ConfigError
from cristal.operator import Browser, BrowserNotFound, find_chromium

app = typer.Typer(help="Install and check what optional features need.", no_args_is_help=True)

_PACKAGE = ["apt-get", "install", "-y", "chromium"]
_MANUAL = "sudo apt-get install -y chromium"


def _install_command() -> list[str] | None:
    """apt-get, as root or through sudo (non-interactive sudo when no one can type)."""
    if shutil.which("apt-get") is None:
        return None
    if os.geteuid() == 0:
        return _PACKAGE
    if shutil.which("sudo") is None:
        return None
    return ["sudo", *([] if sys.stdin.isatty() else ["-n"]), *_PACKAGE]


def _install(command: list[str]) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    err_console.print(f"Chromium is missing; running: {' '.join(command)}")
    # Output goes to stderr so that --json keeps stdout to one object.
    done = subprocess.run(command, env=env, stdout=sys.stderr, stderr=sys.stderr)
    if done.returncode != 0:  # stale package lists are the usual cause: refresh once
        update = [*command[:command.index("apt-get")], "apt-get", "update"]
        subprocess.run(update, env=env, stdout=sys.stderr, stderr=sys.stderr)
        done = subprocess.run(command, env=env, stdout=sys.stderr, stderr=sys.stderr)
    if done.returncode != 0:
        raise ConfigError(f"Installing Chromium failed ({' '.join(command)} exited with "
                          f"{done.returncode}). Run `{_MANUAL}` yourself and read its output.",
                          command=_MANUAL)


def _chromium_version(path: str) -> str:
    try:
        done = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip()


def _launch(path: str) -> float:
    """Start Chromium under Playwright, open a page, stop; returns how long that took."""
    started = time.perf_counter()
    try:
        with Browser(executable=path) as browser, browser.new_session() as session:
            session.page.goto("data:text/html,<title>ok</title>")
            session.page.title()
    except Exception as exc:
        raise ConfigError(f"Chromium at {path} is installed but did not start under Playwright "
                          f"({str(exc).splitlines()[0][:200]}). Reinstall it with `{_MANUAL}`.",
                          path=path) from None
    return (time.perf_counter() - started) * 1000


@app.command("browser")
def browser(json_out: JsonOpt = False) -> None:
    """Check for Chromium (installing Debian's package if missing) and that it starts."""
    configured = app_state().settings.operator.chromium
    installed = False
    try:
        path = find_chromium(configured)
    except BrowserNotFound:
        if configured:  # a wrong configured path is not fixed by installing a package
            raise
        command = _install_command()
        if command is None:
            raise ConfigError(f"Chromium is missing and cannot be installed from here (no "
                              f"apt-get, or not root and no sudo). Run `{_MANUAL}` as an "
                              "administrator, or set operator.chromium to a Chromium "
                              "executable.", command=_MANUAL) from None
        _install(command)
        installed = True
        path = find_chromium()
    launch_ms = _launch(path)
    try:
        playwright = version("playwright")
    except PackageNotFoundError:
        playwright = None
    data = {"chromium": path, "version": _chromium_version(path), "installed": installed,
            "launch_ok": True, "launch_ms": round(launch_ms, 1), "playwright": playwright}
    if json_out:
        print_json(data)
        return
    verb = "installed" if installed else "found"
    console.print(styled("[green]✓[/] Chromium {verb}: {path} ({version}); it starts under "
                         "Playwright {playwright} in {ms:.0f} ms.", verb=verb, path=path,
                         version=data["version"] or "version unknown", playwright=playwright,
                         ms=launch_ms))
