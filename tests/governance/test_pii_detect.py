"""PII detection: validated identifiers written against Japanese text, names, the eval set."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from cristal.governance.pii import ENTITY_TYPES, Redactor, StreamRestorer, detect, ner_available
from cristal.governance.pii._checks import corporate_number_ok, luhn_ok, my_number_ok

ROOT = Path(__file__).resolve().parents[2]


def _found(text: str, **kw) -> set[tuple[str, str]]:
    return {(s.type, text[s.start:s.end]) for s in detect(text, **kw)}


def test_check_digits():
    assert my_number_ok("526018159084") and not my_number_ok("526018159085")
    assert corporate_number_ok("5599528907866") and not corporate_number_ok("5599528907867")
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")


def test_identifiers_glued_to_japanese_text():
    text = ("メールはtaro@example.co.jpです。電話は０３－１２３４－５６７８、携帯09012345678まで。"
            "〒100-0005東京都千代田区丸の内1-2-3。マイナンバー526018159084。"
            "法人番号5599528907866。生年月日：昭和60年4月12日。IPは192.168.0.1です")
    found = _found(text)
    assert ("EMAIL", "taro@example.co.jp") in found
    assert ("PHONE", "０３－１２３４－５６７８") in found  # full-width digits and dashes
    assert ("PHONE", "09012345678") in found
    assert ("POSTAL_CODE", "100-0005") in found
    assert ("ADDRESS", "東京都千代田区丸の内1-2-3") in found
    assert ("MY_NUMBER", "526018159084") in found
    assert ("CORPORATE_NUMBER", "5599528907866") in found
    assert ("DATE_OF_BIRTH", "昭和60年4月12日") in found
    assert ("IP_ADDRESS", "192.168.0.1") in found


def test_lookalikes_are_not_identifiers():
    text = ("注文番号 202405170031、請求書 INV-2024-0456、バージョン 2.4.58、ver 10.0.0.1、"
            "納期 2024年6月30日、個人番号 526018159085（検査数字が違う）、"
            "カード 4111 1111 1111 1112、"
            "部品番号 123-4567 の在庫")
    assert _found(text) == set()


def test_names_addresses_organisations():
    ja = ("株式会社テックの山田太郎です。担当は佐藤花子さん。"
          "大阪府大阪市北区梅田2丁目4番9号 ノースビル5階")
    found = _found(ja, lang="ja")
    assert {("ORGANIZATION", "株式会社テック"), ("PERSON", "山田太郎"), ("PERSON", "佐藤花子"),
            ("ADDRESS", "大阪府大阪市北区梅田2丁目4番9号 ノースビル5階")} <= found
    en = ("Dear Ms. Tanaka,\nplease call John Q. Smith at Acme Logistics Inc., "
          "1200 Main Street, Suite 300, Springfield, IL 62704.")
    found = _found(en, lang="en")
    assert {("PERSON", "Tanaka"), ("PERSON", "John Q. Smith"),
            ("ORGANIZATION", "Acme Logistics Inc."), ("POSTAL_CODE", "62704"),
            ("ADDRESS", "1200 Main Street, Suite 300, Springfield, IL")} <= found


def test_redactor_is_consistent_and_restores():
    r = Redactor()
    first = r.redact("山田太郎様の電話は090-1234-5678です。")
    second = r.redact("折り返しは山田太郎様へ。")
    assert "山田太郎" not in first + second and "090-1234-5678" not in first
    assert first.count("<PERSON_1>") == 1 and second.count("<PERSON_1>") == 1
    assert "<PHONE_1>" in first
    restored = r.restore("<PERSON_1>様に<PHONE_1>で連絡します")
    assert restored == "山田太郎様に090-1234-5678で連絡します"
    assert r.restore("<PERSON_9> stays") == "<PERSON_9> stays"  # unknown placeholders untouched
    assert r.counts() == {"PERSON": 2, "PHONE": 1}


def test_stream_restorer_joins_split_placeholders():
    r = Redactor()
    r.redact("Call John Smith on 415-555-0132.")
    restorer = StreamRestorer(r)
    pieces = ["Sure, I will call <PER", "SON_", "1> at <PHO", "NE_1", ">", " today. <", "b>"]
    out = "".join(restorer.feed(p) for p in pieces) + restorer.flush()
    assert out == "Sure, I will call John Smith at 415-555-0132 today. <b>"


def test_eval_set_offsets_and_targets():
    """The shipped set: offsets exact, ≥ 300 spans, every type present, targets met (rules)."""
    from cristal.governance.pii import evaluate_pii, load_items

    items = load_items(ROOT / "eval" / "pii")
    spans = [s for i in items for s in i["spans"]]
    assert len(spans) >= 300 and {s["type"] for s in spans} == set(ENTITY_TYPES)
    rebuilt = subprocess.run([sys.executable, str(ROOT / "eval" / "pii" / "build.py")],
                             capture_output=True, text=True, cwd=ROOT, check=True)
    assert "spans" in rebuilt.stdout
    report = evaluate_pii(ROOT / "eval" / "pii", ner=False).report
    structured = [t for t in ENTITY_TYPES if t not in ("PERSON", "ADDRESS", "ORGANIZATION")]
    for t in structured:
        assert report["types"][t]["precision"] >= 0.98 and report["types"][t]["recall"] >= 0.98, t
    for lang in ("ja", "en"):
        types = report["by_lang"][lang]["exact"]["types"]
        assert types["PERSON"]["f1"] >= 0.85 and types["ADDRESS"]["f1"] >= 0.85, lang


@pytest.fixture
def no_network(monkeypatch):
    """Fail on any connection to a non-loopback address (tldextract, model downloads...)."""
    real = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in ("::1",
                                                                               "localhost")):
            raise AssertionError(f"network access to {address!r}")
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: (_ for _ in ()).throw(
        AssertionError(f"DNS lookup of {a[0]!r}")))


@pytest.mark.slow
def test_ner_models_run_offline(no_network):
    """Presidio (spaCy) and GiNZA load and run with the network unreachable."""
    from conftest import require

    require(ner_available("en") and ner_available("ja"), "the pii extra (NER models)")
    en = "Our new hire starts Monday; Zbigniew Kowalczyk will train her (bob@example.com)."
    assert ("PERSON", "Zbigniew Kowalczyk") not in _found(en, lang="en")  # not in the lists
    found = _found(en, lang="en", ner=True)
    assert ("PERSON", "Zbigniew Kowalczyk") in found and ("EMAIL", "bob@example.com") in found
    ja = "勅使河原蒼さんが来社しました。連絡先はaoi@example.jpです。"
    found = _found(ja, lang="ja", ner=True)
    assert ("EMAIL", "aoi@example.jp") in found
    assert any(t == "PERSON" and "勅使河原" in v for t, v in found)


def test_cli_pii_detect_reads_stdin():
    text = "担当の鈴木です。メールはsuzuki@example.co.jp、電話03-1234-5678。"
    out = subprocess.run([sys.executable, "-m", "cristal", "pii", "detect", "--lang", "ja",
                          "--json"], input=text, capture_output=True, text=True, check=True)
    spans = json.loads(out.stdout.strip().splitlines()[-1])["spans"]
    assert {(s["type"], s["text"]) for s in spans} >= {
        ("PERSON", "鈴木"), ("EMAIL", "suzuki@example.co.jp"), ("PHONE", "03-1234-5678")}
    for s in spans:
        assert text[s["start"]:s["end"]] == s["text"]


def test_cli_eval_pii_prints_contract(tmp_path):
    item = {"id": "x", "lang": "en", "text": "Mail bob@example.com now.",
            "spans": [{"start": 5, "end": 20, "type": "EMAIL"}]}
    (tmp_path / "items.jsonl").write_text(json.dumps(item) + "\n")
    out = subprocess.run([sys.executable, "-m", "cristal", "eval", "pii", "--set", str(tmp_path),
                          "--json"], capture_output=True, text=True, check=True)
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["types"]["EMAIL"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
    assert set(report["micro"]) == {"precision", "recall", "f1"} and "overlap" in report
    bad = subprocess.run([sys.executable, "-m", "cristal", "eval", "pii", "--set",
                          str(tmp_path / "none"), "--json"], capture_output=True, text=True)
    assert bad.returncode == 2 and "items.jsonl" in bad.stderr
