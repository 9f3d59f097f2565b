"""Report files: report.md, a self-contained report.html, and report.json (the contract)."""

from __future__ import annotations

import html
import json
from pathlib import Path

from cristal.research._types import Report
from cristal.store import private_dir, write_private_text

__all__ = ["render_html", "render_markdown", "write_report"]

_CSS = """
body{font:16px/1.6 system-ui,-apple-system,"Segoe UI","Hiragino Sans","Noto Sans JP",sans-serif;
max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1d2327;background:#fff}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;
border-bottom:1px solid #ddd}h3{font-size:1.05rem;margin:1.2rem 0 .3rem}
.meta{color:#666;font-size:.85rem}.mode{background:#f4f6f8;padding:.5rem .8rem;
border-radius:6px;font-size:.9rem}.notfound{background:#fff4e5;padding:.6rem .8rem;
border-radius:6px}ul.claims li{margin:.35rem 0}a.cite{text-decoration:none;font-size:.8rem;
vertical-align:super;margin-left:.1rem}.unverified{color:#999;text-decoration:line-through}
section.src{border:1px solid #e3e6e8;border-radius:6px;padding:.6rem .9rem;margin:.8rem 0}
section.src:target{border-color:#2a7ae2;box-shadow:0 0 0 3px #d6e6fb}
.ctx{white-space:pre-wrap;font-size:.9rem;color:#444}mark{background:#fff0a6;color:#000}
.direct{font-size:1.1rem}.where{font-family:ui-monospace,monospace;font-size:.85rem}table{border-collapse:collapse}
td,th{border:1px solid #ddd;padding:.2rem .5rem;font-size:.85rem;text-align:left}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _numbers(report: Report) -> dict[str, int]:
    numbers: dict[str, int] = {}
    for claim in report.claims:
        if claim.verified:
            for cite in claim.citations:
                numbers.setdefault(cite.evidence or cite.quote, len(numbers) + 1)
    return numbers


def _context(text: str | None, start: int, end: int, width: int = 280) -> str:
    if not text or text[start:end] == "":
        return ""
    left = max(0, text.rfind("\n\n", 0, max(0, start - width)) + 1, start - width)
    right = min(len(text), end + width)
    before = ("…" if left > 0 else "") + text[left:start]
    after = text[end:right] + ("…" if right < len(text) else "")
    return f"{_e(before)}<mark>{_e(text[start:end])}</mark>{_e(after)}"


def render_html(report: Report, texts: dict[str, str] | None = None) -> str:
    """A self-contained page: the answer with clickable citations to highlighted passages."""
    texts = texts or {}
    numbers = _numbers(report)
    by_id = {e.id: e for e in report.evidence}
    words_ja = report.lang == "ja"
    out = [f"<!doctype html><html lang='{_e(report.lang)}'><head><meta charset='utf-8'>",
           "<meta name='viewport' content='width=device-width,initial-scale=1'>",
           f"<title>{_e(report.question)}</title><style>{_CSS}</style></head><body>",
           f"<h1>{_e(report.question)}</h1>",
           f"<p class='meta'>{_e(report.id)} · {_e(report.collection)} · "
           f"{_e(report.created_at[:19].replace('T', ' '))} UTC · "
           f"{report.timings_ms.get('research', 0):.0f} ms · "
           f"{report.model_calls} model call(s)</p>"]
    shown = [c for c in report.claims if c.verified]
    if not shown:
        out.append(f"<p class='notfound'>{_e(report.answer.strip())}</p>")
    else:
        label = "回答" if words_ja else "Answer"
        for claim in report.direct:
            if not claim.verified:
                continue
            refs = "".join(
                f"<a class='cite' href='#src-{numbers[c.evidence or c.quote]}'>"
                f"[{numbers[c.evidence or c.quote]}]</a>"
                for c in claim.citations if (c.evidence or c.quote) in numbers)
            out.append(f"<p class='direct'><strong>{label}:</strong> "
                       f"{_e(' '.join(claim.text.split()))}{refs}</p>")
        mode = next((line for line in report.answer.splitlines() if line.startswith("_")), "")
        out.append(f"<p class='mode'>{_e(mode.strip('_ '))}</p>")
        subs = report.sub_questions
        for sub in subs:
            mine = [c for c in report.claims if c.sub_question == sub.id]
            if len(subs) > 1:
                out.append(f"<h3>{_e(sub.text)}</h3>")
            if not any(c.verified for c in mine):
                nf = "文書内に見つかりませんでした。" if words_ja else "Not found in the documents."
                out.append(f"<p class='notfound'>{nf}</p>")
                continue
            out.append("<ul class='claims'>")
            for claim in mine:
                cls = "" if claim.verified else " class='unverified'"
                refs = "".join(
                    f"<a class='cite' href='#src-{numbers[c.evidence or c.quote]}'>"
                    f"[{numbers[c.evidence or c.quote]}]</a>"
                    for c in claim.citations if (c.evidence or c.quote) in numbers)
                text = claim.text.strip()
                block = any(line.lstrip().startswith(("|", "- ", "* ", "・"))
                            for line in text.split("\n")[1:])
                body = (f"<div class='ctx'>{_e(text)}</div>" if block
                        else _e(" ".join(text.split())))
                out.append(f"<li{cls}>{body}{refs}</li>")
            out.append("</ul>")
    for note in report.notes:
        out.append(f"<p class='meta'>{_e(note)}</p>")
    if numbers:
        out.append(f"<h2>{'出典' if words_ja else 'Sources'}</h2>")
        for key, number in numbers.items():
            e = by_id.get(key)
            if e is None:
                continue
            where = e.doc + (f", p. {e.page}" if e.page else "")
            section = " › ".join(e.heading_path)
            ctx = _context(texts.get(e.document_id), e.start, e.end) or \
                f"<mark>{_e(e.quote)}</mark>"
            out.append(f"<section class='src' id='src-{number}'><div class='where'>[{number}] "
                       f"{_e(where)} · chars {e.start}–{e.end}</div>"
                       f"<div class='meta'>{_e(section)}</div><div class='ctx'>{ctx}</div>"
                       "</section>")
    out.append(f"<h2>{'調査の過程' if words_ja else 'How this was researched'}</h2><table>")
    out.append("<tr><th>sub-question</th><th>found</th><th>queries</th></tr>")
    for sub in report.sub_questions:
        queries = "<br>".join(_e(q) for q in sub.steps) or "—"
        out.append(f"<tr><td>{_e(sub.text)}</td><td>{'yes' if sub.found else 'no'}</td>"
                   f"<td>{queries}</td></tr>")
    out.append("</table><h3>Documents, in the order the research ranked them</h3><ol>")
    out += [f"<li class='where'>{_e(d['doc'])}</li>" for d in report.retrieved[:10]]
    out.append("</ol></body></html>")
    return "\n".join(out)


def render_markdown(report: Report) -> str:
    """The Markdown report: question, answer with sources, and the research trace."""
    lines = [f"# {report.question}", "",
             f"*{report.id} · collection `{report.collection}` · "
             f"{report.timings_ms.get('research', 0):.0f} ms · "
             f"{report.model_calls} model call(s)*", "", report.answer.rstrip(), "",
             "## Research trace", ""]
    for sub in report.sub_questions:
        state = "found" if sub.found else "not found"
        lines.append(f"- **{sub.id}** {sub.text} — {state}")
        lines += [f"  - query: `{q}`" for q in sub.steps]
    lines += ["", "Documents, in the order the research ranked them:", ""]
    lines += [f"{d['rank']}. `{d['doc']}`" for d in report.retrieved[:10]]
    return "\n".join(lines) + "\n"


def write_report(report: Report, out_dir: Path, texts: dict[str, str] | None = None) -> list[Path]:
    """Write report.md, report.html and report.json into `out_dir`; return their paths."""
    private_dir(out_dir)  # reports quote confidential documents: 0700 folder, 0600 files
    files = {
        "report.md": render_markdown(report),
        "report.html": render_html(report, texts),
        "report.json": json.dumps(report.to_contract(), ensure_ascii=False, indent=2) + "\n",
    }
    paths = []
    for name, content in files.items():
        paths.append(write_private_text(out_dir / name, content))
    return paths
