"""Bad input gets a one-line error that names the allowed range (exit 2), never a
traceback, and nothing stored is changed: budgets, names, nested JSON, huge specs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def cristal(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cristal", *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "COLUMNS": "200"})


def refused(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("error: ")
    for word in words:
        assert word in proc.stderr, proc.stderr


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e309", "1e300", "-1"])
def test_budget_usd_out_of_range(value):
    refused(cristal("tenant", "create", "acme", "--budget-usd", value),
            "--budget-usd must be a number from 0 to 1,000,000,000")


def test_budget_tokens_and_updates_out_of_range():
    refused(cristal("tenant", "create", "acme", "--budget-tokens", "1e23"),
            "--budget-tokens", "1,000,000,000,000,000")
    refused(cristal("tenant", "create", "acme", "--budget-tokens", "1" + "0" * 23),
            "--budget-tokens")
    refused(cristal("tenant", "create", "acme", "--budget-tokens", "lots"), "2e6")
    assert cristal("tenant", "create", "acme", "--budget-usd", "5", "--budget-tokens",
                   "2e6").returncode == 0
    refused(cristal("tenant", "update", "acme", "--budget-usd", "nan"), "--budget-usd")
    refused(cristal("tenant", "update", "acme", "--budget-tokens", "1e23"), "--budget-tokens")
    shown = json.loads(cristal("tenant", "show", "acme", "--json").stdout.splitlines()[-1])
    assert shown["budget_usd"] == 5 and shown["budget_tokens"] == 2_000_000  # unchanged


def test_a_name_with_a_trailing_newline_is_not_a_second_tenant():
    assert cristal("tenant", "create", "acme").returncode == 0
    refused(cristal("tenant", "create", "acme\n"), "is not valid")


SPEC = """name: deep
inputs: {data: any, obj: object}
steps:
  - id: a
    type: sleep
    seconds: 0
"""


def test_deeply_nested_json_input_is_refused(tmp_path):
    spec = tmp_path / "deep.yaml"
    spec.write_text(SPEC)
    lists = "[" * 20_000 + "]" * 20_000  # json.loads alone overflows the stack at ~1,000
    objects = '{"a":' * 5000 + "1" + "}" * 5000
    for data, obj in ((lists, "{}"), ("1", objects)):
        proc = cristal("workflow", "run", str(spec), "-i", f"data={data}", "-i", f"obj={obj}",
                       "--wait")
        refused(proc, "levels deep", "64")


def test_template_bombs_are_refused_by_validate(tmp_path):
    spec = tmp_path / "bomb.yaml"
    spec.write_text(SPEC.replace("inputs: {data: any, obj: object}\n", "") +
                    'outputs:\n  x: "{{ (2**100000)|string }}"\n')
    refused(cristal("workflow", "validate", str(spec)), "is refused", "4096 bits")


def test_yaml_alias_bombs_and_deep_nesting_are_refused(tmp_path):
    laughs = ["name: laughs", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    laughs += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    bomb = tmp_path / "laughs.yaml"
    bomb.write_text("\n".join(laughs) + "\n")
    refused(cristal("workflow", "validate", str(bomb)), "100,000 values")
    deep = tmp_path / "deep.yaml"
    deep.write_text("name: deep\nsteps: " + "[" * 5000 + "]" * 5000 + "\n")
    refused(cristal("workflow", "validate", str(deep)), "nested")
    assert Path(bomb).is_file()
