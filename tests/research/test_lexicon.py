"""The synonym lexicon: built-in groups, contrast sets, company files from the config."""

from __future__ import annotations

import pytest

from cristal.app import App
from cristal.config import load_settings
from cristal.errors import ConfigError
from cristal.knowledge import query_terms
from cristal.research import ResearchRequest, run_research
from cristal.research._lexicon import load_lexicon
from cristal.research._terms import canonical
from research_corpus import write_quality_corpus


def _terms(text: str) -> set[str]:
    return {canonical(t) for t in query_terms(text)}


def test_builtin_groups_relate_colloquial_and_written_words():
    lexicon = load_lexicon()
    alternatives = lexicon.alternatives(_terms("会社のPCが壊れた"))
    assert frozenset({"貸与", "端末"}) in alternatives["pc"]
    assert frozenset({"故障"}) in alternatives["壊れる"]
    assert "退職" in lexicon.expansion(_terms("辞めるときは"))
    assert "在宅勤務" in lexicon.expansion(_terms("work from home"))  # across languages
    expanded = lexicon.expansion(_terms("まだ付き合いのない町工場に頼みたい"))
    assert "取引先" in expanded and "新規取引先" in expanded
    assert "不当要求" in lexicon.expansion(_terms("無茶な要求されて怖い"))
    expanded = lexicon.expansion(_terms("家のネット代とか電気代って請求できる？"))
    assert "通信費" in expanded and "光熱費" in expanded
    assert "暗号化" in lexicon.expansion(_terms("ZIPのパスワード"))
    assert {"反社会的勢力", "取引契約"} <= set(lexicon.expansion(_terms("反社対策で契約書に")))
    assert "航空機" in lexicon.expansion(_terms("飛行機ってビジネス取っていい？"))
    assert "生成ai" in lexicon.expansion(_terms("チャットGPTに貼っていい？"))
    assert "社宅使用料" in lexicon.expansion(_terms("社宅の自己負担って"))


def test_contrast_names_the_value_asked_and_the_one_found():
    lexicon = load_lexicon()
    assert lexicon.contrast(_terms("海外出張の日当"), _terms("国内出張日当 | 課長 | 3,000円")) \
        == ("海外", "国内")
    assert lexicon.contrast(_terms("What is the annual fee?"), _terms("Late fee: $39")) \
        == ("annual fee", "late fee")
    assert lexicon.contrast(_terms("国内出張の日当"), _terms("国内出張日当 | 課長")) is None
    assert lexicon.contrast(_terms("日当はいくら"), _terms("国内出張日当")) is None


def test_company_file_extends_the_lexicon_through_the_config(tmp_path):
    words = tmp_path / "company-words.txt"
    words.write_text("# our words\nミナトパス, 社員証\n", encoding="utf-8")
    docs = write_quality_corpus(tmp_path)
    app = App(load_settings(data_dir=str(tmp_path / "data"),
                            research={"lexicon": [str(words)]}))
    try:
        report, _ = run_research(app.store, app.gateway, ResearchRequest(
            question="退職するときミナトパスはどうすればいい？", docs=docs, embed=False))
        assert any("社員証" in step for s in report.sub_questions for step in s.steps)
        assert "社員証と貸与品を返却する" in report.answer
    finally:
        app.close()


def test_a_broken_company_file_says_which_line(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("PC, パソコン\nひとつだけ\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.txt:2: a synonym group needs at least two"):
        load_lexicon([bad])
    with pytest.raises(ConfigError, match="cannot be read"):
        load_lexicon([tmp_path / "missing.txt"])


def test_places_abroad_are_values_of_a_slot_not_names():
    lexicon = load_lexicon()
    assert lexicon.is_value("singapore") and lexicon.is_value("シンガポール")
    assert lexicon.is_value("海外") and not lexicon.is_value("gold")
    # 「シンガポール出張」 names the 海外 value of the domestic/international slot.
    assert lexicon.values({"シンガポール", "出張"}) == lexicon.values({"海外"})
