"""Datasets in the shapes TRL and the OpenAI fine-tuning API read.

- `sft`: `{"messages": [...], "tools": [...]}` — successful conversations (tool calls as
  assistant `tool_calls`, results as `role: "tool"` messages);
- `dpo`: `{"prompt": [...], "chosen": [...], "rejected": [...]}` — a success and a failure
  on the same task, sharing the prompt (system + task);
- `kto`: `{"prompt": [...], "completion": [...], "label": bool}`;
- `rewards`: `{"prompt", "completion", "reward", "step_rewards", "success"}` per episode.

Every text field passes through one text step (`_Scrubber.text`): secrets are always
removed (known secret values from the environment, API keys, tokens, private keys);
with `redact`, personal data (JA/EN, `cristal.governance.pii`) becomes typed placeholders
such as `<PERSON_1>`, consistent within a row. Rows are
deduplicated; `split` assigns whole tasks to train or test so no task is in both.
A dataset card (`<file>.card.md`) gives source, counts, licence and redaction figures.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cristal.envs._sources import Sample, samples
from cristal.errors import ConfigError, InvalidInput
from cristal.governance.pii import Redactor

__all__ = ["FORMATS", "ExportReport", "export_dataset"]

FORMATS = ("sft", "dpo", "kto", "rewards")
_SECRET_PATTERNS = {
    "api_key": re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-]{16,}"),
    "cristal_key": re.compile(r"\bcr_[A-Za-z0-9_\-]{16,}"),
    "bearer": re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/\-]{16,}=*"),
    "aws_key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "github_token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}"),
    "jwt": re.compile(r"\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}"),
    "private_key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE "
                              r"KEY-----", re.S),
}
_SECRET_ENV = re.compile(r"(CRISTAL_SECRET_.+|.+_(API_KEY|TOKEN|SECRET|PASSWORD))")


class _Scrubber:
    """The one step every exported text goes through: secrets out, then (optionally) PII."""

    def __init__(self, redact: bool = False) -> None:
        self.counts: Counter[str] = Counter()
        self.pii: Counter[str] = Counter()
        self.redact = redact
        self._redactor: Redactor | None = None
        self.values = sorted({v for k, v in os.environ.items()
                              if _SECRET_ENV.fullmatch(k) and len(v) >= 6}, key=len, reverse=True)

    def text(self, value: str) -> str:
        for secret in self.values:
            if secret in value:
                self.counts["env_secret"] += value.count(secret)
                value = value.replace(secret, "<secret>")
        for kind, pattern in _SECRET_PATTERNS.items():
            value, n = pattern.subn("<secret>", value)
            self.counts[kind] += n
        if self._redactor is not None:
            value = self._redactor.redact(value)
        return value

    def row(self, value: Any) -> Any:
        """One row scrubbed; PII placeholders are numbered per row (`<PERSON_1>`)."""
        self._redactor = Redactor() if self.redact else None
        try:
            return self.walk(value)
        finally:
            if self._redactor is not None:
                self.pii.update(self._redactor.counts())
            self._redactor = None

    def walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.walk(v) for v in value]
        if isinstance(value, dict):
            return {k: self.walk(v) for k, v in value.items()}
        return value


@dataclass
class ExportReport:
    """What an export wrote."""

    files: dict[str, int] = field(default_factory=dict)  # path -> rows
    source: str = ""
    fmt: str = ""
    samples: int = 0
    duplicates: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    tasks: dict[str, int] = field(default_factory=dict)  # split -> tasks
    secrets_removed: dict[str, int] = field(default_factory=dict)
    redacted: bool = False
    pii_redacted: dict[str, int] = field(default_factory=dict)  # entity type -> occurrences
    card: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The `data export --json` object."""
        return {"source": self.source, "format": self.fmt, "files": self.files,
                "samples": self.samples, "duplicates": self.duplicates,
                "skipped": self.skipped, "tasks": self.tasks,
                "secrets_removed": self.secrets_removed, "redacted": self.redacted,
                "pii_redacted": self.pii_redacted, "card": self.card}


def _canonical_ids(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tool-call ids renumbered call_1, call_2, ... (a provider's own ids are noise)."""
    ids: dict[str, str] = {}
    out = []
    for m in messages:
        m = dict(m)
        if m.get("tool_calls"):
            calls = []
            for call in m["tool_calls"]:
                ids.setdefault(call.get("id", ""), f"call_{len(ids) + 1}")
                calls.append({**call, "id": ids[call.get("id", "")]})
            m["tool_calls"] = calls
        if m.get("role") == "tool":
            m["tool_call_id"] = ids.get(m.get("tool_call_id", ""), m.get("tool_call_id"))
        out.append(m)
    return out


def _split_messages(messages: list[dict[str, Any]]) -> tuple[list[dict], list[dict]]:
    cut = next((i for i, m in enumerate(messages) if m["role"] == "assistant"), len(messages))
    return messages[:cut], messages[cut:]


def _rows(fmt: str, items: list[Sample], skipped: Counter[str]) -> list[tuple[str, dict]]:
    rows: list[tuple[str, dict]] = []
    if fmt == "sft":
        for s in items:
            if s.success is False:
                skipped["failed"] += 1
                continue
            rows.append((s.task, {"messages": s.messages, "tools": s.tools}))
    elif fmt == "kto":
        for s in items:
            if s.success is None:
                skipped["no_label"] += 1
                continue
            prompt, completion = _split_messages(s.messages)
            rows.append((s.task, {"prompt": prompt, "completion": completion,
                                  "label": s.success}))
    elif fmt == "rewards":
        for s in items:
            if s.reward is None:
                skipped["no_reward"] += 1
                continue
            prompt, completion = _split_messages(s.messages)
            rows.append((s.task, {"prompt": prompt, "completion": completion,
                                  "reward": s.reward, "step_rewards": s.step_rewards,
                                  "success": s.success}))
    else:  # dpo: a success and a failure on the same task
        by_task: dict[str, list[Sample]] = defaultdict(list)
        for s in items:
            if s.success is None:
                skipped["no_label"] += 1
            else:
                by_task[s.task].append(s)
        for task, group in by_task.items():
            good = [s for s in group if s.success]
            bad = [s for s in group if not s.success]
            if not good or not bad:
                skipped["no_pair"] += len(group)
                continue
            for chosen, rejected in zip(good, bad, strict=False):
                prompt, win = _split_messages(chosen.messages)
                _, lose = _split_messages(rejected.messages)
                rows.append((task, {"prompt": prompt, "chosen": win, "rejected": lose}))
    return rows


def _assign(tasks: list[str], split: float | None) -> dict[str, str]:
    if split is None:
        return {t: "all" for t in tasks}
    ordered = sorted(tasks, key=lambda t: hashlib.sha256(t.encode()).hexdigest())
    n_train = math.ceil(len(ordered) * split)
    if len(ordered) > 1:
        n_train = min(max(n_train, 1), len(ordered) - 1)
    return {t: ("train" if i < n_train else "test") for i, t in enumerate(ordered)}


def _paths(out: Path, split: float | None) -> dict[str, Path]:
    if split is None:
        return {"all": out}
    stem = out.name[:-len(".jsonl")] if out.name.endswith(".jsonl") else out.stem
    return {part: out.with_name(f"{stem}.{part}.jsonl") for part in ("train", "test")}


def export_dataset(app: Any, tenant: Any, *, source: str, fmt: str, out: str | Path,
                   split: float | None = None, parquet: bool = False, redact: bool = False,
                   eval_run: str | None = None, licence: str = "other") -> ExportReport:
    """Write the dataset (and its card); `redact` replaces personal data with placeholders."""
    if fmt not in FORMATS:
        raise InvalidInput(f"--format {fmt!r} is not one of {', '.join(FORMATS)}.")
    if split is not None and not 0 < split < 1:
        raise InvalidInput("--split is the train share, between 0 and 1 (e.g. 0.9).")
    out = Path(out)
    scrub = _Scrubber(redact=redact)
    items = list(samples(app, tenant, source, eval_run=eval_run))
    skipped: Counter[str] = Counter()
    seen: set[str] = set()
    parts: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        item.messages = _canonical_ids(item.messages)
    rows = _rows(fmt, items, skipped)
    assignment = _assign(sorted({task for task, _ in rows}), split)
    report = ExportReport(source=source, fmt=fmt, samples=len(items))
    for task, row in rows:
        clean = scrub.row(row)
        key = hashlib.sha256(json.dumps(clean, sort_keys=True, ensure_ascii=False)
                             .encode()).hexdigest()
        if key in seen:
            report.duplicates += 1
            continue
        seen.add(key)
        parts[assignment[task]].append(clean)
    out.parent.mkdir(parents=True, exist_ok=True)
    for part, path in _paths(out, split).items():
        data = parts.get(part, [])
        with path.open("w", encoding="utf-8") as fh:
            for row in data:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        report.files[str(path)] = len(data)
        if parquet:
            _parquet(path, data)
    report.skipped = dict(skipped)
    report.tasks = dict(Counter(assignment.values()))
    report.secrets_removed = {k: v for k, v in scrub.counts.items() if v}
    report.redacted = redact
    report.pii_redacted = dict(sorted(scrub.pii.items()))
    report.card = str(_card(out, report, licence))
    return report


def _parquet(path: Path, rows: list[dict]) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ConfigError("--parquet needs pyarrow: `pip install pyarrow` (it comes with "
                          "`datasets`).") from None
    # Tool schemas and tool arguments differ from row to row, which a columnar schema
    # cannot hold as structs; nested values are stored as JSON text, as the Hub does.
    flat = [{k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
             for k, v in row.items()} for row in rows]
    pq.write_table(pa.Table.from_pylist(flat), path.with_suffix(".parquet"))


def _card(out: Path, report: ExportReport, licence: str) -> Path:
    stem = out.name[:-len(".jsonl")] if out.name.endswith(".jsonl") else out.stem
    path = out.with_name(f"{stem}.card.md")
    files = "\n".join(f"- `{Path(p).name}`: {n} rows" for p, n in report.files.items())
    secrets = ", ".join(f"{k}: {v}" for k, v in report.secrets_removed.items()) or "none found"
    skipped = ", ".join(f"{k}: {v}" for k, v in report.skipped.items()) or "none"
    pii = ("not applied (export without --redact)" if not report.redacted else
           "typed placeholders per row; replaced: "
           + (", ".join(f"{k}: {v}" for k, v in report.pii_redacted.items()) or "none found")
           + ". Detection is rule-based (JA/EN; `cristal eval pii` measures it): review "
           "before sharing outside the organisation.")
    path.write_text(f"""---
license: {licence}
task_categories: [text-generation]
tags: [cristal, agents, {report.fmt}]
---

# Cristal export: {report.source} as {report.fmt}

- Source: Cristal `{report.source}` (exported by `cristal data export`)
- Format: {report.fmt} (TRL / OpenAI fine-tuning shapes)
- Licence: {licence} (set with `--licence`; the data is your organisation's)
- Samples read: {report.samples}; duplicates dropped: {report.duplicates}; skipped: {skipped}
- Split by task: {json.dumps(report.tasks)} (no task is in two splits)
- Secrets removed: {secrets}
- PII redaction: {pii}

{files}
""", encoding="utf-8")
    return path
