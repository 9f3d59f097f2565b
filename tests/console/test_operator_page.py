"""The Operator runs pages in Chromium: a stored run's steps with snapshot text, screenshot,
the confirmation asked and who answered it; only roles with operator.read see them, and
only in their tenant."""

from __future__ import annotations

import re
import struct
import zlib

from cristal.governance import append_audit, get_tenant
from cristal.operator import StepRecord
from cristal.operator._trajectories import StoreRecorder, finish_run, start_run

HOSTILE = "<script>alert(1)</script> {{ 7*7 }}"


def _png(width: int = 8, height: int = 6) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xd0\x30\x30" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                              0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _stored_run(console, tmp_path) -> str:
    """An operator run as `cristal operator run --screenshots` stores it: two steps, the
    second confirmed by the person running it."""
    store = console.world.app.store
    acme = get_tenant(store, "acme")
    shots = tmp_path / "operator-shots"
    shots.mkdir()
    run_id = start_run(store, acme.id, instruction=f"Delete the old invoice {HOSTILE}",
                       start_url="http://127.0.0.1:9/inbox", policy="plan",
                       meta={"screenshots": str(shots)})
    recorder = StoreRecorder(store, run_id)
    recorder.record(StepRecord(step=0, started_at="2026-12-01T09:00:00+00:00",
                               url="http://127.0.0.1:9/inbox", snapshot_text=(
                                   'heading "Inbox"\nbutton "Delete invoice 42" [e3]'),
                               action={"action": "goto", "url": "http://127.0.0.1:9/inbox"},
                               source="start", result={"ok": True}))
    recorder.record(StepRecord(step=1, started_at="2026-12-01T09:00:02+00:00",
                               url="http://127.0.0.1:9/inbox",
                               snapshot_text='button "Delete invoice 42" [e3]',
                               action={"action": "click", "target": "Delete invoice 42"},
                               source="plan", target={"role": "button",
                                                      "name": "Delete invoice 42"},
                               confirmation={"reasons": ["the button deletes something"],
                                             "kinds": ["sensitive_control"],
                                             "approved": True, "asked": True},
                               result={"ok": True}))
    finish_run(store, run_id, status="succeeded", result={"text": "deleted"})
    (shots / "001.png").write_bytes(_png())
    append_audit(store, tenant=acme, actor="key:key_dan(dan)", action="operator.run",
                 target=run_id, details={"status": "succeeded"})
    return run_id


def test_a_builder_reads_an_operator_run_step_by_step(console, signed_in, shots, tmp_path):
    run_id = _stored_run(console, tmp_path)
    page = signed_in("builder")
    page.set_default_timeout(10_000)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Operator").click()
    page.wait_for_url(f"{console.url}/operator")
    link = page.get_by_role("link", name=f"Delete the old invoice {HOSTILE}")
    assert link.is_visible()  # the hostile instruction is text
    row = page.get_by_role("row").filter(has=link)
    assert "succeeded" in row.inner_text() and "2" in row.inner_text()
    page.screenshot(path=str(shots / "operator-en.png"), full_page=True)
    link.click()
    page.wait_for_url(f"{console.url}/operator/{run_id}")
    steps = page.get_by_role("heading", level=3).all_inner_texts()
    assert [s.split(" (")[0] for s in steps] == ["Step 0: goto", "Step 1: click"]
    assert "key:key_dan(dan)" in page.get_by_role("definition").nth(2).inner_text()
    confirmation = page.get_by_role("region", name="Confirmation of step 1")
    said = confirmation.inner_text()
    assert "Confirmation asked" in said and "the button deletes something" in said
    assert "Approved" in said and "by key:key_dan(dan)" in said
    second = page.get_by_role("listitem").filter(has=confirmation)
    first = page.get_by_role("listitem").filter(has_text="Step 0: goto")
    assert first.get_by_text("Screenshot", exact=True).count() == 0  # none kept of step 0
    second.get_by_text("Snapshot text").click()
    assert second.locator("pre.snapshot").inner_text() == 'button "Delete invoice 42" [e3]'
    second.get_by_text("Screenshot", exact=True).click()
    picture = second.get_by_role("img", name="Screenshot after step 1")
    picture.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth === 8",
                           arg=picture.element_handle())
    page.screenshot(path=str(shots / "operator-run-en.png"), full_page=True)
    missing = page.request.get(f"{console.url}/operator/{run_id}/steps/0.png")
    assert missing.status == 404  # no picture was kept of step 0


def test_operator_runs_only_for_who_may_read_them_and_in_japanese(console, signed_in,
                                                                  tmp_path):
    run_id = _stored_run(console, tmp_path)
    alice = signed_in("member")
    alice.set_default_timeout(10_000)
    nav = alice.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Runs").is_visible()
    assert nav.get_by_role("link", name="Operator").count() == 0
    alice.goto(f"{console.url}/operator/{run_id}")
    assert alice.get_by_role("heading", level=1).inner_text() == "Not allowed"
    assert "Delete the old invoice" not in alice.content()
    assert alice.request.get(f"{console.url}/operator/{run_id}/steps/1.png").status == 403
    other = signed_in("other")  # an admin of tenant beta
    other.goto(f"{console.url}/operator/{run_id}")
    assert other.get_by_role("heading", level=1).inner_text() == "Not found"
    assert other.request.get(f"{console.url}/operator/{run_id}/steps/1.png").status == 404
    admin = signed_in("admin", lang="ja")
    admin.goto(f"{console.url}/operator")
    assert admin.get_by_role("heading", level=1).inner_text() == "オペレーターの実行"
    assert "成功" in admin.get_by_role("table").inner_text()
    admin.goto(f"{console.url}/operator?status=failed")
    assert admin.get_by_role("table").count() == 0
    assert re.search("条件に合うオペレーターの実行はありません", admin.content())
