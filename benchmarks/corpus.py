"""Generate a large mixed-language, mixed-format benchmark corpus with a question set.

    python benchmarks/corpus.py OUT_DIR --docs 2000 [--seed 7] [--jobs N] [--json] [--verify]

Writes OUT_DIR/docs/{en,ja}/{policy,product,minutes,faq}/*.{pdf,docx,html,txt} (about half
English and half Japanese, a quarter of each format, some Japanese TXT in Shift_JIS),
OUT_DIR/questions.jsonl (answer facts are planted unique values; the same layout and fields as
shared/eval/research-dev) and OUT_DIR/manifest.json. The output depends only on the seed and
--docs. PDFs need a Japanese TrueType font (apt-get install fonts-ipafont-gothic, or set
CRISTAL_CJK_FONT); it is cut down once to the characters the generator can emit.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import os
import random
import re
import sys
import tempfile
import time
import unicodedata
import zipfile
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _corpus_text as T  # noqa: E402

FORMATS, LANGS, KINDS = ("pdf", "docx", "html", "txt"), T.LANGS, tuple(T.BUILDERS)
PAGE_WEIGHTS = {1: 30, 2: 25, 3: 18, 4: 12, 5: 9, 6: 6}
CHARS_PER_PAGE = {"en": 2600, "ja": 1100}
FONTS = (
    "/usr/share/fonts/opentype/ipafont-gothic/ipagp.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
)
FIXED = datetime(2025, 1, 1)
_FONT = ""  # the subset font file, set in each worker


# Planning: every document's kind, language, format and planted facts -------------------------
def plan(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    combos = [(f"{p[0]} {i[0]} Co., Ltd.", f"株式会社{p[1]}{i[1]}") for p in T.PREFIXES
              for i in T.INDUSTRIES]
    companies = rng.sample(combos, min(len(combos), max(8, n // 25)))
    slots = [(lg, f, k) for lg in LANGS for f in FORMATS for k in KINDS] * (n // 32 + 1)
    rng.shuffle(slots)
    used: Counter = Counter()  # every planted value, to keep them unique
    pools: dict = defaultdict(list)

    def uniq(make, *args):
        for _ in range(200):
            v = make(rng, *args)
            if v not in used:
                break
        used[v] += 1
        return v

    def pool_pick(key: tuple, items: list):
        if not pools[key]:
            pools[key] = rng.sample(items, len(items))
        return pools[key].pop()

    docs = []
    for i, (lang, fmt, kind) in enumerate(slots[:n]):
        c = rng.randrange(len(companies))
        pages = rng.choices(list(PAGE_WEIGHTS), weights=list(PAGE_WEIGHTS.values()))[0]
        d = {"i": i, "lang": lang, "fmt": fmt, "kind": kind, "company": companies[c], "c": c,
             "budget": pages * CHARS_PER_PAGE[lang] - 500, "dept": rng.choice(T.DEPTS),
             "date": (rng.randint(2019, 2025), rng.randint(1, 12), rng.randint(1, 28)),
             "term": rng.choice([3, 6, 12, 24]), "version": rng.randint(1, 9),
             "enc": "shift_jis" if lang == "ja" and fmt == "txt" and rng.random() < 0.5
             else "utf-8"}
        if kind == "policy":
            t = pool_pick(("topic", c), [*range(len(T.TOPICS)), -1])  # -1: delegation rules
            d |= {"topic": t, "code": uniq(T.control_no, (T.DOA if t < 0 else T.TOPICS[t])[4]),
                  "amount": uniq(T.planted_amount), "ext": uniq(T.extension),
                  "approver": rng.choice(T.ROLES[:10]), "key": ("policy", c, t)}
            d |= {"doa_rows": []} if t < 0 else {}
        elif kind == "product":
            d |= {"product": uniq(T.product_name), "sku": uniq(T.sku),
                  "price": uniq(T.price)}
            d["key"] = ("product", d["product"])
        elif kind == "minutes":
            d |= {"committee": rng.choice(T.COMMITTEES), "no": rng.randint(10, 240),
                  "project": uniq(T.project_name), "budget_amt": uniq(T.planted_amount),
                  "owner": uniq(T.person, lang),
                  "due": (d["date"][0] + 1, rng.randint(1, 12), 28)}
            d["key"] = ("minutes", d["project"])
        else:
            d |= {"service": pool_pick(("svc", c), T.SERVICES), "phone": uniq(T.phone),
                  "fee": uniq(T.planted_amount) // 100}
            d["key"] = ("faq", c, d["service"])
        name = companies[c][0].removesuffix(" Co., Ltd.")
        d["path"] = f"{lang}/{kind}/{i:05d}-{re.sub('[^a-z0-9]+', '-', name.lower())}-{kind}.{fmt}"
        docs.append(d)
    doa = {d["c"]: d for d in docs if "doa_rows" in d}  # link policies to their company's DOA
    for d in docs:
        b = doa.get(d["c"])
        if d["kind"] == "policy" and "doa_rows" not in d and b and rng.random() < 0.6:
            j = LANGS.index(b["lang"])
            d |= {"doa": b["code"], "doa_doc": b, "doa_name": uniq(T.person, b["lang"])}
            b["doa_rows"].append((T.TOPICS[d["topic"]][j], d["code"], d["doa_name"],
                                  rng.choice(T.ROLES[:10])[j]))
    keys = Counter(d["key"] for d in docs)
    planted = ("amount", "ext", "price", "sku", "budget_amt", "owner", "fee", "phone", "doa_name")
    for d in docs:
        vals = [d[k] for k in planted if k in d]
        # question targets: one document per key, unique planted values, not delegation rules
        d["unique"] = keys[d["key"]] == 1 and all(used[v] == 1 for v in vals)
        d["unique"] = d["unique"] and "doa_rows" not in d
    return docs


# Rendering ------------------------------------------------------------------------------------
def clean(s: str) -> str:
    return s.translate(T.STRIP_MARKS)


def render_txt(blocks: list, lang: str) -> str:
    out: list[str] = []
    for kind, body in blocks:
        if kind == "title":
            out += [body, ("=" if lang == "en" else "＝") * len(body)]
        elif kind in ("h1", "h2"):
            out += ["", body if lang == "en" else f"{'■' if kind == 'h1' else '◆'} {body}"]
            out += ["-" * len(body)] if lang == "en" and kind == "h1" else []
        elif kind in ("p", "meta"):
            out.append(body)
        elif kind in ("ul", "ol"):
            out += [f"{'-' if kind == 'ul' else f'({j})'} {x}" for j, x in enumerate(body, 1)]
        else:
            out += [" | ".join(row) for row in body]
        out += [""] if kind in ("p", "ul", "ol", "table") else []
    return clean("\n".join(out).strip() + "\n")


def render_html(blocks: list, d: dict) -> str:
    def e(s: str) -> str:
        return html.escape(clean(s))

    parts = []
    for kind, body in blocks:
        tag = {"title": "h1", "h1": "h2", "h2": "h3", "p": "p", "meta": "p"}.get(kind)
        if tag:
            parts.append(f"<{tag}>{e(body)}</{tag}>")
        elif kind in ("ul", "ol"):
            parts.append(f"<{kind}>" + "".join(f"<li>{e(x)}</li>" for x in body) + f"</{kind}>")
        else:
            rows = [f"<tr>{''.join(f'<th>{e(c)}</th>' for c in body[0])}</tr>"]
            rows += [f"<tr>{''.join(f'<td>{e(c)}</td>' for c in r)}</tr>" for r in body[1:]]
            parts.append("<table>\n" + "\n".join(rows) + "\n</table>")
    co = e(d["company"][LANGS.index(d["lang"])])
    nav = "".join(f'<li><a href="/{x.lower()}/">{x}</a></li>'
                  for x in ("Home", "News", "Policies", "Products", "Support", "Directory"))
    return (f'<!DOCTYPE html>\n<html lang="{d["lang"]}">\n<head><meta charset="utf-8"><title>'
            f'{e(blocks[0][1])} | {co}</title></head>\n<body>\n<header><div class="logo">{co} '
            f"Intranet</div><nav><ul>{nav}</ul></nav></header>\n<main><article>\n"
            + "\n".join(parts) + f"\n</article></main>\n<footer><p>© {d['date'][0]} {co}. All "
            'rights reserved.</p><p><a href="/privacy/">Privacy</a> · <a href="/help/">Help</a>'
            "</p></footer>\n</body>\n</html>\n")


def render_docx(blocks: list) -> bytes:
    from docx import Document

    doc = Document()
    doc.core_properties.title, doc.core_properties.author = clean(blocks[0][1]), "benchmarks"
    doc.core_properties.created = doc.core_properties.modified = FIXED
    for kind, body in blocks:
        if kind in ("title", "h1", "h2"):
            doc.add_heading(clean(body), level={"title": 0, "h1": 1, "h2": 2}[kind])
        elif kind in ("p", "meta"):
            doc.add_paragraph(clean(body))
        elif kind in ("ul", "ol"):
            for x in body:
                doc.add_paragraph(clean(x), style="List Bullet" if kind == "ul" else "List Number")
        else:
            table = doc.add_table(rows=len(body), cols=len(body[0]), style="Table Grid")
            for r, row in enumerate(body):
                for cell, text in zip(table.rows[r].cells, row, strict=True):
                    cell.text = clean(text)
    buf, out = io.BytesIO(), io.BytesIO()
    doc.save(buf)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():  # fixed timestamps: the same bytes on every run
            dst.writestr(zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0)),
                         src.read(info.filename), zipfile.ZIP_DEFLATED)
    return out.getvalue()


# PDF: our own line breaking (fast, never inside a planted fact) and plain text() calls.
TOKENS = re.compile(f"{T.FACT_OPEN}[^{T.FACT_CLOSE}]*{T.FACT_CLOSE}|[!-~¥£€]+|\\s|.", re.S)
NO_START = set("、。，．,.)）」』】・ー々ぁぃぅぇぉっゃゅょァィゥェォッャュョ：；？！%％")
TOP, BOTTOM, LEFT, WIDTH = 20.0, 277.0, 18.0, 174.0


def render_pdf(blocks: list) -> tuple[bytes, int]:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED)
    pdf.set_auto_page_break(False)
    pdf.add_font("cjk", fname=_FONT)
    footer, at, widths = f"{clean(blocks[0][1])[:60]}  —  ", {"y": BOTTOM}, {}

    def w(tok: str) -> float:
        if tok not in widths:
            widths[tok] = pdf.get_string_width(clean(tok))
        return widths[tok]

    def wrap(text: str, maxw: float) -> list[str]:
        lines, cur, cw = [], "", 0.0
        for tok in TOKENS.findall(text):
            tw = w(tok)
            if cur.strip() and tok not in NO_START and cw + tw > maxw:
                lines.append(clean(cur).rstrip())
                cur, cw = ("", 0.0) if tok.isspace() else (tok, tw)
            else:
                cur, cw = cur + tok, cw + tw
        return lines + ([clean(cur).rstrip()] if cur.strip() else [])

    def page_footer() -> None:
        pdf.set_font("cjk", size=8)
        pdf.text(LEFT, 290, footer + str(pdf.page_no()))

    def need(h: float) -> None:
        if at["y"] + h > BOTTOM:
            if pdf.page_no():
                page_footer()
            pdf.add_page()
            at["y"] = TOP

    def lines(text: str, size: float, x: float = LEFT, maxw: float = WIDTH) -> None:
        pdf.set_font("cjk", size=size)
        widths.clear()
        for line in wrap(text, maxw):
            need(size * 0.5)
            at["y"] += size * 0.5
            pdf.text(x, at["y"], line)

    for kind, body in blocks:
        if kind in ("title", "h1", "h2"):
            at["y"] += {"title": 2, "h1": 5, "h2": 3}[kind]
            need(12)
            lines(body, {"title": 16, "h1": 13, "h2": 11}[kind])
        elif kind in ("p", "meta"):
            lines(body, 10 if kind == "p" else 8.5)
        elif kind in ("ul", "ol"):
            for j, x in enumerate(body, 1):
                lines(("・" if kind == "ul" else f"{j}. ") + x, 10, LEFT + 4, WIDTH - 4)
        else:
            pdf.set_font("cjk", size=9)
            widths.clear()
            nat = [max(w(c) for c in col) + 4 for col in zip(*body, strict=True)]
            cw = [WIDTH * x / sum(nat) for x in nat]
            for row in body:
                cells = [wrap(c, cw[j] - 3) or [""] for j, c in enumerate(row)]
                h = max(map(len, cells)) * 4.6 + 1.6
                need(h)
                for j, cell in enumerate(cells):
                    x = LEFT + sum(cw[:j])
                    pdf.rect(x, at["y"], cw[j], h)
                    for k, line in enumerate(cell):
                        pdf.text(x + 1.5, at["y"] + 4.4 + k * 4.6, line)
                at["y"] += h
            at["y"] += 1
        at["y"] += 2
    page_footer()
    return bytes(pdf.output()), pdf.page_no()


def render(d: dict, seed: int, out: str) -> dict:
    blocks = T.BUILDERS[d["kind"]](d, random.Random(f"{seed}:{d['i']}"))
    chars = sum(len(clean(str(b))) for _, b in blocks)
    pages = max(1, round(chars / CHARS_PER_PAGE[d["lang"]]))
    if d["fmt"] == "pdf":
        data, pages = render_pdf(blocks)
    elif d["fmt"] == "docx":
        data = render_docx(blocks)
    elif d["fmt"] == "html":
        data = render_html(blocks, d).encode()
    else:
        text = render_txt(blocks, d["lang"])
        sjis = d["enc"] == "shift_jis"
        data = text.replace("\n", "\r\n").encode("shift_jis") if sjis else text.encode()
    path = Path(out, "docs", d["path"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {"path": d["path"], "format": d["fmt"], "lang": d["lang"], "kind": d["kind"],
            "encoding": d["enc"] if d["fmt"] == "txt" else None, "bytes": len(data),
            "pages": pages}


def render_batch(batch: list[dict], seed: int, out: str, font: str) -> list[dict]:
    global _FONT
    _FONT = font
    return [render(d, seed, out) for d in batch]


def subset_font(out: Path) -> str:
    """Cut the CJK font, once, down to the characters this generator can emit (those in its
    source files), so each PDF loads and embeds a small font."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    env = os.environ.get("CRISTAL_CJK_FONT")
    src = next((f for f in ([env] if env else []) + list(FONTS) if Path(f).is_file()), None)
    if not src:
        sys.exit("No Japanese TrueType font: apt-get install fonts-ipafont-gothic, "
                 "or set CRISTAL_CJK_FONT=/path/to/font.ttf")
    here = Path(__file__).resolve().parent
    chars = set((here / "_corpus_text.py").read_text("utf-8") + Path(__file__).read_text("utf-8"))
    chars = {c for c in chars if not unicodedata.category(c).startswith("C")}
    opts = subset.Options()
    opts.hinting, opts.notdef_outline = False, True
    font = TTFont(src, recalcTimestamp=False)
    sub = subset.Subsetter(opts)
    sub.populate(text="".join(sorted(chars | set(map(chr, range(32, 127))))))
    sub.subset(font)
    font.save(str(out))
    return str(out)


def verify(out_dir: Path, questions: list[dict]) -> list[str]:
    """Answer facts missing from the text Cristal's own parsers extract from the gold docs."""
    from cristal.knowledge.parsers import parse_file

    texts = {g: parse_file(out_dir / "docs" / g).text for q in questions for g in q["gold_docs"]}
    return [f"{q['id']}: {f!r} not in {q['gold_docs']}" for q in questions
            for f in q["answer_facts"] if not any(f in texts[g] for g in q["gold_docs"])]


def main() -> None:
    from rich.console import Console
    from rich.progress import Progress

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--questions", type=int, default=50)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--json", action="store_true", help="end with one JSON line: the manifest")
    ap.add_argument("--verify", action="store_true", help="parse gold docs, check answer facts")
    args = ap.parse_args()
    console, start = Console(stderr=True), time.perf_counter()
    docs = plan(args.docs, args.seed)
    console.print(f"planned {len(docs)} documents (seed {args.seed}), {args.jobs} jobs")
    order = sorted(docs, key=lambda d: (d["i"] % 40, d["i"]))  # mixes formats in each batch
    batches = [order[k : k + 25] for k in range(0, len(order), 25)]
    files: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp, Progress(console=console, transient=True) as bar:
        font, task = subset_font(Path(tmp, "cjk.ttf")), bar.add_task("rendering", total=len(docs))
        with ProcessPoolExecutor(max_workers=args.jobs) as ex:
            futs = [ex.submit(render_batch, b, args.seed, str(args.out_dir), font) for b in batches]
            for f in as_completed(futs):
                files += f.result()
                bar.advance(task, 25)
    files.sort(key=lambda f: f["path"])
    questions = T.make_questions(docs, args.seed, args.questions)
    with open(args.out_dir / "questions.jsonl", "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(q, ensure_ascii=False) + "\n" for q in questions)

    def count(values) -> dict:
        return dict(sorted(Counter(values).items()))

    manifest = {
        "generator": "benchmarks/corpus.py", "seed": args.seed, "docs": len(files),
        "by_format": count(f["format"] for f in files), "by_lang": count(f["lang"] for f in files),
        "by_kind": count(f["kind"] for f in files),
        "by_format_lang": count(f"{f['format']}/{f['lang']}" for f in files),
        "txt_encodings": count(f["encoding"] for f in files if f["encoding"]),
        "total_bytes": sum(f["bytes"] for f in files),
        "total_pages": sum(f["pages"] for f in files),
        "pdf_pages": sum(f["pages"] for f in files if f["format"] == "pdf"),
        "pages_note": f"PDF: real pages; others: characters / {CHARS_PER_PAGE}",
        "questions": len(questions), "questions_by_lang": count(q["lang"] for q in questions),
        "two_hop_questions": sum(q["hops"] == 2 for q in questions),
        "cross_lingual_questions": sum(any(not g.startswith(q["lang"]) for g in q["gold_docs"])
                                       for q in questions),
        "unanswerable_questions": sum(not q["answerable"] for q in questions),
    }
    (args.out_dir / "manifest.json").write_text(
        json.dumps({**manifest, "files": files}, ensure_ascii=False, indent=1) + "\n", "utf-8")
    elapsed = time.perf_counter() - start
    problems = verify(args.out_dir, questions) if args.verify else []
    for line in problems:
        console.print(f"[red]{line}[/red]")
    if args.verify:
        console.print(f"verified {len(questions)} questions: {len(problems)} missing fact(s)")
    console.print(f"wrote {len(files)} docs ({manifest['total_bytes'] / 1e6:.1f} MB, "
                  f"{manifest['total_pages']} pages) and {len(questions)} questions to "
                  f"{args.out_dir} in {elapsed:.1f}s\nformats {manifest['by_format']}, "
                  f"languages {manifest['by_lang']}, txt {manifest['txt_encodings']}")
    if args.json:
        sys.stderr.flush()
        print(json.dumps({**manifest, "out_dir": str(args.out_dir), "elapsed_s": round(elapsed, 1)},
                         ensure_ascii=False), flush=True)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
