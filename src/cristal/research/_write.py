"""Writing the answer: extractive (quotes only, no model) and the Markdown around claims."""

from __future__ import annotations

from cristal.research._types import Citation, Claim, Evidence, SubQuestion

__all__ = ["TEXT", "answer_markdown", "direct_claims", "extractive_claims", "neighbour_claims"]

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
        "answer": "Answer",
        "contrast": "Not found in the documents: they give this for {found}, not for {asked}.",
        "judged": "Not found in the documents: they give this for {found}, not for {asked}.",
        "excluded": "Not found in the documents: for {asked} they only say the following.",
        "absent": "Not found in the documents: nothing in them mentions {asked}; the closest "
                  "passage is about something else.",
        "closest": "Closest passage (not an answer):",
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
        "answer": "回答",
        "contrast": "{found}についての記載はありますが、{asked}については見つかりませんでした。",
        "judged": "{found}についての記載はありますが、{asked}については見つかりませんでした。",
        "excluded": "{asked}については、文書には次の記載しかなく、答えは見つかりませんでした。",
        "absent": "{asked}についての記載は見つかりませんでした。"
                  "最も近い箇所は別の対象についてのものです。",
        "closest": "最も近い記載（回答ではありません）：",
    },
}


def _citation(e: Evidence) -> Citation:
    return Citation(doc=e.doc, quote=e.quote, start=e.start, end=e.end, page=e.page,
                    evidence=e.id)


def extractive_claims(evidence: list[Evidence]) -> list[Claim]:
    """One claim per evidence sentence: the quote itself, citing where it stands."""
    return [Claim(text=e.quote, citations=[_citation(e)], sub_question=e.sub_question)
            for e in evidence]


def neighbour_claims(evidence: list[Evidence]) -> list[Claim]:
    """The neighbour's passages as claims (shown as 'closest passage', never as the answer)."""
    return [Claim(text=e.quote, citations=[_citation(e)], sub_question=e.sub_question,
                  note="neighbour") for e in evidence]


def neighbour_line(lang: str, neighbour: dict[str, str]) -> str:
    """The sentence that says only a neighbour was found, in the question's language."""
    words = TEXT.get(lang, TEXT["en"])
    return words[neighbour["kind"]].format(asked=neighbour["asked"], found=neighbour["found"])


def _row_text(block: str, row: str) -> str | None:
    """A table row with its column names ("等級: G4 課長 · 日当: 3,000円"), if it is one."""
    lines = [line.strip() for line in block.split("\n") if line.strip().startswith("|")]
    if len(lines) < 3 or row.strip() not in lines[2:]:
        return None
    def cells(line: str) -> list[str]:
        return [c.strip() for c in line.strip().strip("|").split("|")]
    header, values = cells(lines[0]), cells(row)
    if len(header) != len(values):
        return None
    return " · ".join(f"{h}: {v}" if h else v for h, v in zip(header, values, strict=True))


def direct_claims(subs: list[SubQuestion], claims: list[Claim], evidence: list[Evidence],
                  typed: dict[str, bool]) -> list[Claim]:
    """One line per answered sub-question, to lead the report: the sentence or table row
    that scored best (for amounts, counts and times, the best one carrying such a value).

    `typed[evidence id]` says whether that evidence's focus carries the value asked for.
    The line cites exactly that sentence or row, so it is verified like any quote.
    """
    by_id = {e.id: e for e in evidence}
    out = []
    for sub in subs:
        mine = [c for c in claims if c.sub_question == sub.id and c.verified and c.citations]
        if not mine:
            continue
        cited = [by_id[c.citations[0].evidence] for c in mine
                 if c.citations[0].evidence in by_id]
        if not cited:
            continue
        e = next((x for x in cited if typed.get(x.id)), cited[0])
        start, end = e.focus or (e.start, e.end)
        if not e.start <= start < end <= e.end:
            start, end = e.start, e.end
        # A focus inside a table row stands for the whole row.
        line_start = e.quote.rfind("\n", 0, start - e.start) + 1
        line_end = e.quote.find("\n", end - e.start)
        line_end = len(e.quote) if line_end < 0 else line_end
        if e.quote[line_start:line_end].lstrip().startswith("|"):
            start, end = e.start + line_start, e.start + line_end
        quote = e.quote[start - e.start:end - e.start]
        text = _row_text(e.quote, quote) or quote
        out.append(Claim(text=text, citations=[Citation(
            doc=e.doc, quote=quote, start=start, end=end, page=e.page, evidence=e.id)],
            sub_question=sub.id))
    return out


def _display(text: str) -> str:
    return " ".join(text.split())


def _claim_lines(claim: Claim, numbers: dict[str, int], words: dict[str, str]) -> list[str]:
    """A claim as a bullet; a quoted table or list follows the bullet as its own block."""
    refs = _refs(claim, numbers)
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
    direct: list[Claim] | None = None,
    neighbours: list[Claim] | None = None,
) -> str:
    """The report text: the direct answer first, then the quotes by sub-question, sources.

    A sub-question with only a neighbour says so and shows the closest passage.
    """
    words = TEXT.get(lang, TEXT["en"])
    shown = [c for c in claims if c.verified]
    near = [c for c in neighbours or [] if c.verified]
    numbers: dict[str, int] = {}
    for claim in [*shown, *near]:
        for cite in claim.citations:
            numbers.setdefault(cite.evidence or cite.quote, len(numbers) + 1)
    lines: list[str] = []
    if not shown:
        told = [s for s in subs if s.neighbour]
        if not told:
            lines = [words["not_found_all"]]
        for sub in told:
            lines += [neighbour_line(lang, sub.neighbour), "", words["closest"], ""]
            for claim in [c for c in near if c.sub_question == sub.id]:
                lines += _claim_lines(claim, numbers, words)
            lines.append("")
        lines += [f"\n> {n}" for n in notes or []]
        if near:
            lines += _sources(numbers, evidence, words)
        return "\n".join(lines).rstrip() + "\n"
    direct = [c for c in direct or [] if c.verified]
    if direct:
        if len(direct) == 1:
            lines += [f"**{words['answer']}:** {_display(direct[0].text)} "
                      f"{_refs(direct[0], numbers)}", ""]
        else:
            lines += [f"**{words['answer']}**", ""]
            lines += [f"- {_display(c.text)} {_refs(c, numbers)}" for c in direct]
            lines.append("")
    lines += [f"_{mode_line}_", ""]
    for sub in subs:
        if len(subs) > 1:
            lines += [f"### {sub.text}", ""]
        mine = [c for c in shown if c.sub_question == sub.id]
        if not mine:
            if sub.neighbour:
                lines += [f"- _{neighbour_line(lang, sub.neighbour)}_"]
                lines += [line for c in near if c.sub_question == sub.id
                          for line in _claim_lines(c, numbers, words)]
            else:
                lines += [f"- _{words['not_found']}_"]
            lines.append("")
            continue
        for claim in mine:
            lines += _claim_lines(claim, numbers, words)
        lines.append("")
    for claim in [c for c in shown if c.sub_question not in {s.id for s in subs}]:
        lines += _claim_lines(claim, numbers, words)
    for note in notes or []:
        lines += ["", f"> {note}"]
    lines += _sources(numbers, evidence, words)
    return "\n".join(lines).rstrip() + "\n"


def _refs(claim: Claim, numbers: dict[str, int]) -> str:
    return "".join(f"[{numbers[c.evidence or c.quote]}]" for c in claim.citations
                   if (c.evidence or c.quote) in numbers)


def _sources(numbers: dict[str, int], evidence: list[Evidence],
             words: dict[str, str]) -> list[str]:
    by_id = {e.id: e for e in evidence}
    lines = ["", f"**{words['sources']}**", ""]
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
    return lines
