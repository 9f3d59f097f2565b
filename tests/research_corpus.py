"""A small corpus for the answerability tests: colloquial wording, neighbours, tables."""

from __future__ import annotations

from pathlib import Path

from corpus import write_docs
from cristal.app import App
from cristal.config import load_settings
from cristal.research import ResearchRequest, run_research

DOCS = {
    "security.md": (
        "# 情報セキュリティ規程\n\n管理番号：IS-9\n\n"
        "## 第5条（インシデント報告）\n\n"
        "貸与端末の紛失または盗難を認知した場合は、1時間以内にヘルプデスク（内線4400）へ報告する。\n\n"
        "## 第6条（教育）\n\n全従業員は毎年6月にeラーニングを受講する。\n"
    ),
    "retire.md": (
        "# 就業規則（抄）\n\n## 第20条（退職の手続）\n\n"
        "退職を希望する者は、退職予定日の1か月前までに退職届を人事部へ提出する。\n\n"
        "## 第21条（貸与品の返却）\n\n退職時は社員証と貸与品を返却する。\n"
    ),
    "travel.md": (
        "# 出張旅費規程\n\n## 第1条（適用範囲）\n\n本規程は国内出張に適用する。"
        "海外出張については別に定める。\n\n"
        "## 第4条（宿泊料）\n\n宿泊料の上限は1泊12,000円とする。\n\n"
        "## 別表 国内出張日当\n\n| 職位 | 日当 |\n|---|---|\n| 部長 | 3,500円 |\n"
        "| 課長 | 3,000円 |\n| 一般職 | 2,000円 |\n"
    ),
    "cards.md": (
        "# Silver Card Terms\n\n## Fees\n\n"
        "The Silver Card has an annual fee of $95.\n\n"
        "A late payment fee of $39 is charged once per missed due date.\n"
    ),
    "gold.md": (
        "# Gold Savings Account\n\n## Rates\n\n"
        "The Gold Savings Account pays a base rate of 4.1% APY.\n"
    ),
}


def write_quality_corpus(root: Path) -> Path:
    """Write the corpus under root/docs and return that folder."""
    return write_docs(root, DOCS)


def research_over(root: Path, files: dict[str, str]):
    """Write `files` to root/docs and open an App under root: (ask, app), where
    ask(question) researches offline over those files. The caller closes the app."""
    docs = root / "docs"
    docs.mkdir(exist_ok=True)
    for name, text in files.items():
        (docs / name).write_text(text, encoding="utf-8")
    app = App(load_settings(data_dir=str(root / "data")))

    def ask(question: str):
        return run_research(app.store, app.gateway,
                            ResearchRequest(question=question, docs=docs))[0]

    return ask, app
