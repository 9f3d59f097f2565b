"""Every action type against a real page, through the runtime (resolution, result records)."""

from __future__ import annotations

import pytest

from cristal.operator import (
    AskUser,
    Check,
    Click,
    Done,
    Extract,
    Goto,
    Hover,
    MemoryRecorder,
    Press,
    Runtime,
    Scroll,
    Select,
    Type,
    Uncheck,
    Upload,
    WaitFor,
)

FORM = """<!doctype html><html><head><title>Order</title></head><body>
<h1>Order form</h1>
<label for=q>Search</label><input id=q>
<label for=note>Note</label><textarea id=note>Hello</textarea>
<label for=city>City</label>
<select id=city><option>Osaka</option><option>Tokyo</option><option>Kyoto</option></select>
<label for=tags>Tags</label>
<select id=tags multiple><option>red</option><option>green</option><option>blue</option></select>
<label><input type=checkbox id=agree> I agree</label>
<label><input type=radio name=size value=s> Small</label>
<label><input type=radio name=size value=l id=large> Large</label>
<label for=d>Delivery date</label><input type=date id=d>
<button id=go onclick="out.textContent='Clicked ' + q.value">Go</button>
<div id=out></div>
<div id=hov onmouseover="this.textContent='Hovered'">Hover me</div>
<div id=box style="height:80px; overflow:auto"><div style="height:1000px">tall box</div></div>
<input type=file id=file aria-label="Attachment" multiple>
<table><tr><th>Item</th><th>Price</th></tr><tr><td>Tea</td><td>300</td></tr>
<tr><th>Total</th><td>¥1,200</td></tr></table>
<ul id=fruits><li>Apple</li><li>Banana</li></ul>
<dl><dt>Status</dt><dd>Shipped</dd></dl>
<a href="/report.csv" download>Download CSV</a>
<div style="height:3000px"></div><button>Bottom</button>
<script>
q.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') out.textContent = 'Entered ' + e.target.value;
});
</script>
</body></html>"""

LATE = """<html><body><p id=p>Loading…</p><script>
setTimeout(() => { p.textContent = 'Ready now'; }, 300);
</script></body></html>"""


@pytest.fixture
def page_runtime(session, site):
    site.add("/report.csv", "a,b\n1,2\n", "text/csv",
             {"Content-Disposition": 'attachment; filename="report.csv"'})
    recorder = MemoryRecorder()
    runtime = Runtime(session, recorder=recorder, ask=lambda q: "blue")
    assert runtime.step(Goto(url=site.add("/order", FORM))).ok
    return runtime, recorder


def _value(runtime, selector):
    return runtime.page.eval_on_selector(selector, "el => el.value")


def test_type_click_and_the_step_record(page_runtime):
    runtime, recorder = page_runtime
    typed = runtime.step(Type(text="tea", target="Search"))
    assert typed.ok and typed.target["name"] == "Search" and typed.target["role"] == "textbox"
    clicked = runtime.step(Click(target="Go"))
    assert clicked.ok and "clicked button" in clicked.result["detail"]
    assert runtime.page.text_content("#out") == "Clicked tea"
    last = recorder.steps[-1]
    assert last.step == 3 and last.snapshot_hash and "Order form" in last.snapshot_text
    assert {"snapshot", "resolve", "act", "total"} <= set(last.timings_ms)


def test_type_append_and_clear(page_runtime):
    runtime, _ = page_runtime
    assert runtime.step(Type(text=" world", target="Note", mode="append")).ok
    assert _value(runtime, "#note") == "Hello world"
    assert runtime.step(Type(text="Bye", target="Note")).ok
    assert _value(runtime, "#note") == "Bye"


def test_select_single_fuzzy_and_multiple(page_runtime):
    runtime, _ = page_runtime
    record = runtime.step(Select(values=["tokyo"], target="City"))
    assert record.ok and record.result["data"] == ["Tokyo"]
    assert _value(runtime, "#city") == "Tokyo"
    assert runtime.step(Select(values=["red", "Blue"], target="Tags")).ok
    chosen = runtime.page.eval_on_selector(
        "#tags", "el => Array.from(el.selectedOptions).map(o => o.text)")
    assert chosen == ["red", "blue"]
    bad = runtime.step(Select(values=["Nagoya"], target="City"))
    assert not bad.ok and "Osaka" in bad.result["error"]


def test_check_uncheck_and_radio(page_runtime):
    runtime, _ = page_runtime
    assert runtime.step(Check(target="I agree")).ok
    assert runtime.page.is_checked("#agree")
    assert runtime.step(Uncheck(target="I agree")).ok
    assert not runtime.page.is_checked("#agree")
    assert runtime.step(Check(target="Large")).ok
    assert runtime.page.is_checked("#large")


def test_press_keys_in_a_field(page_runtime):
    runtime, _ = page_runtime
    runtime.step(Type(text="ramen", target="Search"))
    assert runtime.step(Press(keys="Enter", target="Search")).ok
    assert runtime.page.text_content("#out") == "Entered ramen"


def test_scroll_page_and_element_and_hover(page_runtime):
    runtime, _ = page_runtime
    assert runtime.step(Scroll(direction="down", amount=800)).ok
    runtime.page.wait_for_function("window.scrollY > 0")
    assert runtime.step(Scroll(direction="down", amount=200, target="tall box")).ok
    assert runtime.page.eval_on_selector("#box", "el => el.scrollTop") > 0
    assert runtime.step(Hover(target="Hover me")).ok
    assert runtime.page.text_content("#hov") == "Hovered"


def test_date_fields_accept_human_dates(page_runtime):
    runtime, _ = page_runtime
    assert runtime.step(Type(text="03/15/2024", target="Delivery date")).ok
    assert _value(runtime, "#d") == "2024-03-15"
    assert runtime.step(Type(text="2024年4月5日", target="Delivery date")).ok
    assert _value(runtime, "#d") == "2024-04-05"


def test_upload_is_confined_to_the_task_folder(page_runtime, session):
    runtime, _ = page_runtime
    session.task_dir.mkdir(parents=True, exist_ok=True)
    (session.task_dir / "invoice.pdf").write_bytes(b"%PDF-1.4")
    (session.task_dir.parent / "secret.txt").write_text("no")
    ok = runtime.step(Upload(files=["invoice.pdf"], target="Attachment"))
    assert ok.ok
    assert runtime.page.eval_on_selector("#file", "el => el.files[0].name") == "invoice.pdf"
    outside = runtime.step(Upload(files=["../secret.txt"], target="Attachment"))
    assert not outside.ok and outside.result["error_type"] == "OutsideTaskFolder"
    assert "copy the file" in outside.result["error"]
    missing = runtime.step(Upload(files=["nope.pdf"], target="Attachment"))
    assert not missing.ok and missing.result["error_type"] == "InvalidInput"


def test_extract_values_tables_lists_and_page_text(page_runtime):
    runtime, _ = page_runtime
    total = runtime.step(Extract(target="Total"))
    assert total.ok and total.result["data"]["value"] == "¥1,200"
    assert runtime.step(Extract(target="Status")).result["data"]["value"] == "Shipped"
    table = runtime.step(Extract(target="Tea", kind="table")).result["data"]
    assert table == [["Item", "Price"], ["Tea", "300"], ["Total", "¥1,200"]]
    assert runtime.step(Extract(target="Apple", kind="list")).result["data"] == ["Apple", "Banana"]
    page = runtime.step(Extract()).result["data"]
    assert "Order form" in page["text"]


def test_downloads_land_in_the_task_folder(page_runtime, session):
    runtime, _ = page_runtime
    assert runtime.step(Click(target="Download CSV")).ok
    runtime.page.wait_for_timeout(300)
    session.save_downloads()
    files = [p.name for p in session.downloads]
    assert files == ["report.csv"]
    assert (session.task_dir / "downloads" / "report.csv").read_text() == "a,b\n1,2\n"


def test_wait_for_ask_user_and_done(session, site):
    runtime = Runtime(session, ask=lambda question: "Tokyo")
    runtime.step(Goto(url=site.add("/late", LATE)))
    assert runtime.step(WaitFor(text="Ready now", timeout_s=3)).ok
    assert runtime.step(WaitFor(text="Loading", gone=True, timeout_s=1)).ok
    missing = runtime.step(WaitFor(text="Never shown", timeout_s=0.3))
    assert not missing.ok and "did not appear" in missing.result["error"]
    answer = runtime.step(AskUser(question="Which city?"))
    assert answer.ok and answer.result["data"] == "Tokyo"
    done = runtime.step(Done(result={"city": "Tokyo"}))
    assert done.ok and runtime.finished is not None and runtime.finished.result == {"city": "Tokyo"}
    no_one = Runtime(session).step(AskUser(question="Which city?"))
    assert not no_one.ok and "no one can answer" in no_one.result["error"]


def test_clicking_a_missing_target_fails_fast_with_candidates(page_runtime):
    runtime, _ = page_runtime
    record = runtime.step(Click(target="Checkout now"))
    assert not record.ok and record.result["error_type"] == "TargetNotFound"
    assert "Closest:" in record.result["error"]
    assert record.timings_ms["total"] < 2500
