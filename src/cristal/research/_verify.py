"""Citation verification: every quoted span must stand verbatim in the cited document."""

from __future__ import annotations

from cristal.knowledge import document_texts
from cristal.research._types import Claim, Evidence
from cristal.store import Store

__all__ = ["verify_quotes"]


def verify_quotes(store: Store, claims: list[Claim], evidence: list[Evidence]) -> int:
    """Drop citations whose quote is not at its offsets in the parsed document.

    A claim left without citations is marked unverified (and leaves the answer);
    citations may only point at retrieved evidence. Returns how many were dropped.
    """
    by_id = {e.id: e for e in evidence}
    texts = document_texts(store, [e.document_id for e in evidence])
    dropped = 0
    for claim in claims:
        kept = []
        for cite in claim.citations:
            source = by_id.get(cite.evidence or "")
            text = texts.get(source.document_id, "") if source else ""
            if source is not None and source.doc == cite.doc and \
                    text[cite.start:cite.end] == cite.quote:
                kept.append(cite)
            else:
                dropped += 1
        claim.citations = kept
        if not kept:
            claim.verified = False
            claim.note = claim.note or "no citation could be verified"
    return dropped
