"""Check the unseen set: layout, verbatim facts, absent answers, and overlap with older sets."""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUIRED = {"id", "question", "lang", "answer_facts", "gold_docs", "hops", "answerable"}

# The composition the set was written to: (lang, answerable) -> number of questions.
EXPECTED = {("ja", True): 30, ("en", True): 10, ("ja", False): 12, ("en", False): 6}
# Two-hop answerable questions per language.
EXPECTED_TWO_HOP = {"ja": 6, "en": 2}

# Question files of the older sets a question must not repeat (besides sibling sets).
# research-dev lies beside the checkout, in ../shared (absent from a bare clone).
OLDER_SETS = [HERE.parents[2] / "shared" / "eval" / "research-dev" / "questions.jsonl"]

# For each unanswerable question, the searches over docs/ that showed its answer is absent:
# (glob under docs/, regular expression). Any hit is a problem: the corpus may now answer it.
ABSENT: dict[str, list[tuple[str, str]]] = {
    "un-ja-u01": [
        ("ja/*.md", r"役員[^\n|]{0,40}\d[\d,]*円"),
        ("ja/*.md", r"\|\s*役員"),
        ("ja/*.md", r"役員[^\n。]{0,20}日当|日当[^\n。]{0,20}役員"),
    ],
    "un-ja-u02": [("ja/*.md", r"不妊|妊活|生殖補助|治療のための休暇|通院休暇")],
    "un-ja-u03": [
        ("ja/*.md", r"結婚休暇|慶弔休暇[^\n。]{0,30}\d+日|特別休暇"),
        ("ja/*.md", r"結婚[^\n。]{0,20}\d+日(間)?(の)?休"),
    ],
    "un-ja-u04": [("ja/ja_05_shataku.md", r"駐車|車庫|駐輪|車両")],
    "un-ja-u05": [("ja/*.md", r"宿直|日直|当直|夜勤手当")],
    "un-ja-u06": [
        ("ja/*.md", r"機種変更|機種の変更|買い替え|買替|端末の更新|更新周期|リプレース"),
        ("ja/ja_08_it_riyou.md", r"\d+年(ごと|毎|おき)|交換|更新"),
    ],
    "un-ja-u07": [("ja/*.md", r"報奨|謝礼|褒賞|表彰|報酬|お礼")],
    "un-ja-u08": [("ja/ja_10_anzen_eisei.md", r"配偶者|家族|扶養|妻|夫")],
    "un-ja-u09": [
        ("ja/*.md", r"安曇野[^\n]{0,80}見学|見学[^\n]{0,80}安曇野"),
        ("ja/*.md", r"見学[^\n。]{0,40}(全工場|各工場|両工場)"),
    ],
    "un-ja-u10": [
        ("ja/ja_14_faq_s300.md", r"重量|重さ|kg|キロ"),
        ("ja/ja_12_recall_henpin.md", r"重量|重さ|kg|キロ"),
        ("ja/*.md", r"S-300[^\n]{0,60}(重量|kg)"),
    ],
    "un-ja-u11": [
        ("ja/ja_13_faq_s200.md", r"レンタル|月額|リース"),
        ("ja/ja_12_recall_henpin.md", r"レンタル|月額"),
        ("ja/*.md", r"S-200[^\n]{0,60}(レンタル|月額)"),
    ],
    "un-ja-u12": [
        ("ja/*.md", r"メール[^\n。]{0,40}(保存|保管|年)"),
        ("ja/*.md", r"(保存|保管)[^\n。]{0,40}メール"),
    ],
    "un-en-u01": [
        ("en/plan_home_basic.md", r"(?i)saniti[sz]|technician|cleaning visit|visit"),
        ("en/dispenser_warranty_returns.md", r"(?i)saniti[sz]|technician|cleaning"),
        ("en/delivery_account_faq.md", r"(?i)saniti[sz]|technician|cleaning"),
    ],
    "un-en-u02": [("en/*.md", r"(?i)refurbish|second[- ]hand|pre-owned|used (dispenser|unit)s?")],
    "un-en-u03": [("en/*.md", r"(?i)\bgym|fitness|wellness|health screening|sports")],
    "un-en-u04": [("en/*.md", r"(?i)australia|sydney|melbourne|perth|brisbane")],
    "un-en-u05": [
        ("en/plan_home_plus.md", r"(?i)(additional|extra) bottles?|per bottle|SGD 9\.50|bottle price"),
        ("en/delivery_account_faq.md", r"(?i)(additional|extra) bottles?|per bottle|SGD 9\.50"),
    ],
    "un-en-u06": [
        ("en/*.md", r"(?i)transfer|hand (it )?over|someone else|another person|new (owner|occupant)"),
    ],
}


def read_rows(path: Path) -> list[dict]:
    """Return the JSON objects of a JSONL file, one per non-empty line."""
    lines = path.read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def row_problems(row: dict, docs: Path) -> list[str]:
    """Return the problems of one question row against the documents under docs."""
    qid = row.get("id")
    missing = REQUIRED - row.keys()
    if missing:
        return [f"{qid}: missing fields {sorted(missing)}"]
    out: list[str] = []
    if row["lang"] not in ("ja", "en"):
        out.append(f"{qid}: lang {row['lang']!r} is neither ja nor en")
    if row["hops"] not in (1, 2):
        out.append(f"{qid}: hops {row['hops']!r} is neither 1 nor 2")
    if not row["answerable"]:
        if row["answer_facts"] or row["gold_docs"]:
            out.append(f"{qid}: unanswerable but answer_facts or gold_docs is not empty")
        if not str(row.get("neighbour_note", "")).strip():
            out.append(f"{qid}: unanswerable without a neighbour_note")
        if qid not in ABSENT:
            out.append(f"{qid}: unanswerable without a corpus search in ABSENT")
        for pattern_glob, pattern in ABSENT.get(qid, []):
            paths = sorted(docs.glob(pattern_glob))
            if not paths:
                out.append(f"{qid}: no document matches {pattern_glob}")
            for path in paths:
                hit = re.search(pattern, path.read_text("utf-8"))
                if hit:
                    rel = path.relative_to(docs)
                    out.append(f"{qid}: {rel} has {hit.group(0)!r}; is it answerable now?")
        return out
    if not row["answer_facts"] or not row["gold_docs"]:
        return out + [f"{qid}: answerable but answer_facts or gold_docs is empty"]
    if not 1 <= len(row["answer_facts"]) <= 3:
        out.append(f"{qid}: {len(row['answer_facts'])} facts, want 1 to 3")
    if row["hops"] == 2 and len(row["gold_docs"]) < 2:
        out.append(f"{qid}: two hops need at least two gold docs")
    if row["hops"] == 1 and len(row["gold_docs"]) != 1:
        out.append(f"{qid}: one hop with {len(row['gold_docs'])} gold docs")
    texts: dict[str, str] = {}
    for rel in row["gold_docs"]:
        path = docs / rel
        if ".." in Path(rel).parts or not path.is_file():
            out.append(f"{qid}: gold doc {rel} does not exist under docs/")
            continue
        if Path(rel).parts[0] != row["lang"]:
            out.append(
                f"{qid}: a {row['lang']} question with gold doc {rel} outside {row['lang']}/"
            )
        texts[rel] = path.read_text("utf-8")
    for fact in row["answer_facts"]:
        if not any(fact in text for text in texts.values()):
            out.append(f"{qid}: fact {fact!r} is not verbatim in any gold doc")
    if row["hops"] == 1:
        for rel, text in texts.items():
            if not any(fact in text for fact in row["answer_facts"]):
                out.append(f"{qid}: one-hop gold doc {rel} holds none of the facts")
    return out


def set_problems(set_dir: Path) -> list[str]:
    """Return every problem of the set in set_dir (empty when all is well)."""
    docs = set_dir / "docs"
    if not docs.is_dir():
        return [f"{docs} is missing or does not resolve to a folder"]
    rows = read_rows(set_dir / "questions.jsonl")
    out = [
        f"id {q!r} occurs {n} times" for q, n in Counter(r.get("id") for r in rows).items() if n > 1
    ]
    for row in rows:
        out.extend(row_problems(row, docs))
    extra = set(ABSENT) - {r.get("id") for r in rows if r.get("answerable") is False}
    out.extend(f"ABSENT names {q}, which is not an unanswerable question" for q in sorted(extra))
    got = Counter((r.get("lang"), r.get("answerable")) for r in rows)
    for key, want in EXPECTED.items():
        if got[key] != want:
            out.append(
                f"{key[0]} {'answerable' if key[1] else 'unanswerable'}: {got[key]}, want {want}"
            )
    two = Counter(r.get("lang") for r in rows if r.get("answerable") and r.get("hops") == 2)
    for lang, want in EXPECTED_TWO_HOP.items():
        if two[lang] != want:
            out.append(f"{lang} two-hop answerable: {two[lang]}, want {want}")
    return out


def other_sets(set_dir: Path) -> list[Path]:
    """Return the older question files: sibling sets under eval/ and research-dev."""
    found = [p for p in sorted(set_dir.parent.glob("*/questions.jsonl")) if p.parent != set_dir]
    return found + [p for p in OLDER_SETS if p.is_file()]


def repeated(set_dir: Path) -> list[str]:
    """Return the questions repeated verbatim (whitespace aside) from another set."""
    seen: dict[str, str] = {}
    for path in other_sets(set_dir):
        for r in read_rows(path):
            where = f"{path.parent.name}:{r.get('id')}"
            seen.setdefault(" ".join(str(r.get("question", "")).split()), where)
    out = []
    for r in read_rows(set_dir / "questions.jsonl"):
        text = " ".join(r["question"].split())
        if text in seen:
            out.append(f"{r['id']}: same question as {seen[text]}")
    return out


def summary(set_dir: Path) -> str:
    """Return the counts of the set by language, answerability and hops."""
    c = Counter(
        (r["lang"], r["answerable"], r["hops"]) for r in read_rows(set_dir / "questions.jsonl")
    )
    parts = [
        f"{lang} {'answerable' if ok else 'unanswerable'} hops={h}: {n}"
        for (lang, ok, h), n in sorted(c.items())
    ]
    return f"{sum(c.values())} questions; " + "; ".join(parts)


def main() -> int:
    """Check the set (first argument, default this folder); exit 1 on any problem."""
    set_dir = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else HERE
    problems = set_problems(set_dir)
    others = other_sets(set_dir)
    if not problems:
        problems.extend(repeated(set_dir))
    for line in problems:
        print(line)
    print(f"compared with {len(others)} older question files")
    print(summary(set_dir))
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
