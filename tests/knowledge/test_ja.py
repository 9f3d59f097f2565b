"""Normalisation, index and query terms, and language detection for Japanese and English."""

from __future__ import annotations

import threading

from cristal.knowledge import detect_lang, index_terms, normalize, query_terms


def _terms(text: str) -> set[str]:
    return set(index_terms(text).split())


def test_normalize_folds_width_and_case() -> None:
    assert normalize("ＡＢＣ１２３") == "abc123"
    assert normalize("ｶﾀｶﾅ") == "カタカナ"
    assert normalize("ﾊﾟｽﾜｰﾄﾞ") == "パスワード"  # voiced marks join: the length changes
    assert normalize("Ｍｒ．ＳＭＩＴＨ　様") == "mr.smith 様"


def test_compound_is_findable_by_its_parts_and_whole() -> None:
    doc = _terms("立替経費は経費精算の手続きで申請する。")
    assert {"経費", "精算", "経費精算"} <= doc
    for query in ("経費精算", "経費", "精算"):
        assert set(query_terms(query)) <= doc, query
    assert query_terms("経費精算") == ["経費", "精算", "経費精算"]


def test_mode_a_query_terms_match_inside_longer_compounds() -> None:
    doc = _terms("経費精算システム「MINATO-Pay」で申請する。")
    assert "経費精算システム" in doc and "経費精算" not in doc  # Sudachi's C unit is longer
    assert query_terms("経費精算", compounds=False) == ["経費", "精算"]
    assert set(query_terms("経費精算", compounds=False)) <= doc


def test_width_variants_match_each_other() -> None:
    assert index_terms("ＡＢＣ１２３") == index_terms("ABC123") == index_terms("abc123")
    assert index_terms("ｶﾀｶﾅ") == index_terms("カタカナ")
    assert set(query_terms("ＭＩＮＡＴＯ－Ｐａｙ")) <= _terms("経費精算システム「MINATO-Pay」")


def test_numbers_with_separators_match_on_both_sides() -> None:
    doc = _terms("1件3,000円以上の支出は領収書を添付する。日当は３，０００円。")
    assert set(query_terms("3,000円")) == {"3000", "円"}
    assert set(query_terms("3000円")) <= doc
    assert set(query_terms("３，０００円")) <= doc
    assert {"200", "500000"} <= _terms("The fee is $200.00 unless you keep $500,000.")
    assert set(query_terms("$200 fee")) <= _terms("The monthly fee is $200.00.")
    assert "3.5" in _terms("Interest of 3.5% applies") and "10" in _terms("a 10% cashback")
    assert set(query_terms("25日")) <= _terms("毎月25日に振り込む。")


def test_kanji_numerals_are_normalised_by_sudachi() -> None:
    assert set(query_terms("3000円")) <= _terms("三千円を支給する")


def test_punctuation_and_symbols_are_dropped() -> None:
    terms = index_terms("「経費」、（精算）。・・・ --- !!! ★")
    assert terms.split() == ["経費", "精算"]


def test_english_terms_are_lowercase_words_without_plurals() -> None:
    assert index_terms("Monthly Fees, POLICIES and balances.") == "monthly fee policy and balance"
    assert index_terms("bonus process gas") == "bonus process gas"


def test_query_terms_drop_stop_words_and_question_words() -> None:
    assert query_terms("What is the monthly fee for the Gold card?") == [
        "monthly",
        "fee",
        "gold",
        "card",
    ]
    ja = query_terms("経費精算の締め切りはいつですか？教えてください")
    assert "いつ" not in ja and "の" not in ja and "は" not in ja and "下さる" not in ja
    assert {"経費", "精算", "経費精算"} <= set(ja)
    assert query_terms("何をどうすればいいですか") == []


def test_query_terms_are_deduplicated_in_order() -> None:
    assert query_terms("fee fees FEE 手数料 手数料") == ["fee", "手数", "料", "手数料"]


def test_mixed_text_keeps_both_languages() -> None:
    terms = _terms("Rho-Bankの口座維持手数料はmonthly feeです")
    assert {"rho", "bank", "口座", "維持", "手数料", "monthly", "fee"} <= terms


def test_long_input_beyond_sudachi_limit() -> None:
    line = "経費精算は翌月十日までに申請する。" * 2000  # ~100 KB on one line
    terms = index_terms(line + "\n" + "申請" * 30000)
    assert terms.count("経費精算") == 2000


def test_terms_are_safe_across_threads() -> None:
    expected = index_terms("交際費は事前に申請し、承認を得る。")
    results: list[str] = []

    def work() -> None:
        for _ in range(50):
            results.append(index_terms("交際費は事前に申請し、承認を得る。"))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 200


def test_detect_lang() -> None:
    assert detect_lang("本規程は、経費の精算手続きを定める。") == "ja"
    assert detect_lang("The monthly maintenance fee is $200.00.") == "en"
    assert detect_lang("MINATO-Pay (KR-101) 経費精算") == "ja"
    assert detect_lang("Rho-Bank account fees, limits and the 経費 rule apply here") == "en"
    assert detect_lang("") == "en" and detect_lang("12345 !!!") == "en"
