"""Rule-based planning: answer types and the names a question mentions."""

from __future__ import annotations

from cristal.research._plan import answer_type, entities, plan_rules


def test_open_japanese_question_words_are_not_yes_no():
    assert answer_type("どんな要件を満たす必要がありますか？") == "general"
    assert answer_type("必要な書類はありますか？") == "yesno"
    [sub] = plan_rules("昇格するには、どんな要件を満たす必要がありますか？", "ja")
    assert sub.text == "どんな要件を満たす必要がありますか？" and sub.context == "昇格するには"


def test_a_capitalised_first_word_is_not_a_name():
    names = entities("Taking cash out of a foreign ATM with a Blue Account debit card: "
                     "what does it cost? Zoom cards: who approves?", "en")
    assert "Taking" not in names and "Blue Account" in names
    assert "Zoom card" in names  # two words: a name even at the start of a sentence
