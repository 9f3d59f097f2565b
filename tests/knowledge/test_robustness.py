"""Damaged input of every format ends in ParseFailed (or a sane document), never a library error."""

from __future__ import annotations

import random

import pytest

from cristal.knowledge import ParseFailed, chunk, parse_bytes, supported_suffixes


def _seeds(office: dict[str, bytes]) -> dict[str, bytes]:
    return {
        **office,
        ".html": b"<html><body><h1>x</h1><p>para</p><table><tr><td>a</td></tr></table></body>",
        ".eml": b"Subject: x\r\nContent-Type: text/html; charset=iso-2022-jp\r\n\r\n<p>hi</p>\r\n",
        ".csv": b'a,b\n1,"2\n3"\n',
        ".md": b"---\ntitle: x\n# x\n\n| a |\n```\n",
        ".txt": "日本語のテキスト。\n".encode("euc_jp"),
    }


def _variants(seed: bytes, rng: random.Random) -> list[bytes]:
    out = [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 2000)))]
    out += [seed[: rng.randrange(1, len(seed))] for _ in range(3)]
    for _ in range(3):
        mutated = bytearray(seed)
        for _ in range(rng.randrange(1, 12)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        out.append(bytes(mutated))
    out.append(bytes(rng.choice(b" \n\r\t\x00\x1b$B()<>|#-*") for _ in range(300)))
    return out


@pytest.mark.parametrize("suffix", supported_suffixes())
def test_damaged_files_fail_cleanly(suffix: str, office_samples: dict[str, bytes]) -> None:
    seeds = _seeds(office_samples)
    rng = random.Random(suffix)
    seed = seeds.get(suffix, seeds[".md"])
    for data in _variants(seed, rng):
        try:
            doc = parse_bytes(data, f"damaged{suffix}")
        except ParseFailed as failure:
            assert failure.reason and failure.message.endswith(".")
            continue
        for piece in chunk(doc):
            assert piece.text == doc.text[piece.start : piece.end] and piece.text
