"""Personal data: detection (Japanese and English), typed redaction, evaluation.

`detect(text)` finds the twelve entity types of `ENTITY_TYPES`: structured
identifiers by validated patterns (no `\\b`, so `メールはtaro@example.co.jpです`
works), names, addresses and organisations by dictionary rules (SudachiPy for
Japanese, census name lists for English) plus, optionally, NER models (GiNZA,
Presidio + spaCy). `Redactor` swaps entities for `<PERSON_1>` placeholders and
puts the values back into replies.
"""

from cristal.governance.pii._detect import detect, guess_lang
from cristal.governance.pii._eval import PiiEvalResult, evaluate_pii, load_items
from cristal.governance.pii._ner import ner_available
from cristal.governance.pii._redact import Finding, Redactor, StreamRestorer
from cristal.governance.pii._types import ENTITY_TYPES, STRUCTURED_TYPES, Span

__all__ = [
    "ENTITY_TYPES",
    "STRUCTURED_TYPES",
    "Finding",
    "PiiEvalResult",
    "Redactor",
    "Span",
    "StreamRestorer",
    "detect",
    "evaluate_pii",
    "guess_lang",
    "load_items",
    "ner_available",
]
