"""Evaluate `detect` on a labelled set: per-type precision, recall, F1 (exact and overlap)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cristal.errors import InvalidInput
from cristal.governance.pii._detect import detect
from cristal.governance.pii._types import ENTITY_TYPES

__all__ = ["PiiEvalResult", "evaluate_pii", "load_items"]


@dataclass
class PiiEvalResult:
    """Scores overall, per language, and the spans that were missed or wrong."""

    report: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)


def load_items(set_dir: Path) -> list[dict[str, Any]]:
    """The items of DIR/items.jsonl, checked: offsets inside the text, known types."""
    path = Path(set_dir) / "items.jsonl"
    if not path.is_file():
        raise InvalidInput(f"{path} does not exist: --set must name a folder with items.jsonl.")
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = item["text"]
            for s in item["spans"]:
                if s["type"] not in ENTITY_TYPES or not 0 <= s["start"] < s["end"] <= len(text):
                    raise ValueError(f"bad span {s}")
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(f"{path}:{n}: {exc}; each line needs id, lang, text and spans "
                               "[{start, end, type}] inside the text.") from None
        items.append(item)
    return items


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else (1.0 if not fn else 0.0)
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def _match(gold: list[tuple], pred: list[tuple], overlap: bool) -> set[int]:
    """Indexes of predictions matched one-to-one to gold spans."""
    used: set[int] = set()
    matched: set[int] = set()
    for gi, (gs, ge, gt) in enumerate(gold):
        for pi, (ps, pe, pt) in enumerate(pred):
            if pi in used or pt != gt:
                continue
            if (ps, pe) == (gs, ge) or (overlap and ps < ge and gs < pe):
                used.add(pi)
                matched.add(gi)
                break
    return used


def _scores(rows: list[tuple[list[tuple], list[tuple]]], overlap: bool) -> dict[str, Any]:
    counts = {t: [0, 0, 0] for t in ENTITY_TYPES}  # tp, fp, fn
    for gold, pred in rows:
        hit = _match(gold, pred, overlap)
        for pi, p in enumerate(pred):
            counts[p[2]][0 if pi in hit else 1] += 1
        for t in ENTITY_TYPES:
            counts[t][2] += sum(1 for g in gold if g[2] == t)
    for t in ENTITY_TYPES:
        counts[t][2] -= counts[t][0]
    types = {t: {**_prf(*c), "support": c[0] + c[2]} for t, c in counts.items()}
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    return {"types": types, "micro": _prf(tp, fp, fn)}


def evaluate_pii(set_dir: Path, *, ner: bool | None = False,
                 progress: Callable[[int, int], None] | None = None) -> PiiEvalResult:
    """Run `detect` over the set; scores (exact, overlap) overall and per language."""
    items = load_items(set_dir)
    rows: dict[str, list] = {"all": [], "ja": [], "en": []}
    errors = []
    started = time.perf_counter()
    for n, item in enumerate(items, 1):
        text = item["text"]
        gold = [(s["start"], s["end"], s["type"]) for s in item["spans"]]
        pred = [(s.start, s.end, s.type) for s in detect(text, item.get("lang"), ner=ner)]
        for key in ("all", item.get("lang")):
            if key in rows:
                rows[key].append((gold, pred))
        for kind, a, b in (("missed", gold, pred), ("spurious", pred, gold)):
            errors.extend({"id": item["id"], "kind": kind, "type": t, "start": s, "end": e,
                           "text": text[s:e]} for s, e, t in a if (s, e, t) not in b)
        if progress:
            progress(n, len(items))
    exact = _scores(rows["all"], overlap=False)
    report: dict[str, Any] = {
        "set": str(set_dir), "items": len(items), "ner": ner,
        "types": exact["types"], "micro": exact["micro"],
        "overlap": _scores(rows["all"], overlap=True),
        "by_lang": {lang: {"exact": _scores(r, False), "overlap": _scores(r, True)}
                    for lang, r in rows.items() if lang != "all" and r},
        "ms_per_item": round((time.perf_counter() - started) * 1000 / max(1, len(items)), 2),
    }
    return PiiEvalResult(report, errors)
