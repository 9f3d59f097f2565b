"""Issue 18, second pass: what a question asks about, comparisons, feedback terms, names."""

from __future__ import annotations

import pytest

from cristal.knowledge import Passage
from cristal.knowledge.ja import noun_spans
from cristal.research._feedback import feedback_terms
from cristal.research._focus import focus, focus_excluded
from cristal.research._names import _written_as_name


@pytest.mark.parametrize(("question", "answer_type", "expected"), [
    ("本体の重さどれくらい？", "amount", "重さ"),
    ("ホテル代っていくら？", "amount", "ホテル代"),
    ("役職手当って月いくら？", "amount", "役職手当"),  # past the unit 月
    ("何が条件？", "general", "条件"),
    ("仮払いってしてもらえる？", "yesno", "仮払い"),
    # The kind of answer asked for is not what the question is about: 「3年ごと」 answers.
    ("反社チェックは登録後どれくらいの間隔でやり直しますか？", "time", None),
    # 「会社のどこ」 asks for a place within the company (総務部), not about the company.
    ("事故のあと会社のどこに連絡すればいいですか？", "person", None),
    ("警察に連絡したあと、社内はどこに電話すればいい？", "person", None),  # 社内: a scope
    ("稟議って誰の決裁まで回せばいい？", "person", "決裁"),  # whose approval
    ("不具合報告書（QA-F07）って何年保管しとくの？", "count", "不具合報告書"),  # past the gloss
    ("What's the late fee on the Silver Zoom Card?", "amount", "late fee"),
    ("What is the daily outbound limit?", "amount", "daily outbound limit"),
    ("How much can I deposit?", "amount", None),  # the kind used as a verb
    # What a charge is for, and what a yes/no question asks is included.
    ("do i get charged for paper statements on my Purple account?", "amount",
     "paper statements"),
    ("Is there a fee for outgoing wires?", "amount", "outgoing wires"),
    ("does the EcoCard come with purchase protection?", "yesno", "purchase protection"),
    ("does my plan include it?", "yesno", None),  # a pronoun names nothing
    # Either of two things answers: neither alone is what must be carried.
    ("Does the Gold card offer lounge access or travel insurance?", "yesno", None),
    # An amount per something other than time is an amount of that thing.
    ("how much per claim?", "amount", "claim"),
    ("how much do I get per referral?", "amount", "referral"),
    ("how much per month is it?", "amount", None),
    # A time during something says when, not what (「休み中」 of 「自己負担って、休み中は」).
    ("社宅の自己負担って、休み中はどうなるんですか？", "general", "自己負担"),
    ("what's that gonna cost me to fix?", "amount", "cost"),  # gonna is no part of the fee
    ("how much do you charge for a technician to come sanitise it?", "amount", "technician"),
    # What a yes/no question asks is covered, reimbursed or got with something.
    ("does the office reimburse gym memberships or anything wellness-y?", "yesno",
     "gym memberships"),  # a vague tail is no second thing asked about
    ("does the plan cover accidental damage?", "yesno", "accidental damage"),
    ("do i get travel insurance with the gold card?", "yesno", "travel insurance"),
])
def test_the_focus_is_the_thing_asked_about(question, answer_type, expected):
    lang = "en" if question.isascii() else "ja"
    assert focus(question, lang, answer_type) == expected


def test_what_a_question_sets_aside_is_its_contrast():
    assert focus_excluded("MXシリーズ以外の機械も修理してもらえますか？") == "MXシリーズ"
    assert focus_excluded("Which cards other than the Gold Card have no fee?") == "Gold Card"
    assert focus_excluded("ゴールドカードの年会費は？") is None


def test_noun_phrases_join_codes_and_suffixes():
    text = "MX-2200の重さとお客さんの人事データ"
    phrases = [text[a:b] for a, b in noun_spans(text)]
    assert "MX-2200" in phrases and "重さ" in phrases and "人事データ" in phrases


def test_a_gathering_before_tte_stays_one_noun():
    # Sudachi reads 「歓送迎会って」 as 歓送迎 + 会う: the 会 of a gathering, not "to meet".
    text = "部署の歓送迎会って、会社から補助出る？研修会っていつ？お客さんに会って話す"
    phrases = [text[a:b] for a, b in noun_spans(text)]
    assert "歓送迎会" in phrases and "研修会" in phrases
    assert phrases[-1] == "お客さん"  # 「お客さんに会って」: 会って is to meet
    text = "課長と部長の日当っていくら？出張行ってきた"  # 当っ+て read as 当たる
    phrases = [text[a:b] for a, b in noun_spans(text)]
    assert "日当" in phrases and "出張" in phrases and "出張行" not in phrases


def _passage(chunk: int, doc: str, text: str, title: str | None = None) -> Passage:
    return Passage(chunk_id=chunk, document_id=doc, doc=f"{doc}.md", title=title, lang="ja",
                   text=text, start=0, end=len(text), page=None, heading_path=())


def test_feedback_takes_words_the_top_documents_share():
    top = [
        _passage(1, "a", "在宅勤務の予定は勤怠システムに登録する。在宅勤務は週2日まで。"),
        _passage(2, "a", "同じ文書の別の箇所。"),  # one passage per document is read
        _passage(3, "b", "在宅勤務の日は勤怠システムで打刻する。"),
        _passage(4, "c", "出張の精算は経費システムで行う。"),
    ]
    terms = feedback_terms(top, {"在宅"}, lambda ts: {t: 1.0 for t in ts}, documents=2)
    assert "勤怠" in terms and "勤務" in terms
    assert "登録" not in terms and "精算" not in terms  # one document's own words
    assert feedback_terms([], set(), lambda ts: {}) == []


def test_a_word_the_collection_capitalises_is_a_name():
    found = [_passage(i, f"d{i}", f"Open a Purple Account today. The Purple Account has "
                      f"no fee. A late fee applies ({i}).") for i in range(3)]
    assert _written_as_name("purple", found)
    assert not _written_as_name("late", found)
    assert not _written_as_name("fee", found)
