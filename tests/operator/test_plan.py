"""Plan mode: the script language, its errors, and a run on a real page."""

from __future__ import annotations

import pytest

from cristal.operator import (
    Check,
    Click,
    Done,
    Extract,
    Goto,
    PlanSyntaxError,
    Press,
    Runtime,
    Scroll,
    Select,
    Type,
    Upload,
    WaitFor,
    parse_plan,
    run_plan,
)

SCRIPT = """# task: register
# instruction: 山田さんを東京で登録する
goto "{url}"
type "山田" into "氏名"
select "Tokyo" in "City"
check "I agree"
press "Enter" in "氏名"     # submits the form
wait_for "Thank you"
extract "Total"
done
"""

FORM = """<html><body><h1>登録</h1><form action="/thanks" method="post">
<label>氏名 <input name=name></label>
<label for=city>City</label>
<select id=city name=city><option>Osaka</option><option>Tokyo</option></select>
<label><input type=checkbox name=agree value=yes> I agree</label>
<button>Submit</button></form></body></html>"""
THANKS = "<html><body><h1>Thank you</h1><table><tr><th>Total</th><td>¥3,300</td></tr></table>"


def test_parse_every_command():
    plan = parse_plan("""
        goto "http://127.0.0.1:8000/form"
        click "Delete" near "Invoice 42"
        type "x" into "Note" append
        type 「山田」 into 「氏名」
        select "A", "B" from "Tags"
        check "I agree"
        uncheck "Newsletter"
        press "Control+A"
        scroll up 300 in "Results"
        hover "Menu"
        upload "a.pdf", "b.pdf" to "Attachments"
        wait for "Done" timeout 2
        wait_for "Spinner" gone
        extract "Orders" as table
        ask "Which account?"
        done "ok"
    """)
    kinds = [s.action.action for s in plan.steps]
    assert kinds == ["goto", "click", "type", "type", "select", "check", "uncheck", "press",
                     "scroll", "hover", "upload", "wait_for", "wait_for", "extract", "ask_user",
                     "done"]
    steps = [s.action for s in plan.steps]
    assert steps[1] == Click(target="Delete", near="Invoice 42")
    assert steps[2].mode == "append" and steps[3] == Type(text="山田", target="氏名")
    assert steps[4] == Select(values=["A", "B"], target="Tags")
    assert steps[8] == Scroll(direction="up", amount=300, target="Results")
    assert steps[10] == Upload(files=["a.pdf", "b.pdf"], target="Attachments")
    assert steps[11] == WaitFor(text="Done", timeout_s=2)
    assert steps[12].gone and steps[13] == Extract(target="Orders", kind="table")
    assert steps[15] == Done(result="ok") and plan.steps[1].line == 3


@pytest.mark.parametrize(("script", "line", "message"), [
    ('goto "http://x"\nclik "Submit"', 2, "unknown command 'clik'"),
    ('# header\n\ntype "山田" "氏名"', 3, "expected 'into'"),
    ('click "Submit', 1, "cannot read"),
    ('check Submit', 1, "expected the element in double quotes"),
    ('click "OK" now', 1, "unexpected 'now'"),
    ('"Submit"', 1, "starts with a command"),
    ('wait_for "x" timeout soon', 1, "expected seconds"),
])
def test_parse_errors_point_at_the_line(script, line, message):
    with pytest.raises(PlanSyntaxError) as err:
        parse_plan(script)
    assert err.value.line == line
    assert err.value.message.startswith(f"line {line}:") and message in err.value.message
    assert err.value.exit_code == 2


def test_parameters_and_headers():
    plan = parse_plan('# task: t\n# seed: 3\ntype "{{name}}" into "Name"\n'
                      'type "{{secret:PW}}" into "Password"', {"name": 'Ada "the" Great'})
    assert plan.header("seed") == "3" and plan.header("missing") is None
    assert plan.steps[0].action.text == 'Ada "the" Great'
    assert plan.steps[1].action.text == "{{secret:PW}}"
    with pytest.raises(PlanSyntaxError, match="no value for parameter"):
        parse_plan('type "{{name}}" into "Name"', {})


def test_run_a_japanese_plan_end_to_end(session, site):
    url = site.add("/register", FORM)
    site.add("/thanks", THANKS)
    site.posts.clear()
    runtime = Runtime(session)
    run = run_plan(runtime, SCRIPT.replace("{url}", url))
    assert run.ok, run.error
    assert [r.source for r in run.records] == ["plan"] * 8
    assert site.posts[-1] == ("/thanks", "name=%E5%B1%B1%E7%94%B0&city=Tokyo&agree=yes")
    extract = run.records[-2]
    assert extract.result["data"]["value"] == "¥3,300"


def test_a_failing_line_stops_the_run_and_is_reported(session, site):
    runtime = Runtime(session, wait_s=0.3)
    run = run_plan(runtime, f'goto "{site.add("/register", FORM)}"\nclick "Cancel"\ndone')
    assert not run.ok and run.failed_line == 2 and len(run.records) == 2
    assert run.error.startswith('line 2 (click "Cancel"): Nothing on the page matches')


def test_press_without_target_uses_the_focus(session, site):
    runtime = Runtime(session)
    runtime.step(Goto(url=site.add("/register", FORM)))
    runtime.step(Type(text="佐藤", target="氏名"))
    runtime.step(Check(target="I agree"))
    assert runtime.step(Press(keys="Shift+Tab")).ok
    assert runtime.page.evaluate("document.activeElement.tagName") == "SELECT"
