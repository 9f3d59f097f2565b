"""Issue 18: meaning before words, honest "only a neighbour", and a direct answer first.

Offline (extractive) research on a small corpus, real SQLite, real embeddings.
"""

from __future__ import annotations

import pytest

from cristal.app import App
from cristal.config import load_settings
from cristal.research import ResearchRequest, render_html, run_research
from research_corpus import write_quality_corpus


@pytest.fixture(scope="module")
def quality(tmp_path_factory):
    root = tmp_path_factory.mktemp("quality")
    docs = write_quality_corpus(root)
    app = App(load_settings(data_dir=str(root / "data")))
    yield app, docs
    app.close()


def _ask(quality, question: str):
    app, docs = quality
    report, _ = run_research(app.store, app.gateway, ResearchRequest(question=question,
                                                                      docs=docs))
    return report, docs


def _quotes_stand_in_files(docs, citations) -> None:
    assert citations
    for cite in citations:
        text = (docs / cite["doc"]).read_text(encoding="utf-8")
        assert text[cite["start"]:cite["end"]] == cite["quote"]


def test_colloquial_words_find_the_rule_that_uses_other_words(quality):
    # No document says PC or なくす: the lexicon relates them to 貸与端末 and 紛失.
    report, _ = _ask(quality, "会社のPCなくしちゃった。どこに連絡すればいい？")
    assert not report.not_found
    assert "内線4400" in report.answer and "1時間以内" in report.answer


def test_quitting_finds_the_resignation_procedure(tmp_path):
    # Without vectors only the lexicon relates 辞める to 退職.
    app = App(load_settings(data_dir=str(tmp_path / "data")))
    try:
        report, _ = run_research(app.store, app.gateway, ResearchRequest(
            question="辞めるときは、いつまでに何を出せばいいですか？",
            docs=write_quality_corpus(tmp_path), embed=False))
    finally:
        app.close()
    assert not report.not_found
    assert "1か月前" in report.answer and "退職届" in report.answer


@pytest.mark.parametrize(("question", "asked", "found"), [
    ("海外出張の日当はいくらですか？", "海外", "国内"),
    ("取締役の出張日当はいくらですか？", "取締役", "部長"),
])
def test_another_value_of_the_slot_is_a_neighbour_not_the_answer(quality, question, asked,
                                                                  found):
    report, docs = _ask(quality, question)
    data = report.to_contract()
    assert report.not_found and report.claims == []
    neighbour = data["neighbour"]
    assert (neighbour["kind"], neighbour["asked"], neighbour["found"]) == (
        "contrast", asked, found)
    assert report.answer.startswith(
        f"{found}についての記載はありますが、{asked}については見つかりませんでした")
    _quotes_stand_in_files(docs, neighbour["citations"])


@pytest.mark.parametrize("question", [
    "海外出張の宿泊料の上限はいくらですか？",
    # No 海外 in the question: a country or city abroad is the value asked (the
    # lexicon's contrast set), with or without the question's own words for 宿泊料.
    "シンガポール出張のホテル代の上限はいくらですか？",
    "来月シンガポールに出張します。宿泊費はいくらまで出ますか？",
])
def test_a_case_the_document_refers_elsewhere_is_a_neighbour(quality, question):
    report, docs = _ask(quality, question)
    neighbour = report.to_contract()["neighbour"]
    assert report.not_found and neighbour["kind"] == "excluded"
    assert any("海外出張については別に定める" in c["quote"] for c in neighbour["citations"])
    _quotes_stand_in_files(docs, neighbour["citations"])


def test_a_sibling_product_does_not_answer(quality):
    # The Silver Card's annual fee is no answer for the Gold Card (Gold names a savings
    # account only).
    report, _ = _ask(quality, "What is the annual fee of the Gold Card?")
    assert report.not_found
    assert "$95" not in report.answer.split("Closest passage")[0]


def test_the_answer_leads_with_the_sentence_that_answers(quality):
    report, docs = _ask(quality, "What is the late payment fee of the Silver Card?")
    first = report.answer.splitlines()[0]
    assert first.startswith("**Answer:** A late payment fee of $39")
    _quotes_stand_in_files(docs, report.to_contract()["direct"][0]["citations"])
    page = render_html(report)
    assert "<p class='direct'><strong>Answer:</strong> A late payment fee of $39" in page


def test_a_table_row_leads_with_its_column_names(quality):
    report, docs = _ask(quality, "課長の国内出張の日当はいくらですか？")
    assert not report.not_found
    assert report.answer.splitlines()[0].startswith("**回答:** 職位: 課長 · 日当: 3,000円")
    direct = report.to_contract()["direct"][0]["citations"]
    assert direct[0]["quote"] == "| 課長 | 3,000円 |"
    _quotes_stand_in_files(docs, direct)


def test_a_glossed_name_finds_the_other_language_without_vectors(tmp_path):
    # Right after ingest, before vectors: the English gloss is all that can match the
    # English card terms for a Japanese question.
    app = App(load_settings(data_dir=str(tmp_path / "data")))
    try:
        report, _ = run_research(app.store, app.gateway, ResearchRequest(
            question="シルバーカード（Silver Card）の年会費はいくらですか？",
            docs=write_quality_corpus(tmp_path), embed=False))
    finally:
        app.close()
    assert not report.not_found and "$95" in report.answer.splitlines()[0]


def test_a_name_typed_in_lower_case_is_still_the_name(quality):
    # The corpus writes "Silver Card" with capitals: the lower-case question means it.
    report, _ = _ask(quality, "whats the late payment fee on the silver card")
    assert not report.not_found
    assert report.answer.splitlines()[0].startswith("**Answer:** A late payment fee of $39")


def test_a_fee_the_documents_do_not_give_is_not_answered_by_another_fee(quality):
    # The Silver Card's annual and late fees are there; a foreign transaction fee is not.
    report, _ = _ask(quality, "What is the foreign transaction fee of the Silver Card?")
    assert report.not_found
    assert "$95" not in report.answer.split("Closest passage")[0]


@pytest.mark.parametrize(("question", "found"), [
    # The second part names no card: it asks about the Gold Card, which has no late fee
    # in these documents (only the Silver Card has), so the Silver fee is no answer.
    ("Does the Gold Card have an annual fee? And how much is the late payment fee?",
     [False, False]),
    # Lent the Silver Card, the same part is answered from the Silver Card's terms.
    ("What is the annual fee of the Silver Card, and how much is the late payment fee?",
     [True, True]),
])
def test_a_part_that_names_nothing_is_about_the_product_named_before(tmp_path, question,
                                                                     found):
    app = App(load_settings(data_dir=str(tmp_path / "data")))
    try:  # lexical only: the test is about names, not about cross-lingual meaning
        report, _ = run_research(app.store, app.gateway, ResearchRequest(
            question=question, docs=write_quality_corpus(tmp_path), embed=False))
    finally:
        app.close()
    assert [s.found for s in report.sub_questions] == found
    assert report.sub_questions[1].lent == [("the Gold Card" if not found[0]
                                             else "the Silver Card")]
    assert ("$39" in report.answer) == found[1]


def test_a_name_the_question_glosses_is_not_absent_when_its_gloss_is_there(tmp_path):
    from corpus import write_docs
    from cristal.governance import get_tenant
    from cristal.knowledge import get_collection
    from cristal.research._search import SearchState
    from cristal.research._types import SubQuestion

    docs = write_docs(tmp_path, {"minutes.md": (
        "# 品質審査会 議事録\n\n審議の結果、プロジェクト・ロータス601の予算として2,435,000円を"
        "承認した。\n"), "board.md": "# Review board\n\nThe board approves project budgets.\n"})
    app = App(load_settings(data_dir=str(tmp_path / "data")))
    try:
        question = ("What budget did the board approve for Project Lotus 601 "
                    "(プロジェクト・ロータス601)?")
        report, _ = run_research(app.store, app.gateway, ResearchRequest(
            question=question, docs=docs, embed=False))
        tenant = get_tenant(app.store, "default")
        state = SearchState(app.store, app.gateway,
                            get_collection(app.store, tenant, report.collection), tenant.name,
                            10, "test")

        def absent(text: str) -> list[str]:
            return state.absent_subject(SubQuestion(id="q1", text=text, query=text))

        # The documents use the Japanese name the question gives in brackets.
        assert absent(question) == []
        assert "Project Lotus 601" in absent(
            "What budget did the board approve for Project Lotus 601?")
        # A gloss no document uses does not vouch for the name.
        assert "Project Lotus 601" in absent(
            "What budget did the board approve for Project Lotus 601 (ロータス計画)?")
    finally:
        app.close()
    # "budget" asks for an amount, even with "approve" in the question.
    assert report.sub_questions[0].answer_type == "amount"
    assert "2,435,000円" in report.answer


_RECORDS = " ".join(f"Records of type {i} are kept in WorkDesk for {i + 2} years."
                    for i in range(40))
_ACROSS = {
    "en/procurement.md": (
        "# Procurement Policy\n\nShirasagi Construction Co., Ltd. (株式会社白鷺建設)\n\n"
        f"## 1. Purpose\n\nThis document sets out the rules on purchase orders. {_RECORDS}\n\n"
        f"## 2. Records\n\n{_RECORDS}\n\n"
        "## 3. Approval authority\n\nApproval of purchase orders above ¥8,929,000 is "
        "reserved to the Department Head.\n"),
    "en/travel.md": (
        "# Travel Policy\n\nShirasagi Construction Co., Ltd. (株式会社白鷺建設)\n\n"
        f"## 1. Records\n\n{_RECORDS}\n\n"
        "## 2. Approval\n\nApproval of overseas business trips above ¥3,144,000 is reserved "
        "to the Managing Director.\n"),
    "ja/設備.md": (
        "# 設備投資規程\n\n株式会社白鷺建設（Shirasagi Construction Co., Ltd.）\n\n"
        "## 第1条\n\n設備投資が2,571,000円を超える場合は、常務取締役の承認を要する。\n"),
}


def test_without_vectors_the_glossed_document_in_the_other_language_is_read(tmp_path):
    # Only the English policy's first lines carry the names the question glosses; the
    # answer, three sections down, shares no word with the Japanese question but those
    # the lexicon writes in English (発注 → purchase, 承認 → approval).
    from corpus import write_docs

    app = App(load_settings(data_dir=str(tmp_path / "data")))
    try:
        report, _ = run_research(app.store, app.gateway, ResearchRequest(
            question="株式会社白鷺建設（Shirasagi Construction Co., Ltd.）の購買管理規程"
                     "（Procurement Policy）では、発注はいくらを超えると特別な承認が必要ですか？",
            docs=write_docs(tmp_path, _ACROSS), embed=False))
    finally:
        app.close()
    assert not report.not_found
    assert report.answer.startswith("**回答:** Approval of purchase orders above ¥8,929,000")
    [sub] = report.sub_questions
    assert "Co., Ltd." in sub.text  # the gloss's comma is no clause break
    assert any(step.startswith("read ") and "en/procurement.md" in step for step in sub.steps)
    _quotes_stand_in_files(tmp_path / "docs", report.to_contract()["direct"][0]["citations"])


def test_who_is_asking_is_not_a_name_the_evidence_must_carry(tmp_path):
    # 「CSです。」 says who asks; CS (a code in the customer-service manual) is no subject
    # the quality-assurance rule must name.
    from corpus import write_docs

    docs = write_docs(tmp_path, {
        "品質保証.md": ("# 品質保証規程\n\n## 第3条（不具合の判定）\n\n"
                      "品質保証部は受付から2営業日以内に不具合の重要度を判定する。\n"),
        "顧客対応.md": ("# 顧客対応規程（CS-701）\n\n## 第2条\n\n"
                      "顧客からのクレームは当日中に記録する。\n"),
        # Enough other rules that CS is a rare, name-like word of the collection.
        **{f"規程{i}.md": f"# 規程{i}\n\n## 第1条\n\n申請{i}は部長が{i + 1}日以内に承認する。\n"
           for i in range(30)},
    })
    app = App(load_settings(data_dir=str(tmp_path / "data")))
    try:
        for asker in ("CSです。", "経理の者です。"):
            report, _ = run_research(app.store, app.gateway, ResearchRequest(
                question=f"{asker}不具合を品証に上げたら、重要度っていつまでに決まりますか？",
                docs=docs))
            assert not report.not_found, asker
            assert "2営業日以内" in report.answer.splitlines()[0], asker
    finally:
        app.close()


def test_a_list_item_is_quoted_with_the_items_indented_under_it(tmp_path):
    # The item names the error; what to do about it is the item indented under it.
    from corpus import write_docs

    docs = write_docs(tmp_path, {"errors.md": (
        "# Error codes\n\n## Account errors\n\n"
        "- Error 429 — Too many attempts\n"
        "  - Recommend waiting before retrying.\n"
        "- Error 903 — Account closure request blocked\n"
        "  - This can occur when closing an account. Ask the customer to wait 48 hours.\n\n"
        "## If errors persist\n\n- Capture screenshots.\n- Verify the app version.\n")})
    app = App(load_settings(data_dir=str(tmp_path / "data")))
    try:
        report, _ = run_research(app.store, app.gateway, ResearchRequest(
            question="I get error 903 when closing my account. What should I do?",
            docs=docs))
    finally:
        app.close()
    assert not report.not_found
    quotes = [c["quote"] for claim in report.to_contract()["claims"] for c in claim["citations"]]
    assert any(q.startswith("Error 903") and q.endswith("wait 48 hours.") for q in quotes)
    assert not any("Error 429" in q or "Capture" in q for q in quotes if "903" in q)
    _quotes_stand_in_files(docs, [c for claim in report.to_contract()["claims"]
                                  for c in claim["citations"]])


@pytest.mark.parametrize(("text", "counts"), [
    ("(株式会社シーダーシステムズ) · Customer Support · Last updated 12 August 2021", False),
    ("施行日：2020年6月1日", False),
    ("Updated on August 12, 2021", False),
    ("耐用年数は5年とする。", True),
    ("The useful life is 7 years.", True),
])
def test_a_calendar_date_is_no_count(text, counts):
    # A byline's date once answered 「法定耐用年数は何年ですか？」 across languages.
    from cristal.research._evidence import has_answer_cue

    assert has_answer_cue(text, "count") is counts


@pytest.mark.parametrize(("text", "amount"), [
    ("Repair: a flat fee of SGD 80.", True),
    ("The bond is AUD 500 per hire.", True),
    ("Fees are 120 EUR a year.", True),
    ("Model SW-20 ships in a box of 80.", False),
])
def test_a_currency_code_states_an_amount(text, amount):
    from cristal.research._evidence import has_answer_cue

    assert has_answer_cue(text, "amount") is amount


_LEAVE = ("# 育児・介護休業規程\n\n## 第3条（休暇）\n"
          "子の看護等休暇は年5日とし、年3日までは有給とする。介護休暇は無給とする。\n\n"
          "## 第4条（使える休暇）\n"
          "社員は、平日に会社の休暇を使う場合、前日までに所属長へ申し出る。\n\n"
          "## 第5条（特別休暇）\n結婚または忌引の場合は、特別休暇を使うことができる。\n")


def test_what_a_pointing_word_refers_to_must_be_in_the_documents(ask_over):
    # 「そういうの」 makes the background (不妊治療で通院) what the leave is for: no
    # document speaks of it, so the rule on using leave on weekdays is not the answer.
    ask = ask_over({"leave.md": _LEAVE})
    report = ask("不妊治療で平日に通院しなきゃいけなくなりそう。"
                 "会社にそういうのに使える休暇ってある？")
    assert report.not_found
    # the same question about a leave the rule has is answered
    answered = ask("子の看護で休まなきゃいけなくなりそう。そういうのに使える休暇ってある？")
    assert not answered.not_found


def test_a_model_code_holds_across_languages(ask_over):
    # An English sentence about SW-20 and SW-30 does not price the S-200 the Japanese
    # question asks about, however close its meaning.
    ask = ask_over({
        "s200.md": "# 製品FAQ：ウォーターサーバー S-200\n\n**Q1. 価格は？**\n\n"
                   "A. S-200の本体価格は39,800円（税込）です。購入でのご提供です。\n",
        "warranty.md": "# Dispenser Warranty\n\nThis policy covers SW-20 and SW-30 "
                       "dispensers bought outright (SW-20: SGD 289; SW-30: SGD 389).\n\n"
                       "Collection is arranged by us; the collection fee is SGD 25.\n"})
    report = ask("S-200をレンタルで使う場合、月額いくらになりますか？")
    assert report.not_found


def test_a_row_in_the_other_language_does_not_answer_what_this_language_gives_for_others():
    # The Japanese rule gives 日当 by grade (一般職, 課長), never for 役員; an English
    # per-diem row is close in meaning (0.835) but is no answer for 役員 either.
    from cristal.knowledge import Passage
    from cristal.research._answerable import judge
    from cristal.research._evidence import Sentence
    from cristal.research._lexicon import load_lexicon
    from cristal.research._types import SubQuestion

    def sentence(lang: str, text: str, **scores) -> Sentence:
        passage = Passage(chunk_id=1 if lang == "ja" else 2, document_id=lang,
                          doc=f"{lang}.md", title=None, lang=lang, text=text, start=0,
                          end=len(text), page=None, heading_path=())
        return Sentence(passage=passage, start=0, end=len(text), text=text, rank=1, **scores)

    sub = SubQuestion(id="q1", text="役員の日当って1日いくら？", query="役員 日当",
                      answer_type="amount", focus="日当")
    english = sentence("en", "Japan | SGD 90 | SGD 120 | SGD 150", cue=1.0,
                       similarity=0.835, lexical=0.04)
    grade = sentence("ja", "M1〜M2（課長） | 3,000円 | 7,500円", cue=1.0, similarity=0.89,
                     lexical=0.27, focus=1.0)
    grade.contrast = ("役員", "課長")
    verdict = judge(sub, [english, grade], "ja", load_lexicon(), {})
    assert not verdict.found
    # With no Japanese sentence on 日当 at all, the English row may answer.
    assert judge(sub, [english], "ja", load_lexicon(), {}).found


def test_a_bare_yes_is_not_quoted_as_the_answer(ask_over):
    # 「はい。」/"Yes." says nothing of what it answers; the sentence after it does.
    ask = ask_over({"faq.md": "# Delivery FAQ\n\n**Do you deliver to Sentosa?**\n"
                    "Yes. A surcharge of SGD 15 per delivery applies to addresses on Sentosa.\n\n"
                    "**What happens if I'm not home?**\nOur driver will call you on arrival. "
                    "Otherwise a redelivery is arranged for a fee of SGD 12.\n"})
    report = ask("can you deliver to sentosa?")
    assert not report.not_found
    quotes = [c["quote"].strip() for claim in report.to_contract()["claims"]
              for c in claim["citations"]]
    assert quotes and "Yes." not in quotes
    assert any("SGD 15" in q for q in quotes)
