"""Amount tables answer with the row whose range holds the amount; 「その会議」 reads back.

Offline research on real files (SQLite, no model): the approval table's rows share
every word with the question, so only the range decides which row answers.
"""

from __future__ import annotations

import pytest

from cristal.app import App
from cristal.config import load_settings
from cristal.research import ResearchRequest, run_research
from cristal.research._plan import plan_rules
from cristal.research._ranges import amounts, asked_amount, bounds, fit

PURCHASE = """# 購買・発注承認規程

管理番号：PU-301

## 第2条（発注承認基準）

発注1件あたりの金額（税抜）に応じ、次の者の承認を得る。

- 30万円未満：課長
- 30万円以上100万円未満：部長
- 100万円以上500万円以下：本部長
- 500万円超：取締役会の決議（「取締役会規程」（GA-001）の手続きによる）
"""

BOARD = """# 取締役会規程

管理番号：GA-001

## 第3条（開催）

定例取締役会は毎月第3火曜日に開催する。必要に応じて臨時取締役会を招集できる。

## 第4条（議案）

付議を希望する部門は、開催日の7日前までに経営企画部へ議案書を提出する。
"""

SPENDING = """# Spending Approval Policy

## Approvers

Every purchase needs approval before the order is placed.

- Up to $5,000: the team manager
- Over $5,000 up to $50,000: the department director
- Over $50,000: the CFO
"""


@pytest.mark.parametrize(("text", "expected"), [
    ("1,500万円の設備", [("JPY", 15_000_000.0)]),
    ("2千円くらい", [("JPY", 2_000.0)]),
    ("¥120,000 and $2.5k", [("JPY", 120_000.0), ("USD", 2_500.0)]),
    ("3 million dollars", [("USD", 3_000_000.0)]),
    ("no money here", []),
])
def test_amounts_read_money_in_both_languages(text, expected):
    assert [(c, v) for c, v, _, _ in amounts(text)] == expected


@pytest.mark.parametrize(("sentence", "lo", "hi"), [
    ("100万円以上500万円以下：本部長", 1_000_000, 5_000_000),
    ("500万円超：取締役会の決議", 5_000_000, None),
    ("30万円未満：課長", None, 300_000),
    ("5,000円～1万円", 5_000, 10_000),
    ("1万円から5万円まで", 10_000, 50_000),
    ("Over $5,000 up to $50,000: the department director", 5_000, 50_000),
    ("between $1,000 and $5,000", 1_000, 5_000),
])
def test_bounds_of_one_row(sentence, lo, hi):
    bound = bounds(sentence)
    assert bound is not None and (bound.lo, bound.hi) == (lo, hi)


def test_bounds_are_exclusive_where_the_words_say_so_and_absent_when_ambiguous():
    assert not bounds("500万円超").holds(5_000_000) and bounds("500万円以上").holds(5_000_000)
    assert not bounds("30万円未満").holds(300_000) and bounds("30万円以下").holds(300_000)
    # A sentence that lists several ranges is no single row; a bare amount is no range.
    assert bounds("1件10万円未満は課長、10万円以上50万円未満は部長") is None
    assert bounds("宿泊費は12,000円とする。") is None
    assert bounds("100万円以下かつ$5,000以上") is None  # two currencies


def test_fit_needs_exactly_one_amount_in_the_question():
    assert fit(asked_amount("1,500万円の設備"), "500万円超：取締役会") == 1
    assert fit(asked_amount("1,500万円の設備"), "100万円以上500万円以下：本部長") == -1
    assert fit(asked_amount("12万円と3万円"), "10万円以上50万円未満：部長") == 0
    assert fit(asked_amount("$12,000 purchase"), "100万円以上：本部長") == 0  # currency
    assert fit(None, "500万円超") == 0


def test_a_question_may_say_yen_without_the_yen():
    # 「60万くらい」「4万ちょい」「2千万」: how people say amounts; a count is not money.
    assert asked_amount("測定器を60万くらいで買いたい") == ("JPY", 600_000.0)
    assert asked_amount("4万ちょいで立て替えた") == ("JPY", 40_000.0)
    assert asked_amount("2千万の発注") == ("JPY", 20_000_000.0)
    assert asked_amount("3万人の会社") is None and asked_amount("1万km走った") is None
    assert amounts("在宅手当は3万") == []  # documents write the 円; only questions are read so


def test_the_planner_keeps_thousands_separators():
    subs = plan_rules("1,500万円の設備を買いたいんだけど、誰に承認もらえばいい？", "ja")
    assert [s.context for s in subs] == ["1,500万円の設備を買いたいんだけど"]


@pytest.fixture(scope="module")
def rules(tmp_path_factory):
    root = tmp_path_factory.mktemp("ranges")
    docs = root / "docs"
    docs.mkdir()
    (docs / "purchase.md").write_text(PURCHASE, encoding="utf-8")
    (docs / "board.md").write_text(BOARD, encoding="utf-8")
    (docs / "spending.md").write_text(SPENDING, encoding="utf-8")
    app = App(load_settings(data_dir=str(root / "data")))
    yield app, docs
    app.close()


def _ask(rules, question: str):
    app, docs = rules
    report, _ = run_research(app.store, app.gateway, ResearchRequest(
        question=question, docs=docs, embed=False))
    return report


def test_the_row_whose_range_holds_the_amount_leads(rules):
    report = _ask(rules, "1,500万円の設備を買いたいんだけど、誰に承認もらえばいい？")
    assert not report.not_found
    assert report.direct and "500万円超" in report.direct[0].text
    assert "100万円以上500万円以下" not in report.direct[0].text
    small = _ask(rules, "60万円の発注は誰の承認？")
    assert small.direct and "30万円以上100万円未満：部長" in small.direct[0].text
    spoken = _ask(rules, "測定器を60万くらいで買いたいんだけど、稟議って誰の決裁まで回せばいい？")
    assert spoken.direct and "30万円以上100万円未満：部長" in spoken.direct[0].text


def test_the_english_row_for_the_amount_leads(rules):
    report = _ask(rules, "who has to approve a $12,000 purchase?")
    assert report.direct and "department director" in report.direct[0].text


def test_that_meeting_is_the_board_the_answer_before_named(rules):
    report = _ask(rules, "1,500万円の設備を買いたいんだけど、誰に承認もらえばいい？"
                         "その会議っていつやってる？")
    second = report.sub_questions[1]
    assert second.found and second.pointed == "その会議"
    assert "第3火曜日" in report.answer
    quotes = [c.quote for claim in report.claims for c in claim.citations]
    assert any("第3火曜日" in q for q in quotes)
