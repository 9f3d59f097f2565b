"""Print the README's PII table row for each set: `python eval/pii/table.py eval/pii ... [--ner]`.

Structured P / R is the micro average over the nine structured types (exact match);
PERSON, ADDRESS and ORGANIZATION F1 are per language (exact match); the last
columns are micro F1 exact (overlap) and milliseconds per text.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cristal.governance.pii import STRUCTURED_TYPES, evaluate_pii


def _micro(types: dict, names: tuple[str, ...]) -> tuple[float, float]:
    tp = fp = fn = 0.0
    for name in names:
        t = types[name]
        hits = t["recall"] * t["support"]
        tp += hits
        fn += t["support"] - hits
        fp += hits / t["precision"] - hits if t["precision"] else 0.0
    return (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)


def row(set_dir: str, ner: bool) -> str:
    """One Markdown table row for `set_dir`."""
    rep = evaluate_pii(Path(set_dir), ner=ner).report
    p, r = _micro(rep["types"], STRUCTURED_TYPES)
    by = rep["by_lang"]

    def f1(kind: str) -> str:
        return " / ".join(f"{by[lang]['exact']['types'][kind]['f1']:.2f}" for lang in ("ja", "en"))

    return (f"| `{set_dir}` | {'rules + NER' if ner else 'rules'} | {p:.3f} / {r:.3f} | "
            f"{f1('PERSON')} | {f1('ADDRESS')} | {f1('ORGANIZATION')} | "
            f"{rep['micro']['f1']:.3f} ({rep['overlap']['micro']['f1']:.3f}) | "
            f"{rep['ms_per_item']:.0f} |")


if __name__ == "__main__":
    ner = "--ner" in sys.argv
    for arg in [a for a in sys.argv[1:] if a != "--ner"]:
        print(row(arg, ner))
