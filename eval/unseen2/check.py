"""Check the unseen2 set: layout, verbatim facts, absent answers, and overlap with older sets."""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUIRED = {"id", "question", "lang", "answer_facts", "gold_docs", "hops", "answerable"}

# The composition the set was written to: (lang, answerable) -> number of questions.
EXPECTED = {("ja", True): 28, ("en", True): 12, ("ja", False): 12, ("en", False): 8}
# Two-hop answerable questions per language.
EXPECTED_TWO_HOP = {"ja": 6, "en": 3}
# A question this similar (0..1, after normalising) to an older one counts as a repeat.
NEAR = 0.9

# Question files of the older sets a question must not repeat (besides sibling sets).
# research-dev lies beside the checkout, in ../shared (absent from a bare clone).
OLDER_SETS = [HERE.parents[2] / "shared" / "eval" / "research-dev" / "questions.jsonl"]

# For each unanswerable question, the searches over docs/ that showed its answer is absent:
# (glob under docs/, regular expression). Any hit is a problem: the corpus may now answer it.
ABSENT: dict[str, list[tuple[str, str]]] = {
    "un2-ja-u01": [
        ("ja/*.md", r"契約社員[^\n]{0,80}(\d+か月|休職期間)"),
        ("ja/*.md", r"(休職期間|\d+か月)[^\n]{0,40}契約社員"),
    ],
    "un2-ja-u02": [("ja/*.md", r"叔父|伯父|叔母|伯母|おじ|おば|甥|姪|いとこ|親族")],
    "un2-ja-u03": [("ja/*.md", r"ドナー|骨髄|臓器|献血|移植")],
    "un2-ja-u04": [
        ("ja/*.md", r"海外[^\n。]{0,30}(\d[\d,]*円|手当)"),
        ("ja/*.md", r"海外赴任手当|海外勤務手当|在外"),
    ],
    "un2-ja-u05": [("ja/*.md", r"土木")],
    "un2-ja-u06": [("ja/*.md", r"見舞|弔慰|上乗せ|付加給付")],
    "un2-ja-u07": [("ja/ja_11_ryokin_kousho.md", r"割引|割り引|台以上|まとめて")],
    "un2-ja-u08": [("ja/*.md", r"(1[3-9]|[2-9]\d)トン|0\.[5-9]\d*㎥|[1-9]\.\d+㎥|20t")],
    "un2-ja-u09": [("ja/ja_14_faq_kitahama.md", r"バイク|オートバイ|原付|原動機|二輪|自動二輪|cc")],
    "un2-ja-u10": [("ja/ja_15_faq_nishimachi.md", r"2台目|二台目|2台|複数台|追加")],
    "un2-ja-u11": [("ja/*.md", r"3LDK|3DK|4LDK|3K")],
    "un2-ja-u12": [("ja/*.md", r"賞与|ボーナス|一時金[^\n。]{0,20}(減|査定)")],
    "un2-en-u01": [
        ("en/*.md", r"(?i)wet hire|operated hire|with (an )?operator|operator (rate|hire|per hour|charge)"),
        ("en/*.md", r"(?i)operator[^\n.]{0,40}AUD"),
    ],
    "un2-en-u02": [
        ("en/damage_waiver_terms.md", r"(?i)Waiver Plus[^\n]{0,80}(28 days|long|reduced)"),
        ("en/damage_waiver_terms.md", r"(?i)(28 days|long hire)[^\n]{0,80}Waiver Plus"),
    ],
    "un2-en-u03": [
        ("en/*.md", r"(?i)project account[^\n]{0,120}(credit )?limit"),
        ("en/*.md", r"(?i)limit[^\n]{0,120}project account"),
    ],
    "un2-en-u04": [("en/*.md", r"(?i)\bstud(y|ies)\b|\bexams?\b|tafe|training leave|professional development")],
    "un2-en-u05": [
        ("en/purchasing_policy.md", r"(?i)monthly|per month|a month|each month|card limit|cycle"),
    ],
    "un2-en-u06": [("en/*.md", r"(?i)heat|temperature|°C|degrees|hot weather|\bUV\b|sun")],
    "un2-en-u07": [
        ("en/privacy_notice.md", r"(?i)(call|recording)s?[^\n]{0,80}(day|month|year)"),
        ("en/privacy_notice.md", r"(?i)\|\s*(call|recording)"),
    ],
    "un2-en-u08": [("en/*.md", r"(?i)\b(9|[1-9]\d)(\.\d)? ?(t|tonne)\b")],
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
        for text in row.get("absent", []):
            for path in sorted(docs.glob("*/*.md")):
                if text.casefold() in path.read_text("utf-8").casefold():
                    rel = path.relative_to(docs)
                    out.append(f"{qid}: absent string {text!r} occurs in {rel}")
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
    if "absent" in row or "neighbour_note" in row:
        out.append(f"{qid}: answerable with an absent list or a neighbour_note")
    if not row["answer_facts"] or not row["gold_docs"]:
        return out + [f"{qid}: answerable but answer_facts or gold_docs is empty"]
    if not 1 <= len(row["answer_facts"]) <= 4:
        out.append(f"{qid}: {len(row['answer_facts'])} facts, want 1 to 4")
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


def normalise(text: str) -> str:
    """Return text folded for comparison: NFKC, case-folded, letters and digits only."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def repeated(set_dir: Path) -> list[str]:
    """Return the questions repeated exactly or nearly (ratio >= NEAR) from another set."""
    seen: list[tuple[str, str]] = []
    exact: dict[str, str] = {}
    for path in other_sets(set_dir):
        for r in read_rows(path):
            where = f"{path.parent.name}:{r.get('id')}"
            norm = normalise(str(r.get("question", "")))
            exact.setdefault(norm, where)
            seen.append((norm, where))
    out = []
    for r in read_rows(set_dir / "questions.jsonl"):
        norm = normalise(r["question"])
        if norm in exact:
            out.append(f"{r['id']}: same question as {exact[norm]}")
            continue
        for other, where in seen:
            matcher = SequenceMatcher(None, norm, other, autojunk=False)
            if matcher.real_quick_ratio() >= NEAR and matcher.quick_ratio() >= NEAR:
                if matcher.ratio() >= NEAR:
                    out.append(f"{r['id']}: nearly the same question as {where}")
                    break
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
