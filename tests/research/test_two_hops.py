"""Evidence that answers what is asked: the focus first, the rule an answer defers to,
the list a sentence introduces, a value under a condition kept apart from the condition's
own. Offline research over small files, real SQLite and vectors.
"""

from __future__ import annotations

import pytest

from research_corpus import research_over

_TRAVEL = """# 出張旅費規程

株式会社テスト商事　管理番号：TR-102

## 第1条（申請）
出張は出発日の3営業日前までに出張申請を行い、所属課長の承認を得る。

## 第2条（精算）
精算は帰着後、経費精算規程（EX-101）の期限に従って行う。
"""

_EXPENSES = """# 経費精算規程

株式会社テスト商事　管理番号：EX-101

## 第1条（目的）
本規程は、立替経費の精算手続きを定める。

## 第2条（申請期限）
立替経費は、支出した月の翌月15日までに経費精算システム「TEST-Pay」で申請する。

## 第3条（支払）
承認済みの経費は、毎月25日に給与振込口座へ振り込む。
"""

_TELEWORK = """# 在宅勤務規程

株式会社テスト商事　管理番号：HR-301

## 第1条（費用）
在宅勤務が月10日以上の者には、通勤定期代に代えて出社日の実費交通費を支給する。
"""

_SCREENING = """# 反社会的勢力排除規程

株式会社テスト商事　管理番号：CO-502

## 第1条（確認）
新規に取引を開始する際は、法務部が次の方法で確認を行う。
1. 新聞記事データベースによる検索（過去10年分）
2. 商業登記簿による役員の確認
"""


@pytest.fixture(scope="module")
def ask(tmp_path_factory):
    files = {"travel.md": _TRAVEL, "expenses.md": _EXPENSES,
             "telework.md": _TELEWORK, "screening.md": _SCREENING}
    ask, app = research_over(tmp_path_factory.mktemp("hops"), files)
    yield ask
    app.close()


def test_the_rule_an_answer_defers_to_is_quoted(ask):
    # The travel rule says only "by the expense rule's deadline"; the deadline itself and
    # the system are in EX-101, a second hop.
    report = ask("出張から帰ってきた！交通費の精算って、いつまでに何で出せばいい？")
    assert not report.not_found
    assert "翌月15日" in report.answer and "TEST-Pay" in report.answer
    first = report.direct[0].citations[0]
    assert first.doc == "travel.md"  # what carries 精算 leads, not the telework rule's 交通費


def test_a_sentence_that_introduces_a_list_is_quoted_with_it(ask):
    report = ask("新しく取引を始める会社が反社と関係ないか、法務部はどうやって調べてる？")
    assert not report.not_found
    assert "過去10年分" in report.answer and "商業登記簿" in report.answer


def test_a_fee_under_a_condition_is_not_the_price_of_the_condition(ask_over):
    # The documents give the foreign fee with and without the subscription, never the
    # subscription's own price: "not found", not "0%".
    ask = ask_over({"card.md": "# Teal Card fees\n\n- Annual fee: $0\n"
                    "- Foreign transaction fee without a premium subscription: 2.75%\n"
                    "- Foreign transaction fee with a premium subscription: 0%\n"})
    report = ask("How much does the premium subscription cost?")
    fee = ask("What is the foreign transaction fee with a premium subscription?")
    assert report.not_found
    assert not fee.not_found and "0%" in fee.answer


_PLAN = """# Home Basic Plan

## Pricing
Monthly fee: SGD 29.90 (inclusive of GST).

## Dispenser care
Faults caused by normal use are repaired free of charge. If the loaned dispenser is
damaged accidentally (for example, dropped or knocked over), a charge applies under
section 5 of the Dispenser Warranty & Returns Policy (SWS-W01).
"""

_WARRANTY = """# Dispenser Warranty & Returns Policy

Document: SWS-W01

## 5. Accidental damage to loaned dispensers
Accidental damage to a loaned dispenser is charged as follows:
- Repair: a flat fee of SGD 80.
- Replacement if the unit cannot be repaired: SGD 180.

## 6. Returns of purchased dispensers
A restocking fee of 10% of the purchase price is deducted from the refund.
"""


def test_a_charge_set_in_another_policy_is_read_from_the_section_named(ask_over):
    # The plan only says "a charge applies under section 5 of" the policy; the policy
    # names no plan, and its section 6 has a fee too. The repair fee leads the answer.
    ask = ask_over({"plan.md": _PLAN, "warranty.md": _WARRANTY})
    report = ask("on home basic, my kid knocked the dispenser over and the panel cracked. "
                 "what's that gonna cost me to fix?")
    assert not report.not_found
    assert "SGD 80" in report.direct[0].citations[0].quote
    assert "section 5" in report.answer


def test_a_means_of_conversion_does_not_put_a_trip_out_of_scope(ask_over):
    # 「…公示仲値により換算する」 says how, not that overseas trips are dealt with elsewhere.
    ask = ask_over({"travel.md": "# 出張旅費規程\n\n## 第8条（海外出張）\n"
                    "海外出張の外貨建て費用は、出発日の公示仲値により換算する。\n\n"
                    "## 別表2 日当\n\n| 等級 | 国内 | 海外A地域 |\n|---|---|---|\n"
                    "| 一般職 | 2,000円 | 5,000円 |\n| 課長 | 3,000円 | 7,500円 |\n\n"
                    "（注）海外A地域：北米、欧州、シンガポール。\n"})
    report = ask("課長です。来月ロンドンに出張なんだけど、日当って1日いくらになる？")
    assert not report.not_found
    assert "7,500円" in report.answer
