"""A small bilingual corpus used by knowledge and research tests."""

from __future__ import annotations

from pathlib import Path

DOCS = {
    "cards/business-card-terms.md": (
        "# Business Card Terms\n\n"
        "Control number: PRD-7\n\n"
        "## Fees\n\n"
        "| Fee | Amount |\n|---|---|\n| Annual fee | $95 |\n| Late payment fee | $39 |\n\n"
        "A late payment fee of $39 is charged once per missed due date.\n\n"
        "## Waivers\n\n"
        "Requests to waive the late payment fee are decided under the Fee Waiver Policy "
        "(FP-12), which is kept in Japanese.\n"
    ),
    "policies/fee-waiver-fp12.md": (
        "# 手数料減免規程\n\n管理番号：FP-12　所管：業務管理部\n\n"
        "## 第1条（目的）\n\n本規程は、カード手数料の減免の手続きを定める。\n\n"
        "## 第3条（承認者）\n\n延滞手数料の減免は、カード業務部長が承認する。"
        "年間5万円を超える減免は、カード事業本部長の承認を要する。\n"
    ),
    "hr/travel-policy.md": (
        "# Travel Policy\n\n## Hotels\n\nThe nightly hotel limit is $180 in New York and "
        "$150 elsewhere.\n\n## Flights\n\nBusiness class needs approval by the Chief "
        "Financial Officer.\n"
    ),
    "hr/keihi.md": (
        "# 経費精算規程\n\n## 第2条（精算期限）\n\n"
        "立替経費は、支出した月の翌月10日までに経費精算システムで申請する。\n\n"
        "## 第5条（支払）\n\n承認済みの経費は、毎月25日に給与口座へ振り込む。\n"
    ),
}
SJIS = "在宅勤務は月8日までとする。在宅勤務手当は日額200円とする。\n"


def write_docs(root: Path, files: dict[str, str]) -> Path:
    """Write UTF-8 files (relative path -> text) under root/docs; return that folder."""
    docs = root / "docs"
    for rel, text in files.items():
        path = docs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return docs


def write_corpus(root: Path) -> Path:
    """Write the corpus (Markdown, a Shift_JIS text file) under root/docs."""
    docs = write_docs(root, DOCS)
    (docs / "hr" / "zaitaku.txt").write_bytes(SJIS.encode("cp932"))
    return docs
