"""What a question counts in (「何年」「何kW」, "how many days") and what it names: a
number of something else, or training of another kind, does not answer it. Offline
research over small files, real SQLite and vectors.
"""

from __future__ import annotations

import pytest

from cristal.research._evidence import asked_counter
from research_corpus import research_over

_FAQ = """# 製品FAQ：加工機 KZ-500

株式会社テスト機工　管理番号：FAQ-500

**Q1. KZ-500の主な仕様は？**
A. 最大加工径は300mm、本体質量は1,200kgです。

**Q2. 旧機種からの改善点は？**
A. 主軸回転数が向上し、消費電力が約18%削減されています。
"""

_TRAINING = """# 教育研修規程

株式会社テスト機工　管理番号：HR-410

## 第1条（情報セキュリティ教育）
全従業員は毎年6月に情報セキュリティeラーニングを受講する。

## 第2条（管理職研修）
新任管理職研修は毎年4月に人事部が実施する。

## 第3条（昇格）
昇格は毎年4月1日付で行う。
G3からG4への昇格には、昇格試験の合格と、直近2年の人事評価がいずれもA以上であることを要する。
"""

_TELEWORK_EN = """# Employee help center

## Working from home
Yes, if your role allows it. For employees of Test Kiko K.K. the number of days is set
in the 在宅勤務規程 (Remote Work Rules, HR-307), which is available in Japanese only.
"""

_TELEWORK_JA = """# 在宅勤務規程

株式会社テスト機工　管理番号：HR-307

## 第1条（日数）
在宅勤務は月10日までとする。
"""


@pytest.fixture(scope="module")
def ask(tmp_path_factory):
    files = {"faq.md": _FAQ, "training.md": _TRAINING,
             "help.md": _TELEWORK_EN, "telework.md": _TELEWORK_JA}
    ask, app = research_over(tmp_path_factory.mktemp("counters"), files)
    yield ask
    app.close()


@pytest.mark.parametrize(("question", "sentence", "counts"), [
    ("何年保管しとくの？", "出荷記録は15年間保管する。", True),
    ("何年保管しとくの？", "2023年4月1日改定", False),  # a date, not a number of years
    ("何時間以内に出すの？", "15年間保管する。", False),
    ("消費電力って何kW？", "消費電力が約18%削減されています。", False),
    ("消費電力って何kW？", "定格消費電力は5.5kWです。", True),
    ("How many days a month can I work from home?", "在宅勤務は月10日までとする。", True),
    ("How many days do I have to file?", "within 3 months", False),
    ("How many days do I have to file?", "within thirty days", True),  # a number in words
    ("申請は何日前まで？", "7日前までに申請する。", True),
])
def test_a_question_counts_in_its_own_unit(question, sentence, counts):
    counter = asked_counter(question)
    assert counter is not None
    assert bool(counter.search(sentence)) is counts


def test_no_counter_is_asked_without_one():
    assert asked_counter("いつまでに申請するの？") is None
    assert asked_counter("How much is the fee?") is None


def test_a_number_in_another_unit_does_not_answer(ask):
    # The FAQ gives a reduction in percent, never the power in kW: "not found".
    report = ask("KZ-500の消費電力って何kWなのか、お客さんに聞かれたんだけど")
    assert report.not_found
    assert "18%" not in report.answer.split("\n")[0]


def test_the_weight_in_its_unit_is_answered(ask):
    report = ask("KZ-500の本体って何kgあるの？")
    assert not report.not_found and "1,200kg" in report.answer


def test_a_rule_that_hands_the_count_to_another_document_answers(ask):
    # The English help page names no number of days; it defers to HR-307, which does.
    report = ask("How many days a month can employees of Test Kiko work from home?")
    assert not report.not_found
    assert "月10日" in report.answer


def test_training_of_another_kind_is_not_the_training_asked_about(ask):
    # ハラスメント occurs in no document: the security e-learning and the managers'
    # training are other training, not an answer with their dates.
    report = ask("ハラスメント研修っていつあるの？")
    assert report.not_found
    known = ask("管理職研修っていつあるの？")
    assert not known.not_found and "4月" in known.answer


def test_which_timing_is_when(ask):
    # 「どのタイミング」 is a question word: no rule says タイミング, and 4月1日付 answers.
    report = ask("昇格ってどのタイミングで決まるの？")
    assert not report.not_found and "4月1日付" in report.direct[0].text


def test_a_sibling_products_sentence_is_not_quoted_as_the_answer(ask_over):
    # The Amber card's sentence matches the question's words better, but the question is
    # about the Teal card: only Teal's own documents are quoted.
    ask = ask_over({
        "teal.md": "# Teal Card terms\n\nPay at least 2% of the balance each month.\n"
                   "Late fee: $30.\n",
        "amber.md": "# Amber Card terms\n\nYour minimum monthly payment is 1.5% of your "
                    "statement balance.\nLate fee: $25.\n"})
    report = ask("What is the minimum monthly payment on the Teal Card?")
    cited = {c.doc for d in report.direct for c in d.citations}
    assert not report.not_found and cited == {"teal.md"}
    assert "1.5%" not in report.answer.split("\n\n")[0]
