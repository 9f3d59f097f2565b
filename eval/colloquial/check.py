"""Check the colloquial set: facts verbatim in gold docs, gold docs exist, unique ids."""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIELDS = {"id", "question", "lang", "answer_facts", "gold_docs", "hops", "answerable"}

# The corpus searches that showed each unanswerable question's answer is absent:
# (files under docs/, pattern); any match is reported, so a corpus change is noticed.
ABSENT = {
    "co-ja-u01": [("ja/*.md", r"G4から|G5への|部長への昇格|部長に昇格")],
    "co-ja-u02": [("ja/*.md", r"海外.{0,40}(宿泊|ホテル)|(宿泊|ホテル).{0,40}海外")],
    "co-ja-u03": [("ja/*.md", r"香典|弔慰|供花|慶弔.{0,30}円")],
    "co-ja-u04": [("ja/*.md", r"MX-2000.{0,60}保証|保証.{0,60}MX-2000")],
    "co-ja-u05": [("ja/*.md", r"質量|重量|重さ|kg|トン")],
    "co-ja-u06": [("ja/*.md", r"監査役")],
    "co-ja-u07": [("ja/*.md", r"従業員の個人情報|社員の個人情報|退職者|人事データ")],
    "co-ja-u08": [("ja/*.md", r"(?<!MXシリーズの)合格基準")],
    "co-ja-u09": [("ja/*.md", r"仮払|前払|前渡|概算払")],
    "co-ja-u10": [("ja/*.md", r"レンタカー|レンタル|借上")],
    "co-en-u01": [("en/business_credit_cards_silver_zoom_card_*.md", r"(?i)\blate\b")],
    "co-en-u02": [("en/checking_accounts_purple_account_*.md", r"(?i)paper")],
    "co-en-u03": [
        (
            "en/credit_cards_silver_rewards_card_*.md",
            r"(?i)premium subscription[^\n]{0,80}\$|\$[^\n]{0,40}premium",
        )
    ],
    "co-en-u04": [("en/credit_cards_ecocard_*.md", r"(?i)protection|protected")],
    "co-en-u05": [("en/checking_accounts_purple_account_*.md", r"(?i)overdraft")],
}


def load(set_dir: Path) -> list[dict]:
    """Return the rows of set_dir/questions.jsonl."""
    lines = (set_dir / "questions.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def check(set_dir: Path) -> list[str]:
    """Return one line per problem found in set_dir/questions.jsonl (empty when all is well)."""
    docs = set_dir / "docs"
    problems: list[str] = []
    if not docs.is_dir():
        return [f"{docs} is missing or does not resolve to a folder"]
    rows = load(set_dir)
    for qid, n in Counter(r.get("id") for r in rows).items():
        if n > 1:
            problems.append(f"id {qid!r} occurs {n} times")
    for r in rows:
        qid = r.get("id")
        missing = FIELDS - r.keys()
        if missing:
            problems.append(f"{qid}: missing fields {sorted(missing)}")
            continue
        if r["lang"] not in ("ja", "en"):
            problems.append(f"{qid}: lang {r['lang']!r} is neither ja nor en")
        if not r["answerable"]:
            if r["answer_facts"] or r["gold_docs"]:
                problems.append(f"{qid}: unanswerable but has answer_facts or gold_docs")
            if not r.get("neighbour_note"):
                problems.append(f"{qid}: unanswerable without a neighbour_note")
            if qid not in ABSENT:
                problems.append(f"{qid}: unanswerable without a corpus search in ABSENT")
            for pattern_glob, pattern in ABSENT.get(qid, []):
                paths = sorted(docs.glob(pattern_glob))
                if not paths:
                    problems.append(f"{qid}: no document matches {pattern_glob}")
                for path in paths:
                    hit = re.search(pattern, path.read_text("utf-8"))
                    if hit:
                        rel = path.relative_to(docs)
                        problems.append(f"{qid}: {rel} has {hit.group(0)!r}; is it answerable?")
            continue
        if not r["answer_facts"] or not r["gold_docs"]:
            problems.append(f"{qid}: answerable but answer_facts or gold_docs is empty")
        texts = {}
        for rel in r["gold_docs"]:
            path = (docs / rel).resolve()
            if ".." in Path(rel).parts or not path.is_file():
                problems.append(f"{qid}: gold doc {rel} does not exist under docs/")
            else:
                texts[rel] = path.read_text("utf-8")
        for fact in r["answer_facts"]:
            if not any(fact in t for t in texts.values()):
                problems.append(f"{qid}: fact {fact!r} is not verbatim in any gold doc")
        if r["hops"] not in (1, 2) or (r["hops"] == 2 and len(r["gold_docs"]) < 2):
            problems.append(
                f"{qid}: hops {r['hops']!r}: must be 1, or 2 with at least two gold docs"
            )
    return problems


def summary(set_dir: Path) -> str:
    """Return the counts of the set by language, answerability and hops."""
    rows = load(set_dir)
    c = Counter((r["lang"], r["answerable"], r["hops"]) for r in rows)
    parts = [
        f"{lang} {'answerable' if ok else 'unanswerable'} hops={h}: {n}"
        for (lang, ok, h), n in sorted(c.items())
    ]
    return f"{len(rows)} questions; " + "; ".join(parts)


def main() -> int:
    """Check the set given as the first argument (default: this folder); exit 1 on any problem."""
    set_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    problems = check(set_dir)
    for p in problems:
        print(p)
    print(summary(set_dir))
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
