"""The research pages in Chromium: ask over chosen collections with live progress, the report
with numbered citations, the cited passage highlighted in its document, downloads, history,
restricted collections and documents, CSRF, Japanese, and hostile document text."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from acl_world import SECRET
from cristal.app import knowledge, research
from cristal.governance import get_tenant
from cristal.knowledge import ingest_paths

QUESTION = "Who approves expense claims?"

# Collects the lines of the progress list as they appear, across the navigation that
# follows (Playwright injects it through the DevTools protocol, outside the page's CSP).
_WATCH_PROGRESS = """
document.addEventListener("DOMContentLoaded", () => {
  const list = document.getElementById("progress-list");
  if (!list) return;
  new MutationObserver(() => {
    const seen = [...list.querySelectorAll("li")].map((li) => li.textContent);
    sessionStorage.setItem("progress", JSON.stringify(seen));
  }).observe(list, { childList: true });
});
"""


def _doc_id(console, collection: str, name: str) -> str:
    docs = knowledge.list_documents(console.world.app, console.world.admin, collection)
    return next(d["id"] for d in docs if d["path"].endswith(name))


def _form_token(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


@contextlib.contextmanager
def _client(console, who: str) -> Iterator[httpx.Client]:
    console.world.app.settings.console.secure_cookies = False  # httpx: no Secure over http
    with httpx.Client(base_url=console.url, timeout=60) as http:
        form = http.get("/signin")
        http.post("/signin", data={"key": console.keys[who], "csrf": _form_token(form.text)})
        yield http


def test_member_asks_sees_progress_then_a_cited_report_and_the_highlighted_source(
        console, signed_in, shots, tmp_path):
    page = signed_in("member")
    page.add_init_script(_WATCH_PROGRESS)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Research").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Research")
    choices = page.get_by_role("group", name="Collections to search")
    expect(choices.get_by_role("checkbox", name=re.compile("handbook"))).to_be_visible()
    assert choices.get_by_role("checkbox", name=re.compile("vault")).count() == 0
    page.get_by_role("textbox", name="Question").fill(QUESTION)
    choices.get_by_role("checkbox", name=re.compile("handbook")).check()
    page.screenshot(path=str(shots / "research-en.png"), full_page=True)
    with page.expect_response(re.compile(r"/research/ask$")) as streamed:
        page.get_by_role("button", name="Ask").click()
    assert streamed.value.headers["content-type"].startswith("text/event-stream")
    page.wait_for_url(re.compile(r"/research/[\w-]+$"))
    shown = page.evaluate("JSON.parse(sessionStorage.getItem('progress') || '[]')")
    assert shown[0] == "Researching…"
    assert any(line.startswith("Planning") for line in shown), shown
    assert any(line.startswith("Searching: ") for line in shown), shown
    assert shown[-1] == "The report is ready. Opening it…"

    # The report: the question, the answer first, numbered citations, the sources.
    expect(page.get_by_role("heading", level=1)).to_have_text(QUESTION)
    answer = page.get_by_role("region", name="Answer")
    expect(answer).to_contain_text("line manager")
    claim = answer.get_by_role("listitem").filter(has_text="the line manager")
    cite = claim.get_by_role("link", name=re.compile(r"^Source \d+: Expense policy$"))
    expect(cite).to_have_text(re.compile(r"^\[\d+\]$"))
    number = cite.inner_text().strip("[]")
    sources = page.get_by_role("region", name="Sources")
    expect(sources.locator(f"li#src-{number}")).to_contain_text(
        "The approver for expense claims is the line manager.")
    page.screenshot(path=str(shots / "research-report-en.png"), full_page=True)
    report_url = page.url

    # A citation opens the document, the quoted passage marked and scrolled into view.
    cite.click()
    page.wait_for_url(re.compile(r"/documents/[\w-]+\?.*#cited$"))
    mark = page.locator("mark#cited")
    expect(mark).to_contain_text("line manager")
    expect(mark).to_be_in_viewport()
    expect(page.locator(".doc-text")).to_contain_text("Expense claims must be submitted")
    expect(page.get_by_role("status")).to_contain_text("highlighted")
    page.screenshot(path=str(shots / "research-document-en.png"), full_page=True)
    page.get_by_role("link", name="← Back to the report").click()
    page.wait_for_url(report_url)

    # Downloads: md as an attachment; html with its own strict CSP.
    with page.expect_download() as got:
        page.get_by_role("link", name="Report as MD").click()
    download = got.value
    assert download.suggested_filename.endswith(".md")
    saved = tmp_path / "report.md"
    download.save_as(saved)
    text = saved.read_text("utf-8")
    assert QUESTION in text and "line manager" in text
    html = page.request.get(report_url + "/download/html")
    assert html.status == 200 and "line manager" in html.text()
    assert html.headers["content-security-policy"] == \
        "default-src 'none'; style-src 'unsafe-inline'"
    assert html.headers["content-disposition"].startswith("attachment;")

    # History: the session is listed on /research and links back to the report.
    page.goto(f"{console.url}/research")
    history = page.get_by_role("region", name="Your research")
    history.get_by_role("link", name=QUESTION).click()
    page.wait_for_url(report_url)


def test_restricted_documents_are_not_found_for_those_who_may_not_read_them(
        console, signed_in):
    vault_doc = _doc_id(console, "vault", "board-minutes-kestrel.md")
    alice = signed_in("member")
    answer = alice.goto(f"{console.url}/documents/{vault_doc}")
    assert answer.status == 404
    expect(alice.get_by_role("alert")).not_to_contain_text(SECRET)
    missing = alice.goto(f"{console.url}/documents/doc_nope")
    assert missing.status == 404
    bob = signed_in("reader")
    answer = bob.goto(f"{console.url}/documents/{vault_doc}?start=0&end=10")
    assert answer.status == 200
    expect(bob.locator(".doc-text")).to_contain_text(SECRET)
    bob.goto(f"{console.url}/research")
    choices = bob.get_by_role("group", name="Collections to search")
    expect(choices.get_by_role("checkbox", name=re.compile("vault"))).to_be_visible()
    # A role without research gets the refusal page.
    approver = signed_in("approver")
    answer = approver.goto(f"{console.url}/research")
    assert answer.status == 403
    expect(approver.get_by_role("heading", level=1)).to_have_text("Not allowed")


def test_without_javascript_the_form_posts_and_csrf_is_checked(console):
    with _client(console, "member") as http:
        form = http.get("/research")
        assert form.status_code == 200 and "vault" not in form.text
        token = _form_token(form.text)
        refused = http.post("/research", data={"question": QUESTION, "csrf": "forged"})
        assert refused.status_code == 403 and "security token" in refused.text
        refused = http.post("/research/ask", data={"question": QUESTION},
                            headers={"X-CSRF-Token": "forged"})
        assert refused.status_code == 403
        other_site = http.post("/research/ask", data={"question": QUESTION},
                               headers={"X-CSRF-Token": token,
                                        "Origin": "https://evil.example"})
        assert other_site.status_code == 403
        empty = http.post("/research", data={"question": "  ", "csrf": token})
        assert empty.status_code == 400 and "Write a question first." in empty.text
        done = http.post("/research", data={"question": QUESTION, "collections": "handbook",
                                            "csrf": token})
        assert done.status_code == 303
        report = http.get(done.headers["location"])
        assert report.status_code == 200 and "line manager" in report.text
        hidden = http.post("/research", data={"question": QUESTION, "collections": "vault",
                                              "csrf": token})
        assert hidden.status_code == 404 and SECRET not in hidden.text


def test_research_in_japanese(console, signed_in, shots):
    report, _ = research.ask(console.world.app, console.world.alice, QUESTION,
                             collections=["handbook"], embed=False)
    page = signed_in("member", lang="ja")
    page.get_by_role("navigation", name="メイン").get_by_role("link", name="リサーチ").click()
    assert page.locator("html").get_attribute("lang") == "ja"
    expect(page.get_by_role("heading", level=1)).to_have_text("リサーチ")
    expect(page.get_by_label("質問", exact=True)).to_be_visible()
    expect(page.get_by_role("group", name="検索するコレクション")).to_be_visible()
    expect(page.get_by_role("button", name="質問する")).to_be_visible()
    expect(page.get_by_role("heading", name="あなたのリサーチ")).to_be_visible()
    page.screenshot(path=str(shots / "research-ja.png"), full_page=True)
    page.get_by_role("region", name="あなたのリサーチ").get_by_role("link", name=QUESTION).click()
    expect(page.get_by_role("heading", name="回答")).to_be_visible()
    expect(page.get_by_role("region", name="出典")).to_contain_text("line manager")
    expect(page.get_by_role("link", name=re.compile(r"^出典 \d+: Expense policy$")).first
           ).to_be_visible()
    expect(page.get_by_role("link", name="MD 形式のレポート")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("文書からの引用（モデル不使用）")


@pytest.fixture
def hostile(console, tmp_path) -> str:
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "notes.md").write_text(
        "# Notes\n\nBefore <script>alert(1)</script> and {{ 7*7 }} after.\n", "utf-8")
    store = console.world.app.store
    ingest_paths(store, get_tenant(store, "acme"), "handbook", [Path(folder)])
    return _doc_id(console, "handbook", "notes.md")


def test_hostile_document_text_shows_literally(console, signed_in, hostile):
    page = signed_in("member")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    text = knowledge.read_document(console.world.app, console.world.alice, hostile)["text"]
    start = text.index("<script>")
    page.goto(f"{console.url}/documents/{hostile}?start={start}&end={start + 25}")
    expect(page.locator(".doc-text")).to_contain_text(
        "<script>alert(1)</script> and {{ 7*7 }} after.")
    expect(page.locator("mark#cited")).to_have_text("<script>alert(1)</script>")
    assert page.locator(".doc-text script").count() == 0 and not dialogs


def _two_page_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 6, "Safety manual. Fire drills happen every spring. " * 12)
    pdf.add_page()
    pdf.multi_cell(0, 6, "The fire warden for the third floor is Kenji Sato. "
                   "Wardens check every room before leaving.")
    return bytes(pdf.output())


def test_a_pdf_citation_names_its_page(console, signed_in):
    app, world = console.world.app, console.world
    knowledge.upload(app, world.builder, "manuals", [("safety.pdf", _two_page_pdf())],
                     embed=False)
    report, _ = research.ask(app, world.alice, "Who is the fire warden for the third floor?",
                             collections=["manuals"], embed=False)
    page = signed_in("member")
    page.goto(f"{console.url}/research/{report.id}")
    sources = page.get_by_role("region", name="Sources")
    source = sources.get_by_role("listitem").filter(has_text="Kenji Sato")
    expect(source).to_contain_text("page 2")
    source.get_by_role("link").click()
    expect(page.get_by_role("status")).to_have_text(re.compile(
        r"^The cited passage is on page 2; it is highlighted below\."))
    expect(page.locator("mark#cited")).to_contain_text("Kenji Sato")
    expect(page.locator("mark#cited")).to_be_in_viewport()


def test_history_is_paginated_and_only_ones_own(console, monkeypatch):
    from cristal.server.console.pages import research as research_page

    monkeypatch.setattr(research_page, "HISTORY_SIZE", 1)
    app, world = console.world.app, console.world
    for question in ("What is the late claims rule?", QUESTION):
        research.ask(app, world.alice, question, collections=["handbook"], embed=False)
    research.ask(app, world.bob, "What is the merger codename?", embed=False)
    with _client(console, "member") as http:
        first = http.get("/research")
        assert QUESTION in first.text and "late claims rule" not in first.text
        assert "merger codename" not in first.text
        link = re.search(r'href="(/research\?page=2)" rel="next"', first.text).group(1)
        second = http.get(link)
        assert "late claims rule" in second.text and QUESTION not in second.text
        assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
