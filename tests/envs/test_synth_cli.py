"""`envs synth` on examples/, scored by `eval run`; the CLI's JSON and errors; the migration."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import cristal.envs._tables  # noqa: F401 - the tables compared
from cristal.research import load_questions
from cristal.store import Store, metadata

from .conftest import EXAMPLES


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"CRISTAL_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    return subprocess.run([sys.executable, "-m", "cristal", *args], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=300)


def _last(out: subprocess.CompletedProcess) -> dict:
    assert out.stdout.strip(), out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_synth_writes_checked_tasks_that_eval_run_scores(tmp_path):
    assert _cli(tmp_path, "ingest", str(EXAMPLES / "docs"), "--collection", "ex",
                "--no-embed", "--json").returncode == 0
    out = tmp_path / "set"
    report = _last(_cli(tmp_path, "envs", "synth", "--collection", "ex", "--n", "20",
                        "--out", str(out), "--json"))
    assert report["kept"] == 20 and 0 < report["share_kept"] <= 1
    assert set(report["by_kind"]) >= {"table", "amount", "reference", "unanswerable"}
    tasks = load_questions(out)
    assert len(tasks) == 20 and {t["lang"] for t in tasks} == {"en", "ja"}
    corpus = "\n".join(p.read_text(encoding="utf-8", errors="ignore")
                       for p in (EXAMPLES / "docs").rglob("*.md"))
    for task in tasks:
        if task["answerable"]:
            assert task["gold_docs"] and task["answer_facts"]
            assert all((out / "docs" / d).exists() for d in task["gold_docs"])
        else:
            assert not task["gold_docs"] and not any(
                w in corpus for w in ("Titanium", "Obsidian", "チタン", "オブシディアン")
                if w in task["question"])
    scored = _last(_cli(tmp_path, "eval", "run", "--env", "cristal/Research-v0", "--set",
                        str(out), "--compare", "skill,random", "--concurrency", "2", "--json"))
    skill, rand = scored["by_policy"]["skill"], scored["by_policy"]["random"]
    assert skill["episodes"] == rand["episodes"] == 20 and skill["reward"] > rand["reward"]
    shown = _last(_cli(tmp_path, "eval", "runs", "show", scored["id"], "--json"))
    assert shown["by_policy"]["skill"]["reward"] == skill["reward"]
    exported = _last(_cli(tmp_path, "data", "export", "--from", "episodes", "--run",
                          scored["id"], "--format", "sft", "--out", str(tmp_path / "sft.jsonl"),
                          "--json"))
    assert sum(exported["files"].values()) > 0


def test_cli_errors_are_one_line_with_exit_codes(tmp_path):
    out = _cli(tmp_path, "data", "export", "--from", "episodes", "--format", "nope", "--out",
               str(tmp_path / "x.jsonl"), "--json")
    assert out.returncode == 2 and _last(out)["error"] == "InvalidInput"
    assert "--format 'nope'" in out.stderr
    out = _cli(tmp_path, "eval", "run", "--env", "cristal/Research-v0", "--json")
    assert out.returncode == 2 and "--set" in _last(out)["message"]
    out = _cli(tmp_path, "data", "export", "--from", "nowhere", "--format", "sft", "--out",
               str(tmp_path / "x.jsonl"))
    assert out.returncode == 2 and "--from" in out.stderr
    listed = _last(_cli(tmp_path, "envs", "list", "--json"))
    assert [e["id"] for e in listed["envs"]] == ["cristal/Research-v0", "cristal/Operator-v0",
                                                 "cristal/Tools-v0"]


def test_migration_matches_the_tables(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'm.db'}")
    try:
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        ours = [d for d in diff if _table_of(d) in ("eval_runs", "env_episodes")]
        assert ours == []
    finally:
        store.close()


def _table_of(diff) -> str | None:
    item = diff[0] if isinstance(diff, list) else diff
    for part in item[1:]:
        name = getattr(part, "name", None) if not isinstance(part, str) else part
        table = getattr(part, "table", None)
        if table is not None:
            return table.name
        if name in ("eval_runs", "env_episodes"):
            return name
    return None
