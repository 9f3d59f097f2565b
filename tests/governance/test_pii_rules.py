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
