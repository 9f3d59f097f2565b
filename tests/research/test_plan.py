"""Rule-based planning: answer types and the names a question mentions."""

from __future__ import annotations

import pytest

from cristal.research._plan import _en_entities, answer_type, entities, plan_rules


def test_open_japanese_question_words_are_not_yes_no():
    assert answer_type("どんな要件を満たす必要がありますか？") == "general"
    assert answer_type("必要な書類はありますか？") == "yesno"
    # The lead clause of a single question is its topic, not context at half weight.
    [sub] = plan_rules("昇格するには、どんな要件を満たす必要がありますか？", "ja")
    assert sub.text == "昇格するには、どんな要件を満たす必要がありますか？" and sub.context == ""
    # With two questions it is context shared by both.
    subs = plan_rules("800万円の設備を発注したいのですが、誰の承認が必要で、書類はいつまでに"
                      "出せばいいですか？", "ja")
    assert all(s.context.startswith("800万円の設備を発注したいのですが") for s in subs)


def test_two_things_asked_together_are_asked_one_by_one():
    subs = plan_rules("部長です。大阪に1泊で出張するんだけど、ホテル代の上限と日当っていくら？",
                      "ja")
    assert [s.text for s in subs] == ["ホテル代の上限っていくら？", "日当っていくら？"]
    assert all(s.context.startswith("部長です。") for s in subs)
    # What follows the second thing's の belongs to both.
    subs = plan_rules("育児と介護の休業って何日とれる？", "ja")
    assert [s.text for s in subs] == ["育児の休業って何日とれる？", "介護の休業って何日とれる？"]
    # とか, a clause's と, and a yes/no question are not two things asked.
    assert len(plan_rules("ホテル代とか交通費の精算って、いつまでに出せばいい？", "ja")) == 1
    assert len(plan_rules("上司と相談って必要？", "ja")) == 1


def test_a_latin_name_ends_where_japanese_begins():
    # Read whole, 「MINATO Boxで社外に名簿送るとき」 was a name no document has.
    names = [name for _, _, name in _en_entities("MINATO Boxで社外に名簿送るとき、期限って何日？")]
    assert names == ["MINATO Box"]


def test_a_tag_question_before_the_question_is_background():
    [sub] = plan_rules("新しい仕入先を登録するとき反社チェックするじゃん？怪しかったらどこに"
                       "問い合わせるの？", "ja")
    assert sub.text == "怪しかったらどこに問い合わせるの？"
    assert sub.context == "新しい仕入先を登録するとき反社チェックするじゃん？"
    assert len(plan_rules("申請は前日までだよね？", "ja")) == 1  # a real question stays


def test_background_before_a_yes_no_question_is_context():
    # 手当 of the background does not make the question ask for an amount.
    [sub] = plan_rules("在宅手当もらってるけど、家のネット代とか電気代って別に請求できるの？",
                       "ja")
    assert sub.text == "家のネット代とか電気代って別に請求できるの？"
    assert sub.context == "在宅手当もらってるけど" and sub.answer_type != "amount"


def test_a_measure_asks_for_a_number():
    assert answer_type("本体の重さってどれくらいあります？") == "count"
    assert answer_type("how heavy is the SW-30?") == "count"


def test_whether_something_is_reimbursed_is_a_yes_no_question():
    # "reimburse" names no amount: the question asks whether, and a sentence that only
    # carries some other amount ("client meals up to SGD 130") does not answer it.
    assert answer_type("does the office reimburse gym memberships?") == "yesno"
    assert answer_type("how much does the office reimburse for meals?") == "amount"
    assert answer_type("do you reimburse the fee for a visa?") == "amount"


def test_which_timing_asks_when():
    assert answer_type("昇格ってどのタイミングで決まるの？") == "time"
    assert answer_type("健康診断って何月にあるの？") == "time"


def test_a_capitalised_first_word_is_not_a_name():
    names = entities("Taking cash out of a foreign ATM with a Blue Account debit card: "
                     "what does it cost? Zoom cards: who approves?", "en")
    assert "Taking" not in names and "Blue Account" in names
    assert "Zoom card" in names  # two words: a name even at the start of a sentence


def test_a_company_abbreviation_does_not_end_the_question():
    [sub] = plan_rules("What is the monthly price of Solis Cloud 145 from Shirasagi Systems "
                       "Co., Ltd. (株式会社白鷺システムズ)?", "en")
    assert sub.text.startswith("What is the monthly price") and sub.text.endswith("ズ)?")
    subs = plan_rules("Under Hokuto Electric Co., Ltd.'s Donations Policy, above what amount "
                      "is approval needed, and which extension answers questions?", "en")
    assert subs[0].text.startswith("Under Hokuto Electric Co., Ltd.'s Donations Policy")


def test_a_comparison_asks_every_question_of_both_sides():
    subs = plan_rules("Compare a Gold savings account versus a Bronze savings account: how "
                      "long does a transfer take and what is the daily limit?", "en")
    # The side a part does not name itself comes with it as context.
    sides = [f"{s.text} {s.context}" for s in subs]
    assert len(subs) == 4
    assert sum("Gold" in t and "Bronze" not in t for t in sides) == 2
    assert sum("Bronze" in t and "Gold" not in t for t in sides) == 2
    assert sum("daily limit" in s.text for s in subs) == 2
    ja = plan_rules("課長と部長の日当はそれぞれいくらですか？", "ja")
    assert [s.text for s in ja] == ["課長の日当はそれぞれいくらですか？",
                                    "部長の日当はそれぞれいくらですか？"]


def test_a_stated_amount_is_given_not_asked_nor_a_name():
    assert answer_type("60万円の発注は誰の承認？") == "person"
    assert answer_type("ホテル代っていくら？") == "amount"
    assert not any("60" in n for n in entities("60万円の発注は誰の承認？", "ja"))
    [sub] = plan_rules("1,500万円の設備を買いたいんだけど、誰に承認もらえばいい？", "ja")
    assert sub.context == "1,500万円の設備を買いたいんだけど"  # the comma is a digit group


def test_a_later_question_without_its_topic_borrows_the_colloquial_one():
    # 「評価って」 is the topic of both questions; the って of 「やってる」 is a verb's.
    subs = plan_rules("仕入先の年イチの評価っていつ？点数低かったらどうなるの？", "ja")
    assert [s.context for s in subs] == ["", "仕入先の年イチの評価"]
    assert entities("その会議っていつやってる？", "ja") == []


def test_a_stated_quantity_is_not_a_name():
    names = entities("納入してまだ半年のMX-2200なんだけど、フル稼働でもう3,200時間"
                     "回してるお客さん。", "ja")
    assert names == ["MX-2200"]
    assert entities("the C3 card, 90 days late", "en") == ["the C3 card"]


def test_a_follow_up_to_a_yes_no_question_joins_it():
    # "how much?" asks the amount of what was just asked, not anything about the account.
    [sub] = plan_rules("do i get charged for paper statements on my purple account? how much?")
    assert sub.text.endswith("how much?") and sub.answer_type == "amount"
    [sub] = plan_rules("在宅勤務できますか？何日まで？")
    assert sub.text == "在宅勤務できますか？ 何日まで？"
    # After an open question a follow-up asks something else of the same topic.
    subs = plan_rules("有給って何日もらえる？いつまで？")
    assert [s.text for s in subs] == ["有給って何日もらえる？", "いつまで？"]
    # A part with words of its own stands alone.
    subs = plan_rules("does the card come with purchase protection? how much per claim?")
    assert len(subs) == 2


def test_a_topic_marked_by_tte_is_part_of_the_question_not_background():
    # 「…の精算って、」 is what is asked about; 「使って、」「帰ってきて、」 tell the background.
    [sub] = plan_rules(
        "出張から帰ってきた！ホテル代とか交通費の精算って、いつまでに何で出せばいい？")
    assert sub.text == "ホテル代とか交通費の精算って、いつまでに何で出せばいい？"
    assert sub.context == "出張から帰ってきた！"
    [sub] = plan_rules("PC使って、何すればいい？")
    assert (sub.text, sub.context) == ("何すればいい？", "PC使って")


@pytest.mark.parametrize("background", [
    "お客さんの名簿、どうしてもメールで送らなきゃいけなくて。",  # どうしても: no matter what
    "来月大阪出張なんだけど、",  # なん of 「なんだけど」
    "いつも使ってるPCが壊れて。",  # いつも: always
])
def test_words_that_only_contain_a_question_word_do_not_ask(background):
    subs = plan_rules(f"{background}誰に言えばいい？", "ja")
    assert [s.text for s in subs] == ["誰に言えばいい？"]
    assert background.rstrip("、") in subs[0].context


def test_a_lower_case_sentence_after_a_period_is_a_sentence_of_its_own():
    # People type questions in lower case: the products owned are background, and the
    # comparison is about the limit, not about "i have".
    [sub] = plan_rules("i have blue and purple checking. whats the daily limit on each?", "en")
    assert sub.text == "whats the daily limit on each?"
    assert sub.context == "i have blue and purple checking."
    # A part that says too little on its own keeps the sentence before it.
    [sub] = plan_rules("on home basic, my kid knocked the dispenser over. what's that gonna "
                       "cost me to fix?", "en")
    assert sub.text.startswith("on home basic") and sub.context == ""
