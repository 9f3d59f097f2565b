"""A product code in the question's background binds product documents, not company rules.

「ZX-100入れて2年のお客さん。訪問修理ってタダ？」 asks about a visit fee the service manual
sets for every machine; the manual names no machine, so the code must not gate it out.
A document about another machine of the line still does not answer for this one.
"""

from __future__ import annotations

from pathlib import Path

from cristal.app import App
from cristal.config import load_settings
from cristal.research import ResearchRequest, run_research

_FAQ_100 = """# ZX-100 よくある質問

株式会社テスト精機　対象：営業部員向け

**Q1. 保証期間は？**
A. 納入検収日から1年間です。

**Q2. 主軸の最高回転数は？**
A. 12,000min⁻¹です。
"""

_MANUAL = """# 顧客対応マニュアル

株式会社テスト精機　管理番号：CS-101

## 1. 受付時間
サポートセンターの受付時間は、平日9:00〜18:00とする。

## 2. 訪問修理
訪問修理の出張費は、保証期間内は無償、保証期間外は1回22,000円（税込）とする。
"""

_FAQ_200 = """# ZX-200 よくある質問

株式会社テスト精機　対象：営業部員向け

**Q1. 訪問修理の出張費は？**
A. ZX-200の訪問修理の出張費は、保証期間外は1回30,000円です。
"""

_QUESTION = "ZX-100入れて2年のお客さん。主軸じゃないとこが壊れたって。訪問修理ってタダ？"


def _research(tmp_path: Path, files: dict[str, str]):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in files.items():
        (docs / name).write_text(text, encoding="utf-8")
    app = App(load_settings(data_dir=str(tmp_path / "data")))
    try:
        report, _ = run_research(app.store, app.gateway,
                                 ResearchRequest(question=_QUESTION, docs=docs))
    finally:
        app.close()
    return report


def test_a_rule_that_names_no_machine_answers_for_the_machine_in_the_background(tmp_path):
    report = _research(tmp_path, {"faq_zx100.md": _FAQ_100, "manual.md": _MANUAL})
    assert not report.not_found
    assert "22,000円" in report.answer
    assert any(x.doc == "manual.md" for c in report.direct for x in c.citations)


def test_another_machine_of_the_line_does_not_answer_for_it(tmp_path):
    report = _research(tmp_path, {"faq_zx100.md": _FAQ_100, "faq_zx200.md": _FAQ_200})
    assert "30,000円" not in report.answer.split("\n\n")[0]  # never the direct answer
    assert report.not_found


def test_codes_are_read_where_japanese_follows_without_a_break():
    from cristal.research._refs import references

    assert references("精算はKR-101に定める期限までに行う。") == ["KR-101"]
    assert references("MX-2200入れて1年半") == ["MX-2200"]
    assert references("製造番号（例：MX22-240123）") == []  # a serial number, no code
