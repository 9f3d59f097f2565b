"""Writing the answer: extractive (quotes only, no model) and the Markdown around claims."""

from __future__ import annotations

from cristal.research._types import Citation, Claim, Evidence, SubQuestion

__all__ = ["TEXT", "answer_markdown", "extractive_claims"]

TEXT = {
    "en": {
        "extractive": "Extractive answer: the sentences below are quoted verbatim from your "
                      "documents; no model was used.",
        "model": "Answer written by {model} from the quoted evidence; every sentence cites it.",
        "not_found": "Not found in the documents.",
        "not_found_all": "Not found in the documents: none of the passages searched answers "
                         "this question.",
        "unverified": "Claims removed because their evidence did not support them: {n}.",
        "sources": "Sources",
        "table": "Table:",
        "page": "p. {page}",
    },
    "ja": {
        "extractive": "抽出型の回答：以下は文書の文をそのまま引用したものです"
                      "（モデルは使用していません）。",
        "model": "{model} が引用した根拠に基づいて作成した回答です。各文に出典を示しています。",
        "not_found": "文書内に見つかりませんでした。",
        "not_found_all": "文書内に見つかりませんでした。"
                         "検索したどの箇所にも、この質問への答えはありません。",
        "unverified": "根拠が主張を裏付けなかったため削除した記述：{n}件。",
        "sources": "出典",
        "table": "表：",
        "page": "{page}ページ",
    },
}


def _citation(e: Evidence) -> Citation:
    return Citation(doc=e.doc, quote=e.quote, start=e.start, end=e.end, page=e.page,
                    evidence=e.id)


def extractive_claims(evidence: list[Evidence]) -> list[Claim]:
    """One claim per evidence sentence: the quote itself, citing where it stands."""
    return [Claim(text=e.quote, citations=[_citation(e)], sub_question=e.sub_question)
            for e in evidence]


def _display(text: str) -> str:
    return " ".join(text.split())


def _claim_lines(claim: Claim, numbers: dict[str, int], words: dict[str, str]) -> list[str]:
    """A claim as a bullet; a quoted table or list follows the bullet as its own block."""
    refs = "".join(f"[{numbers[c.evidence or c.quote]}]" for c in claim.citations)
    text = claim.text.strip()
    block_at = next((i for i, line in enumerate(text.split("\n"))
                     if line.lstrip().startswith(("|", "- ", "* ", "・"))), None)
    if block_at is None or "\n" not in text:
        return [f"- {_display(text)} {refs}"]
    lines = text.split("\n")
    lead = _display(" ".join(lines[:block_at])) or words["table"]
    return [f"- {lead} {refs}", "", *[line.strip() for line in lines[block_at:]], ""]


def answer_markdown(
    lang: str,
    subs: list[SubQuestion],
    claims: list[Claim],
    evidence: list[Evidence],
    mode_line: str,
    notes: list[str] | None = None,
) -> str:
    """The report text: claims grouped by sub-question, numbered citations, sources."""
    words = TEXT.get(lang, TEXT["en"])
    shown = [c for c in claims if c.verified]
    if not shown:
        lines = [words["not_found_all"]]
        lines += [f"\n> {n}" for n in notes or []]
        return "\n".join(lines) + "\n"
    numbers: dict[str, int] = {}
    for claim in shown:
        for cite in claim.citations:
            numbers.setdefault(cite.evidence or cite.quote, len(numbers) + 1)
    lines = [f"_{mode_line}_", ""]
    for sub in subs:
        if len(subs) > 1:
            lines += [f"### {sub.text}", ""]
        mine = [c for c in shown if c.sub_question == sub.id]
        if not mine:
            lines += [f"- _{words['not_found']}_", ""]
            continue
        for claim in mine:
            lines += _claim_lines(claim, numbers, words)
        lines.append("")
    for claim in [c for c in shown if c.sub_question not in {s.id for s in subs}]:
        lines += _claim_lines(claim, numbers, words)
    for note in notes or []:
        lines += ["", f"> {note}"]
    by_id = {e.id: e for e in evidence}
    lines += ["", f"**{words['sources']}**", ""]
    for key, number in numbers.items():
        e = by_id.get(key)
        if e is None:
            continue
        where = [e.doc]
        if e.page:
            where.append(words["page"].format(page=e.page))
        if e.heading_path:
            where.append(" › ".join(e.heading_path[-2:]))
        quote = _display(e.quote)
        quote = quote if len(quote) <= 160 else quote[:157] + "…"
        lines.append(f"- [{number}] {', '.join(where)}: “{quote}”")
    return "\n".join(lines).rstrip() + "\n"
