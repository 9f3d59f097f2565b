"""PII rules added for generalisation and speed: one test per rule family, real detector."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from cristal.governance.pii import detect
from cristal.governance.pii._sudachi import analyse


def _found(text: str, **kw) -> set[tuple[str, str]]:
    return {(s.type, text[s.start:s.end]) for s in detect(text, **kw)}


def test_only_japanese_lines_are_tokenised_and_skipped_lines_break_names():
    text = ("御中 東和システム\nTEL：06-6347-1234　FAX：06-6347-1235\n"
            "関西テクノサービス株式会社 総務部\nPlease reply to Kenji.\n山田太郎様")
    ms = analyse(text)
    words = [ms.surface(i) for i in range(len(ms)) if ms.pos[i][0] != "空白"]
    assert "関西" in "".join(words) and not any("TEL" in w or "Please" in w for w in words)
    found = _found(text, lang="ja")
    # The organisation starts after the skipped line, not in the line before it.
    assert ("ORGANIZATION", "関西テクノサービス株式会社") in found
    assert ("PERSON", "山田太郎") in found
    assert all(ms.begins[i] < ms.ends[i] for i in range(len(ms)))


def test_threads_share_one_dictionary_and_agree():
    texts = [f"担当の鈴木です。{n}件目。佐藤花子さんに連絡。〒100-0005 東京都千代田区丸の内1-2-3"
             for n in range(40)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda t: _found(t, lang="ja"), texts))
    assert all(r == results[0] for r in results)
    assert ("PERSON", "佐藤花子") in results[0] and ("PERSON", "鈴木") in results[0]


def test_phone_formats_dots_spaces_uk_and_north_american():
    text = ("TEL 048.822.3190 / 携帯 080.6612.4390 / Phone: 0113 496 0321 / "
            "reachable on 07700 900461 / +44 7700 900123 / call 1-800-555-0175 / "
            "TEL 213 555 0184 / Dial-in: 555-0199 / +81 (0)90 5521 3378 / +1 (415) 555-0132")
    phones = {v for t, v in _found(text) if t == "PHONE"}
    assert phones == {"048.822.3190", "080.6612.4390", "0113 496 0321", "07700 900461",
                      "+44 7700 900123", "1-800-555-0175", "213 555 0184", "555-0199",
                      "+81 (0)90 5521 3378", "+1 (415) 555-0132"}


def test_phone_lookalikes_stay_unflagged():
    text = ("Released 2024.06.12, build 0.12.3456; order no. 0123 456 7890; room 555-0199 "
            "is free; 〒530-0001 大阪市; 部品番号 123-4567; total 1 800 555 0175 yen")
    assert {t for t, _ in _found(text)} <= {"ADDRESS", "POSTAL_CODE"}
    assert ("POSTAL_CODE", "530-0001") in _found(text)


def test_dates_of_birth_day_first_same_line_cue_and_both_calendars():
    text = ("D.O.B.: 22/11/1985\nDate of birth (MM/DD/YYYY): 03/14/1991\n"
            "Geburtsdatum/DOB 14.03.1994\nご生年月日：2001年（平成13年）3月3日\n"
            "DOB: 1990-01-01, hired 2015-03-01\n生年月日：1985年4月12日\n入社日：2025年4月1日")
    dobs = {v for t, v in _found(text) if t == "DATE_OF_BIRTH"}
    assert dobs == {"22/11/1985", "03/14/1991", "14.03.1994", "2001年（平成13年）3月3日",
                    "1990-01-01", "1985年4月12日"}


def test_zip_codes_need_a_place_or_a_cue():
    text = ("Employee: Rahul Verma (ID 20418)\nMember ID 55012\nChicago, IL 60622\n"
            "LOS ANGELES CA 90005\nCan you confirm your zip code?\nCustomer: 85004\nQty 12345")
    zips = {v for t, v in _found(text, lang="en") if t == "POSTAL_CODE"}
    assert zips == {"60622", "90005", "85004"}


def test_a_label_for_another_number_overrides_my_number_grouping():
    # 5445-7592-4034 passes the My Number check digit; the label says it is a tracking number.
    text = ("お問い合わせ伝票番号：5445-7592-4034\n配偶者の個人番号：4145 1773 4720\n"
            "番号 1817 2109 9940")
    found = {(t, v) for t, v in _found(text) if t == "MY_NUMBER"}
    assert found == {("MY_NUMBER", "4145 1773 4720"), ("MY_NUMBER", "1817 2109 9940")}
