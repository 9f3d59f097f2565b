"""Sentence spans: Japanese and English ends, numbers, abbreviations, Markdown units, tightness."""

from __future__ import annotations

from cristal.knowledge import split_sentences


def _split(text: str, start: int = 0, end: int | None = None) -> list[str]:
    spans = split_sentences(text, start, end)
    for s, e in spans:
        piece = text[s:e]
        assert piece == piece.strip() and piece
    return [text[s:e] for s, e in spans]


def test_japanese_sentences() -> None:
    text = "本規程は経費の精算手続きを定める。期限後の申請は受け付けない！本当ですか？はい．次へ。"
    assert _split(text) == [
        "本規程は経費の精算手続きを定める。",
        "期限後の申請は受け付けない！",
        "本当ですか？",
        "はい．",
        "次へ。",
    ]


def test_japanese_quotes_stay_with_their_sentence() -> None:
    text = "部長は「承認する。」と述べた。「了解。」次の議題に移った。"
    assert _split(text) == ["部長は「承認する。」と述べた。", "「了解。」", "次の議題に移った。"]


def test_full_width_decimal_is_not_a_sentence_end() -> None:
    assert _split("利率は３．５％です。以上。") == ["利率は３．５％です。", "以上。"]


def test_english_sentences_with_numbers_and_abbreviations() -> None:
    text = (
        "The fee is 3.5% per year. It is waived, e.g. for students. Mr. Smith agreed! "
        "Is it No. 5? Call J. Doe at 5 p.m. Then leave. Costs $1,250.50 in total."
    )
    assert _split(text) == [
        "The fee is 3.5% per year.",
        "It is waived, e.g. for students.",
        "Mr. Smith agreed!",
        "Is it No. 5?",
        "Call J. Doe at 5 p.m.",
        "Then leave.",
        "Costs $1,250.50 in total.",
    ]


def test_lowercase_after_period_does_not_split() -> None:
    assert _split("Approx. three weeks apply. See sec. four.") == [
        "Approx. three weeks apply.",
        "See sec. four.",
    ]


def test_markdown_units_are_tight() -> None:
    text = (
        "## 第2条（精算期限）\n"
        "- First item. Second sentence.\n"
        "* Star item\n"
        "12. Numbered item\n"
        "・国内出張は日帰りを原則とする\n"
        "| Monthly fee | $200.00 |\n"
        "|---|---|\n"
        "The following apply:\n"
        "no terminator on this line\n"
    )
    assert _split(text) == [
        "第2条（精算期限）",
        "First item.",
        "Second sentence.",
        "Star item",
        "Numbered item",
        "国内出張は日帰りを原則とする",
        "Monthly fee | $200.00",
        "The following apply:",
        "no terminator on this line",
    ]


def test_wrapped_lines_stay_one_sentence() -> None:
    text = (
        "This is a long line of text that has been hard wrapped by the\n"
        "author at a fixed column width so the sentence continues on\n"
        "the next line. Short line\n"
        "Another line"
    )
    assert _split(text) == [
        "This is a long line of text that has been hard wrapped by the\n"
        "author at a fixed column width so the sentence continues on\n"
        "the next line.",
        "Short line",
        "Another line",
    ]


def test_offsets_are_absolute_within_a_window() -> None:
    text = "xx The fee. Next one. yy"
    spans = split_sentences(text, 3, 21)
    assert spans == [(3, 11), (12, 21)]
    assert [text[s:e] for s, e in spans] == ["The fee.", "Next one."]


def test_code_fences_and_separators_are_not_sentences() -> None:
    text = "Intro.\n\n```\nx = 1.5\n```\n\n---\n***\n"
    assert _split(text) == ["Intro.", "x = 1.5"]


def test_empty_and_punctuation_only() -> None:
    assert split_sentences("") == []
    assert split_sentences("   \n\n  。 ") == []
