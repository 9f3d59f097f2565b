"""The collections pages in Chromium: list and filter, create, upload many files (chosen and
dropped) with per-file progress and errors, documents (filter, remove), readers (grant,
revoke), delete with confirmation; permissions, CSRF, the plain form, and Japanese."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import httpx
from playwright.sync_api import expect

from cristal.app import knowledge

HOSTILE_TITLE = "<script>alert(1)</script> Travel {{ 7*7 }}"
GOOD = {"name": "travel.md", "mimeType": "text/markdown",
        "buffer": f"# {HOSTILE_TITLE}\n\nTrains are booked in second class.\n".encode()}
BROKEN = {"name": "broken.pdf", "mimeType": "application/pdf",
          "buffer": b"\x00\x13garbage bytes, not a PDF at all"}

_DROP = """() => {
  const data = new DataTransfer();
  data.items.add(new File(["# Dropped\\n\\nDropped in by hand."], "dropped.md",
                          { type: "text/markdown" }));
  return data;
}"""


def _form_token(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


@contextlib.contextmanager
def _client(console, who: str) -> Iterator[httpx.Client]:
    console.world.app.settings.console.secure_cookies = False  # httpx: no Secure over http
    with httpx.Client(base_url=console.url, timeout=60) as http:
        form = http.get("/signin")
        http.post("/signin", data={"key": console.keys[who], "csrf": _form_token(form.text)})
        yield http


def _documents(console, name: str) -> list[str]:
    return [d["path"] for d in knowledge.list_documents(console.world.app, console.world.admin,
                                                        name)]


def test_builder_creates_uploads_manages_readers_and_deletes(console, signed_in, shots):
    page = signed_in("builder")
    dialogs: list[str] = []
    agree = {"yes": True}
    page.on("dialog", lambda d: (dialogs.append(d.message),
                                 d.accept() if agree["yes"] else d.dismiss()))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Collections").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Collections")
    listing = page.get_by_role("table")
    expect(listing.get_by_role("link", name="handbook")).to_be_visible()
    assert listing.get_by_role("link", name="vault").count() == 0  # dan is not in board
    page.get_by_role("textbox", name="Name").fill("travel")
    page.get_by_role("button", name="Create collection").click()
    page.wait_for_url(f"{console.url}/collections/travel")
    expect(page.get_by_role("heading", level=1)).to_have_text("Collection travel")

    # Two files at once: one is added, the other refused in plain words.
    page.get_by_label("Files to add").set_input_files([GOOD, BROKEN])
    page.get_by_role("button", name="Upload").click()
    uploads = page.get_by_role("list", name="Uploads")
    # (the first upload loads the embedding model: allow it time)
    expect(page.locator("#upload-summary")).to_have_text("1 of 2 files added.", timeout=30_000)
    good = uploads.get_by_role("listitem").filter(has_text="travel.md")
    expect(good).to_contain_text("Added; passages indexed: ")
    expect(good.get_by_role("progressbar", name="Upload progress of travel.md")).to_be_visible()
    bad = uploads.get_by_role("listitem").filter(has_text="broken.pdf")
    expect(bad).to_contain_text("Not added: broken.pdf: the content is not a PDF file")
    # A file dropped on the drop zone goes the same way.
    page.dispatch_event("#dropzone", "drop", {"dataTransfer": page.evaluate_handle(_DROP)})
    expect(page.locator("#upload-summary")).to_have_text("2 of 3 files added.", timeout=15_000)
    expect(uploads.get_by_role("listitem").filter(has_text="dropped.md")).to_contain_text(
        "Added; passages indexed: ")
    page.screenshot(path=str(shots / "collections-en.png"), full_page=True)
    assert _documents(console, "travel") == ["dropped.md", "travel.md"]

    page.get_by_role("link", name="Show the updated list of documents").click()
    docs = page.get_by_role("table").first
    row = docs.get_by_role("row").filter(has_text="travel.md")
    expect(row).to_contain_text(HOSTILE_TITLE)  # shown literally, never run
    assert not dialogs
    page.get_by_role("searchbox", name="File name contains").fill("drop")
    page.get_by_role("button", name="Filter").click()
    expect(docs.get_by_role("row")).to_have_count(2)  # the header and dropped.md
    page.get_by_role("button", name="Remove dropped.md").click()
    page.wait_for_url(re.compile(r"/collections/travel\?removed=1"))
    assert dialogs[-1] == "Remove dropped.md from travel? This cannot be undone."
    expect(page.get_by_role("status")).to_have_text("The document was removed from the collection.")
    assert _documents(console, "travel") == ["travel.md"]

    # Readers: closing the collection to dan (himself, so he keeps it) and a group, then
    # opening it again.
    readers = page.get_by_role("region", name="Readers")
    expect(readers).to_contain_text("Open to every member of tenant acme.")
    for kind, subject in (("user", "dan"), ("group", "board")):
        readers.get_by_label("Kind").select_option(kind)
        readers.get_by_role("textbox", name="User or group name").fill(subject)
        readers.get_by_role("button", name="Add reader").click()
        expect(readers.get_by_role("row").filter(has_text=subject)).to_contain_text(kind)
    grants = knowledge.list_grants(console.world.app, console.world.admin, "travel")
    assert sorted((g.kind, g.subject) for g in grants) == [("group", "board"), ("user", "dan")]
    assert "travel" not in [c.name for c in knowledge.list_collections(
        console.world.app, console.world.alice)]
    for subject in ("board", "dan"):
        readers.get_by_role("button", name=f"Take reading away from {subject}").click()
        expect(readers.get_by_role("row").filter(has_text=subject)).to_have_count(0)
    expect(readers).to_contain_text("Open to every member of tenant acme.")

    # Deleting asks first; saying no keeps it.
    agree["yes"] = False
    page.get_by_role("button", name="Delete collection travel").click()
    assert dialogs[-1] == ("Delete the collection travel with its 1 documents? "
                           "This cannot be undone.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Collection travel")
    assert "travel" in [c.name for c in knowledge.list_collections(console.world.app,
                                                                    console.world.admin)]


def test_deleting_a_collection_after_confirming(console, signed_in):
    page = signed_in("builder")
    page.on("dialog", lambda d: d.accept())
    page.goto(f"{console.url}/collections")
    page.get_by_role("textbox", name="Name").fill("scratch")
    page.get_by_role("button", name="Create collection").click()
    page.wait_for_url(f"{console.url}/collections/scratch")
    page.get_by_role("button", name="Delete collection scratch").click()
    page.wait_for_url(f"{console.url}/collections?deleted=scratch")
    expect(page.get_by_role("status")).to_have_text("Collection scratch was deleted.")
    assert page.get_by_role("link", name="scratch").count() == 0


def test_member_sees_no_restricted_collection_and_no_builder_actions(console, signed_in):
    page = signed_in("member")
    page.goto(f"{console.url}/collections")
    expect(page.get_by_role("link", name="handbook")).to_be_visible()
    assert page.get_by_role("link", name="vault").count() == 0
    assert page.get_by_role("heading", name="Create a collection").count() == 0
    page.get_by_role("link", name="handbook").click()
    expect(page.get_by_role("link", name="expense-policy.md")).to_be_visible()
    assert page.get_by_role("heading", name="Upload files").count() == 0
    assert page.get_by_role("heading", name="Readers").count() == 0
    assert page.get_by_role("button", name=re.compile("^Remove|^Delete")).count() == 0
    answer = page.goto(f"{console.url}/collections/vault")
    assert answer.status == 404
    bob = signed_in("reader")
    bob.goto(f"{console.url}/collections")
    expect(bob.get_by_role("link", name="vault")).to_be_visible()


def test_csrf_refusal_permissions_and_the_plain_upload_form(console):
    files = [("files", ("notes.md", b"# Notes\n\nPlain form upload.", "text/markdown")),
             ("files", ("bad.exe", b"MZ\x90\x00", "application/octet-stream"))]
    with _client(console, "builder") as http:
        page = http.get("/collections/handbook")
        token = _form_token(page.text)
        forged = http.post("/collections/handbook/upload", files=files[:1],
                           headers={"X-CSRF-Token": "forged", "Accept": "application/json"})
        assert forged.status_code == 403 and "security token" in forged.text
        no_token = http.post("/collections/handbook/upload", files=files[:1])
        assert no_token.status_code == 403
        refused = http.post("/collections", data={"name": "sneaky", "csrf": "forged"})
        assert refused.status_code == 403
        assert "notes.md" not in _documents(console, "handbook")
        assert "sneaky" not in [c.name for c in knowledge.list_collections(
            console.world.app, console.world.admin)]
        taken = http.post("/collections", data={"name": "handbook", "csrf": token})
        assert taken.status_code == 409 and "already exists" in taken.text

        plain = http.post("/collections/handbook/upload", files=files, data={"csrf": token})
        assert plain.status_code == 200 and "1 of 2 files added." in plain.text
        assert "bad.exe: files of type &#39;.exe&#39; are not accepted" in plain.text
        assert "notes.md" in _documents(console, "handbook")
        one = http.post("/collections/handbook/upload", files=files[1:],
                        headers={"X-CSRF-Token": token, "Accept": "application/json"})
        assert one.status_code == 200
        assert one.json()["files"][0]["ok"] is False
    with _client(console, "member") as http:
        token = _form_token(http.get("/collections/handbook").text)
        denied = http.post("/collections/handbook/upload", files=files[:1],
                           headers={"X-CSRF-Token": token, "Accept": "application/json"})
        assert denied.status_code == 403
        hidden = http.post("/collections/vault/upload", files=files[:1],
                           headers={"X-CSRF-Token": token, "Accept": "application/json"})
        assert hidden.status_code == 404


def test_collections_in_japanese(console, signed_in, shots):
    page = signed_in("builder", lang="ja")
    page.goto(f"{console.url}/collections")
    assert page.locator("html").get_attribute("lang") == "ja"
    expect(page.get_by_role("heading", level=1)).to_have_text("コレクション")
    expect(page.get_by_role("button", name="コレクションを作成")).to_be_visible()
    page.screenshot(path=str(shots / "collections-ja.png"), full_page=True)
    page.get_by_role("link", name="handbook").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("コレクション handbook")
    expect(page.get_by_role("heading", name="ファイルのアップロード")).to_be_visible()
    expect(page.get_by_role("region", name="閲覧者")).to_contain_text("テナント acme")


def test_documents_are_paginated_and_filtered(console, monkeypatch):
    from cristal.server.console.pages import collections as collections_page

    monkeypatch.setattr(collections_page, "DOCUMENT_SIZE", 1)
    knowledge.upload(console.world.app, console.world.builder, "handbook",
                     [("a-notes.md", b"# A\n\nFirst."), ("b-notes.md", b"# B\n\nSecond.")],
                     embed=False)
    with _client(console, "member") as http:
        first = http.get("/collections/handbook")
        assert ">a-notes.md<" in first.text and ">b-notes.md<" not in first.text
        second = http.get("/collections/handbook?page=2")
        assert ">b-notes.md<" in second.text and ">a-notes.md<" not in second.text
        found = http.get("/collections/handbook", params={"q": "EXPENSE"})
        assert ">expense-policy.md<" in found.text and "rel=\"next\"" not in found.text
        found = http.get("/collections/handbook", params={"q": "notes", "page": 2})
        assert ">b-notes.md<" in found.text and "q=notes&amp;page=1" in found.text
        listed = http.get("/collections", params={"q": "HAND"})
        assert ">handbook<" in listed.text and ">vault<" not in listed.text
        none = http.get("/collections", params={"q": "zzz"})
        assert "No collection name contains “zzz”." in none.text
