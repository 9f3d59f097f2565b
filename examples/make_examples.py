"""Write the generated files of the demo corpus in examples/docs/ and check the question set.

    python examples/make_examples.py            # (re)write the PDF, DOCX, HTML and Shift_JIS files
    python examples/make_examples.py --check    # also check every answer fact against gold docs

The Markdown, CSV and plain-text files in examples/docs/ are written by hand; this script only
produces the files whose bytes are not plain UTF-8 text. Its output is deterministic (fixed
creation dates and zip timestamps). The Japanese PDF needs a CJK TrueType font: it uses IPA
Gothic (Debian/Ubuntu: `apt-get install fonts-ipafont-gothic`) or the file named by the
CRISTAL_CJK_FONT environment variable.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import os
import re
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE / "docs"
FIXED_DATE = datetime(2025, 3, 1, 9, 0, 0, tzinfo=UTC)
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/ipafont-gothic/ipag.ttf",
)


def cjk_font() -> str:
    """Path of a Japanese TrueType font, or exit with advice."""
    env = os.environ.get("CRISTAL_CJK_FONT")
    for cand in ([env] if env else []) + list(FONT_CANDIDATES):
        if cand and Path(cand).is_file():
            return cand
    sys.exit(
        "No Japanese TrueType font found. Install one (apt-get install fonts-ipafont-gothic) "
        "or set CRISTAL_CJK_FONT=/path/to/font.ttf"
    )


# ---------------------------------------------------------------------------------------------
# 1. policies/information-security-rules-is01.pdf (Japanese, 3 pages)
# ---------------------------------------------------------------------------------------------

IS01 = [
    ("title", "情報セキュリティ規程"),
    ("meta", "ハーバー・ファイナンス株式会社　管理番号：IS-01　制定：2017年4月1日"),
    ("meta", "最終改定：2024年6月1日　所管：情報システム部（CISO室）　区分：社外秘（C2）"),
    ("h1", "第1章　総則"),
    ("h2", "第1条（目的）"),
    (
        "p",
        "本規程は、当社の情報資産を漏えい、改ざん及び滅失から保護し、顧客及び取引先からの信頼"
        "を維持するため、情報セキュリティに関する基本的事項を定める。",
    ),
    ("h2", "第2条（適用範囲）"),
    (
        "p",
        "本規程は、当社の役員、従業員、派遣社員及び業務委託先の要員（以下「従業員等」という。）"
        "並びに当社が保有し、又は管理するすべての情報資産に適用する。",
    ),
    ("h2", "第3条（責任者）"),
    (
        "p",
        "1. 当社の情報セキュリティに関する最終責任者は、最高情報セキュリティ責任者（CISO）とする。",
    ),
    (
        "p",
        "2. 各部の部長は、所管する情報資産の管理責任者として、本規程の遵守状況を年1回点検"
        "し、CISOに報告する。",
    ),
    ("h1", "第2章　情報資産の管理"),
    ("h2", "第4条（情報の分類）"),
    (
        "p",
        "情報資産は、グループのデータ分類基準（Data Classification Standard、IS-03）に従い、"
        "次のとおり区分する。取扱いの詳細はIS-03による。",
    ),
    (
        "table",
        [
            ["区分", "定義", "例"],
            [
                "機密（C3）",
                "漏えいにより顧客又は当社に重大な損害が生じるもの",
                "顧客の個人情報、カード番号",
            ],
            ["社外秘（C2）", "従業員等に限り利用するもの", "社内規程、業務手順書"],
            ["公開（C1）", "社外への公開が承認されたもの", "商品パンフレット"],
        ],
    ),
    ("h2", "第5条（情報の持ち出し）"),
    ("p", "1. 機密（C3）情報を社外に持ち出す場合は、所属部長の事前承認を得る。"),
    ("p", "2. 機密（C3）情報を私物の端末又は個人のクラウドサービスに保存してはならない。"),
    ("h1", "第3章　アクセス管理"),
    ("h2", "第6条（パスワード）"),
    (
        "p",
        "1. パスワードは、14文字以上とし、英大文字、英小文字、数字及び記号のうち3種類以上を"
        "含めなければならない。",
    ),
    (
        "p",
        "2. パスワードの定期的な変更は求めない。ただし、漏えいのおそれがある場合は直ちに変更する。",
    ),
    ("p", "3. 同じパスワードを複数のシステムで使い回してはならない。"),
    ("p", "4. 社外から社内システムに接続する場合は、多要素認証を必須とする。"),
    ("h2", "第7条（アカウント管理）"),
    ("p", "1. 退職者のアカウントは、退職日の当日中に停止する。"),
    ("p", "2. 各部の部長は、所管システムの利用者権限を半年ごとに棚卸しする。"),
    ("h1", "第4章　端末及び記録媒体"),
    ("h2", "第8条（貸与端末）"),
    ("p", "1. 当社が貸与するPCは、ディスク全体を暗号化し、画面ロックを5分以内に設定する。"),
    ("p", "2. 貸与端末に、情報システム部が許可していないソフトウェアを導入してはならない。"),
    ("h2", "第9条（記録媒体）"),
    (
        "p",
        "USBメモリその他の外部記録媒体は、情報システム部が貸与した暗号化機能付きのものに限り"
        "使用できる。",
    ),
    ("h1", "第5章　インシデント対応"),
    ("h2", "第10条（報告）"),
    (
        "p",
        "1. 情報機器の紛失又は盗難、マルウェア感染の疑い、電子メールの誤送信その他の"
        "情報セキュリティインシデントを発見した従業員等は、次の窓口に報告する。",
    ),
    (
        "table",
        [
            ["報告期限", "報告先", "連絡方法"],
            ["発見から30分以内", "セキュリティ運用センター（SOC）", "内線4110"],
            ["夜間・休日", "セキュリティ運用センター（SOC）", "03-5800-4110"],
        ],
    ),
    ("p", "2. 報告を受けたSOCは、影響範囲を確認し、重大なものはCISOに直ちに報告する。"),
    ("h2", "第11条（顧客への通知）"),
    (
        "p",
        "顧客の個人情報の漏えい又はそのおそれがあるときは、CISOはコンプライアンス部と協議"
        "し、個人情報保護委員会への報告及び本人への通知の要否を判断する。",
    ),
    ("h1", "第6章　雑則"),
    ("h2", "第12条（教育）"),
    (
        "p",
        "従業員等は、年1回の情報セキュリティ研修を受講し、理解度テストで80点以上を得なければ"
        "ならない。",
    ),
    ("h2", "第13条（違反）"),
    ("p", "本規程に違反した従業員等は、就業規則に基づく懲戒の対象となる。"),
    ("h2", "附則"),
    ("p", "1. 本規程は、2017年4月1日から施行する。"),
    (
        "p",
        "2. 2024年6月1日改定：第6条のパスワードの最低文字数を12文字から引き上げ、定期変更の"
        "義務を廃止した。",
    ),
]


# Characters that must not start a line in Japanese typesetting (kinsoku shori).
NO_LINE_START = set("、。，．,.)）」』】〕》・ー々ぁぃぅぇぉっゃゅょァィゥェォッャュョ：；？！%％")
TOKENS = re.compile(r"[!-~]+|\s|.", re.S)


def wrap(text: str, width: float, measure) -> list[str]:
    """Break `text` into lines no wider than `width`; ASCII words stay whole, CJK may break."""
    lines: list[str] = []
    cur = ""
    for tok in TOKENS.findall(text):
        if cur.strip() and tok not in NO_LINE_START and measure(cur + tok) > width:
            lines.append(cur.rstrip())
            cur = tok.lstrip()
        else:
            cur += tok
    if cur.strip():
        lines.append(cur.rstrip())
    return lines


def subset_font(font_path: str, chars: str, out: Path) -> None:
    """Cut the CJK font down to `chars` without hinting, so the embedded font stays small."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    opts = subset.Options()
    opts.hinting = False
    opts.notdef_outline = True
    opts.recommended_glyphs = True
    font = TTFont(font_path, recalcTimestamp=False)
    subsetter = subset.Subsetter(opts)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    font.save(str(out))


def write_pdf(path: Path) -> None:
    import tempfile

    from fpdf import FPDF, FontFace

    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title("情報セキュリティ規程（IS-01）")
    pdf.set_author("ハーバー・ファイナンス株式会社 情報システム部")
    pdf.set_lang("ja")
    used = {c for _, body in IS01 for c in str(body)} | set(map(chr, range(32, 127)))
    chars = "".join(sorted(used))
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "cjk-subset.ttf"
        subset_font(cjk_font(), chars, small)
        pdf.add_font("cjk", fname=str(small))
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)

    def footer() -> None:
        pdf.set_y(-15)
        pdf.set_font("cjk", size=8)
        pdf.cell(0, 5, f"IS-01 情報セキュリティ規程　{pdf.page_no()}/{{nb}}", align="C")

    pdf.footer = footer  # type: ignore[method-assign]
    pdf.add_page()
    nl = {"new_x": "LMARGIN", "new_y": "NEXT"}
    for kind, body in IS01:
        if kind == "title":
            pdf.set_font("cjk", size=18)
            pdf.cell(0, 12, body, align="C", **nl)
        elif kind == "meta":
            pdf.set_font("cjk", size=9)
            pdf.cell(0, 6, body, align="C", **nl)
        elif kind == "h1":
            pdf.ln(4)
            pdf.set_font("cjk", size=13)
            pdf.cell(0, 9, body, **nl)
        elif kind == "h2":
            pdf.ln(1)
            pdf.set_font("cjk", size=11)
            pdf.cell(0, 7, body, **nl)
        elif kind == "p":
            pdf.set_font("cjk", size=10)
            for line in wrap(body, pdf.epw, pdf.get_string_width):
                pdf.cell(0, 6, line, **nl)
        elif kind == "table":
            pdf.set_font("cjk", size=9)
            head = FontFace(emphasis="NONE", fill_color=(225, 225, 225))
            with pdf.table(col_widths=(30, 80, 60), line_height=6, headings_style=head) as table:
                for row in body:
                    table.row(row)
            pdf.ln(2)
    path.write_bytes(bytes(pdf.output()))


# ---------------------------------------------------------------------------------------------
# 2. policies/travel-expense-policy-gp04.docx (English, Heading styles and tables)
# ---------------------------------------------------------------------------------------------

GP04 = [
    ("title", "Group Travel and Expense Policy"),
    (
        "p",
        "Control No. GP-04 · Version 3.2 · Effective 1 January 2025 · Owner: Group Finance · "
        "Applies to all Harbor Financial Group companies, including Harbor Finance K.K.",
    ),
    ("h1", "1. Purpose and scope"),
    (
        "p",
        "This policy sets the rules for booking business travel and claiming travel and "
        "entertainment expenses. It applies to all employees and to contractors whose contract "
        "allows expense claims. Where a group company's local rules are stricter, the local "
        "rules apply.",
    ),
    ("h1", "2. Booking travel"),
    (
        "p",
        "All flights and hotels are booked through the group travel desk (HarborTravel) at "
        "least 7 days before departure, except in an emergency. Bookings made elsewhere are "
        "reimbursed only up to the HarborTravel fare for the same trip.",
    ),
    ("h2", "2.1 Air travel"),
    (
        "p",
        "Economy class is the standard for all flights shorter than 6 hours. Premium economy "
        "may be booked for flights of 6 hours or more.",
    ),
    (
        "p",
        "Business class may be booked only for flights of more than 9 hours by employees of "
        "Grade M3 and above. Any other business-class booking requires the prior written "
        "approval of the Group Chief Financial Officer.",
    ),
    ("h2", "2.2 Rail"),
    (
        "p",
        "Standard class is the rule. Employees of Grade M3 and above may use the Green Car on "
        "the Shinkansen for journeys of more than 2 hours.",
    ),
    ("h2", "2.3 Hotels"),
    (
        "p",
        "The nightly room rate, excluding taxes and breakfast, must not exceed the limits "
        "below. A higher rate needs the approval of the traveller's Head of Division before "
        "booking.",
    ),
    (
        "table",
        [
            ["City", "Nightly limit", "Notes"],
            ["Tokyo", "¥18,000", "All 23 wards"],
            ["Osaka, Nagoya", "¥15,000", ""],
            ["Other cities in Japan", "¥12,000", ""],
            ["Singapore", "S$280", ""],
            ["Hong Kong", "HK$1,700", ""],
            ["New York", "US$350", "Manhattan"],
            ["London", "£220", ""],
            ["Other cities overseas", "US$250", ""],
        ],
    ),
    ("h1", "3. Daily allowance"),
    (
        "p",
        "A daily allowance covers meals and incidental costs; receipts are not required. A "
        "domestic day trip qualifies only if the destination is 100 km or more from the "
        "employee's office.",
    ),
    (
        "table",
        [
            ["Grade", "Domestic day trip", "Domestic overnight", "Overseas (per day)"],
            ["G1–G3", "¥1,000", "¥2,500", "US$50"],
            ["M1–M2", "¥1,500", "¥3,000", "US$60"],
            ["M3 and above", "¥2,000", "¥4,000", "US$80"],
        ],
    ),
    ("h1", "4. Expense claims"),
    (
        "p",
        "Claims are submitted in HarborExpense within 30 days of returning from the trip. "
        "Receipts must be attached for every item of ¥5,000 or more. Claims are approved by "
        "the line manager; a claim totalling more than ¥300,000 is also approved by the Head "
        "of Division.",
    ),
    ("p", "Approved claims are paid with the next salary payment, on the 25th of the month."),
    ("h1", "5. Corporate cards"),
    (
        "p",
        "Employees who travel on business more than 4 times a year are issued a Harbor "
        "Business Card under the group card programme and must use it for travel bookings. "
        "Personal use of the corporate card is not allowed.",
    ),
    ("h1", "6. Exceptions"),
    (
        "p",
        "Exceptions to this policy are approved in advance by the Group Chief Financial "
        "Officer and recorded by Group Finance. Exceptions are reported to the Group Audit "
        "Committee every 6 months.",
    ),
]


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip (DOCX) with fixed timestamps and order so its bytes are reproducible."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def write_docx(path: Path) -> None:
    from docx import Document

    doc = Document()
    props = doc.core_properties
    props.title = "Group Travel and Expense Policy (GP-04)"
    props.author = props.last_modified_by = "Group Finance"
    props.created = props.modified = FIXED_DATE.replace(tzinfo=None)
    props.revision = 1
    for kind, body in GP04:
        if kind == "title":
            doc.add_heading(body, level=0)
        elif kind == "h1":
            doc.add_heading(body, level=1)
        elif kind == "h2":
            doc.add_heading(body, level=2)
        elif kind == "p":
            doc.add_paragraph(body)
        elif kind == "table":
            table = doc.add_table(rows=0, cols=len(body[0]))
            table.style = "Table Grid"
            for i, row in enumerate(body):
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    cell.text = value
                    if i == 0:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
    buf = io.BytesIO()
    doc.save(buf)
    path.write_bytes(_fixed_zip(buf.getvalue()))


# ---------------------------------------------------------------------------------------------
# 3. hr/remote-work-rules-hr07.txt (Japanese, Shift_JIS, CRLF)
# ---------------------------------------------------------------------------------------------

HR07 = """\
在宅勤務規程

ハーバー・ファイナンス株式会社
管理番号：HR-07　制定：2020年6月1日　最終改定：2024年4月1日　所管：人事部

第1条（目的）
　本規程は、就業規則第42条に基づき、従業員が自宅で勤務する場合（以下「在宅勤務」という。）の
対象者、実施日数、手続き及び手当を定める。

第2条（対象者）
　在宅勤務の対象者は、入社後6か月を経過した正社員及び契約社員とする。ただし、試用期間中の者
及び所属長が業務上在宅勤務に適さないと認めた者を除く。

第3条（実施日数）
１　在宅勤務は、月10日を上限とする。
２　育児又は介護を行う従業員は、所属長の承認を得て、月15日まで在宅勤務を行うことができる。
３　月の途中で入社又は異動した者の上限日数は、在籍日数に応じて人事部が定める。

第4条（申請）
　在宅勤務を行う従業員は、在宅勤務を行う日の前営業日17時までに、勤怠システム「HarborTime」で
所属長に申請し、承認を得る。

第5条（勤務時間）
　在宅勤務日の勤務時間は、通常の勤務日と同じとする。始業及び終業の時刻はHarborTimeに記録する。
中抜けをする場合は、その時間を記録し、終業時刻を繰り下げることができる。

第6条（在宅勤務手当）
１　在宅勤務を行った日1日につき、日額300円を在宅勤務手当として支給する。
２　在宅勤務手当は、翌月25日の給与と併せて支給する。
３　通信費及び光熱費の実費精算は行わない。

第7条（通勤手当）
　通勤手当は、在宅勤務の日数にかかわらず、通勤定期券の代金を支給する。

第8条（情報セキュリティ）
１　在宅勤務においても、情報セキュリティ規程（IS-01）を遵守する。
２　会社が貸与したPC以外の端末で業務を行ってはならない。
３　カフェ、電車その他の公共の場所で業務を行ってはならない。

第9条（在宅勤務の中止）
　所属長は、業務上の必要がある場合又は本規程に違反した場合は、在宅勤務の承認を取り消すことが
できる。

附則
１　本規程は、2020年6月1日から施行する。
２　2024年4月1日改定：在宅勤務手当を月額3,000円から日額300円に変更した。
"""


def write_sjis(path: Path) -> None:
    path.write_bytes(HR07.replace("\n", "\r\n").encode("shift_jis"))


# ---------------------------------------------------------------------------------------------
# 4. hr/employee-help-center.html (English, with navigation and footer boilerplate)
# ---------------------------------------------------------------------------------------------

# "## " starts a section, "Q: " a question; the following lines are its answer.
HELP_FAQ = """\
## Pay and benefits
Q: When is salary paid?
Salaries are paid on the 25th of each month. If the 25th falls on a weekend or a bank holiday,
salary is paid on the previous business day. Payslips are published in the HarborHR portal two
business days before payday.
Q: How is the commuting allowance calculated?
The commuting allowance covers the cost of a 6-month commuter pass on the cheapest reasonable
route, up to ¥50,000 a month. Register or change your route in HarborHR within 14 days of moving
house.
## Leave
Q: How much annual leave do I get?
New employees receive 10 days of paid annual leave after 6 months of service. From the second
year the entitlement rises by 1 day a year up to 20 days.
Q: Can I carry over unused annual leave?
Yes. You can carry over up to 10 days of unused annual leave to the next leave year.
Carried-over days expire at the end of that year.
Q: How far in advance must I request leave?
Request leave in HarborTime at least 3 business days in advance. Sick leave can be recorded on
the day.
## Working from home
Q: Can I work from home?
Yes, if your role allows it. For employees of Harbor Finance K.K. the rules on eligibility, the
number of days and the home-working allowance are set in the 在宅勤務規程 (Remote Work Rules,
HR-07), which is available in Japanese only. Requests are made in HarborTime.
Q: Will the company provide equipment?
You use your company laptop. The IT Service Desk (ext. 4300) lends a monitor and a headset on
request. Personal devices must not be used for work.
"""


def help_sections() -> list[tuple[str, list[tuple[str, str]]]]:
    """HELP_FAQ as [(section title, [(question, answer), ...]), ...]."""
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    for line in HELP_FAQ.splitlines():
        if line.startswith("## "):
            sections.append((line[3:], []))
        elif line.startswith("Q: "):
            sections[-1][1].append((line[3:], ""))
        else:
            q, a = sections[-1][1][-1]
            sections[-1][1][-1] = (q, f"{a} {line}".strip())
    return sections


def help_center_html() -> str:
    nav = "\n".join(
        f'      <li><a href="/{slug}/">{label}</a></li>'
        for slug, label in (
            ("", "Home"),
            ("hr", "HR Help Center"),
            ("it", "IT Service Desk"),
            ("policies", "Policies"),
            ("directory", "People Directory"),
        )
    )
    body = []
    for title, items in help_sections():
        body.append(f"      <section>\n        <h2>{html.escape(title)}</h2>")
        for q, a in items:
            body.append(f"        <h3>{html.escape(q)}</h3>\n        <p>{html.escape(a)}</p>")
        body.append("      </section>")
    sections = "\n".join(body)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>HR Help Center – Frequently asked questions | Harbor Financial Group Intranet</title>
  <meta name="description" content="Answers to common HR questions for Harbor Financial Group \
employees.">
  <link rel="stylesheet" href="/static/intranet.css">
</head>
<body>
  <header class="site-header">
    <a class="logo" href="/">Harbor Financial Group · Intranet</a>
    <form class="search" action="/search"><input name="q" placeholder="Search the intranet">\
</form>
    <nav aria-label="Main">
    <ul>
{nav}
    </ul>
    </nav>
  </header>
  <div class="breadcrumb"><a href="/">Home</a> › <a href="/hr/">HR Help Center</a> › FAQ</div>
  <main>
    <article>
      <h1>HR Help Center: frequently asked questions</h1>
      <p class="lede">Answers to the questions HR receives most often. Page owner: Group Human \
Resources. Last reviewed: 10 February 2025.</p>
{sections}
      <p>Can't find your answer? Contact HR at hr-help@harborfg.example or ext. 2200.</p>
    </article>
  </main>
  <aside class="related">
    <h2>Popular links</h2>
    <ul>
      <li><a href="/it/password-reset/">Reset your password</a></li>
      <li><a href="/policies/gp-04/">Travel and expense policy</a></li>
      <li><a href="/canteen/">Canteen menu this week</a></li>
    </ul>
  </aside>
  <footer class="site-footer">
    <p>© 2025 Harbor Financial Group. Internal use only (C2).</p>
    <p><a href="/privacy/">Privacy</a> · <a href="/accessibility/">Accessibility</a> · \
<a href="/it/">Report a problem with this page</a></p>
  </footer>
</body>
</html>
"""


def write_html(path: Path) -> None:
    path.write_text(help_center_html(), encoding="utf-8", newline="\n")


# ---------------------------------------------------------------------------------------------
# Checking the question set
# ---------------------------------------------------------------------------------------------


def extract_text(path: Path) -> str:
    """The text Cristal's own parser extracts; a close stand-in when Cristal is not installed."""
    try:
        from cristal.knowledge.parsers import parse_file
    except ImportError:
        parse_file = None
    if parse_file is not None:
        return parse_file(path).text
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
        pages = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
        return "\n".join(p.replace("\r\n", "\n") for p in pages)
    if suffix == ".docx":
        from docx import Document

        doc = Document(str(path))
        parts = [p.text for p in doc.paragraphs]
        for table in doc.tables:
            parts += [" | ".join(c.text for c in row.cells) for row in table.rows]
        return "\n".join(parts)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp932")
    if suffix in (".html", ".htm"):
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return text.replace("\r\n", "\n")


def check_questions() -> int:
    problems = 0
    rows = [json.loads(line) for line in (HERE / "questions.jsonl").read_text().splitlines()]
    texts: dict[str, str] = {}
    for q in rows:
        for rel in q["gold_docs"]:
            if rel not in texts:
                texts[rel] = extract_text(DOCS / rel)
        for fact in q["answer_facts"]:
            where = [rel for rel in q["gold_docs"] if fact in texts[rel]]
            if not where:
                problems += 1
                print(f"{q['id']}: fact {fact!r} not found in {q['gold_docs']}")
        if q["answerable"] != bool(q["answer_facts"]):
            problems += 1
            print(f"{q['id']}: answerable={q['answerable']} but answer_facts={q['answer_facts']}")
    print(f"checked {len(rows)} questions: {problems} problem(s)")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="check questions.jsonl afterwards")
    args = parser.parse_args()
    writers = {
        "policies/information-security-rules-is01.pdf": write_pdf,
        "policies/travel-expense-policy-gp04.docx": write_docx,
        "hr/remote-work-rules-hr07.txt": write_sjis,
        "hr/employee-help-center.html": write_html,
    }
    for rel, write in writers.items():
        path = DOCS / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        write(path)
        print(f"wrote {rel} ({path.stat().st_size:,} bytes)")
    if args.check and check_questions():
        sys.exit(1)


if __name__ == "__main__":
    main()
