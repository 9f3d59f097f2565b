"""Word lists, sentence templates and document builders for benchmarks/corpus.py.

A document is built from its plan entry (a dict made by corpus.plan) as a list of blocks:
("title"|"meta"|"h1"|"h2"|"p", str), ("ul"|"ol", [str]) or ("table", [[str]]), the first
table row being the header. Planted answer facts are wrapped in FACT_OPEN/FACT_CLOSE so the
PDF renderer never breaks a line inside one; every renderer strips the markers.
"""

from __future__ import annotations

import random

FACT_OPEN, FACT_CLOSE = "\x02", "\x03"
LANGS = ("en", "ja")
STRIP_MARKS = str.maketrans("", "", FACT_OPEN + FACT_CLOSE)


def fact(s: str) -> str:
    return f"{FACT_OPEN}{s}{FACT_CLOSE}"


# (English, Japanese) pairs -------------------------------------------------------------------
PREFIXES = [
    ("Aoba", "青葉"), ("Hokuto", "北斗"), ("Shirasagi", "白鷺"), ("Asahi", "朝日"),
    ("Sakuragawa", "桜川"), ("Minato", "港"), ("Tsubame", "燕"), ("Kasumi", "霞"),
    ("Hinode", "日の出"), ("Midori", "緑"), ("Kawasemi", "翡翠"), ("Yamabuki", "山吹"),
    ("Kestrel", "ケストレル"), ("Northwind", "ノースウィンド"), ("Bluefin", "ブルーフィン"),
    ("Cedar", "シーダー"), ("Halcyon", "ハルシオン"), ("Granite", "グラナイト"),
    ("Lumen", "ルーメン"), ("Harbor", "ハーバー"), ("Orion", "オリオン"),
    ("Meridian", "メリディアン"),
]
INDUSTRIES = [
    ("Logistics", "物流"), ("Foods", "食品"), ("Systems", "システムズ"), ("Pharma", "製薬"),
    ("Trading", "商事"), ("Electric", "電機"), ("Construction", "建設"), ("Retail", "リテール"),
    ("Chemicals", "化学"), ("Insurance", "損害保険"), ("Motors", "モータース"),
    ("Textiles", "繊維"),
]
DEPTS = [
    ("Finance", "経理部"), ("Procurement", "購買部"), ("Legal", "法務部"),
    ("Human Resources", "人事部"), ("IT Operations", "情報システム部"),
    ("Internal Audit", "内部監査室"), ("Risk Management", "リスク管理部"),
    ("Sales Operations", "営業企画部"), ("General Affairs", "総務部"),
    ("Quality Assurance", "品質保証部"), ("Customer Support", "カスタマーサポート部"),
    ("Corporate Planning", "経営企画部"),
]
ROLES = [
    ("Chief Financial Officer", "最高財務責任者"), ("Chief Operating Officer", "最高執行責任者"),
    ("Head of Procurement", "購買部長"), ("General Counsel", "法務部長"),
    ("Department Head", "所属部長"), ("Division Director", "本部長"),
    ("Chief Information Officer", "最高情報責任者"),
    ("Compliance Officer", "コンプライアンス責任者"), ("Managing Director", "常務取締役"),
    ("Board of Directors", "取締役会"), ("Line Manager", "所属長"), ("Head of Finance", "経理部長"),
]
SYSTEMS = ["SAP S/4", "WorkDesk", "e-Approve", "DocuVault", "ServiceHub", "TimeCard Pro"]
COMMITTEES = [
    ("Management Committee", "経営会議"), ("Risk Committee", "リスク管理委員会"),
    ("Steering Committee", "運営委員会"), ("Investment Committee", "投資委員会"),
    ("Sales Strategy Meeting", "営業戦略会議"), ("Quality Review Board", "品質審査会"),
]
# Policy topics: (English title, Japanese title, English object, Japanese object, code prefix)
TOPICS = [
    ("Procurement Policy", "購買管理規程", "purchase orders", "発注", "PRC"),
    ("Travel and Expense Policy", "旅費規程", "overseas business trips", "海外出張", "TRV"),
    ("Information Security Policy", "情報セキュリティ規程", "security exceptions",
     "セキュリティ例外申請", "ISP"),
    ("Records Retention Policy", "文書管理規程", "early disposal of records", "文書の早期廃棄",
     "REC"),
    ("Capital Expenditure Policy", "設備投資規程", "capital expenditure", "設備投資", "CPX"),
    ("Gifts and Entertainment Policy", "贈答・接待規程", "client entertainment", "接待費", "GFT"),
    ("Vendor Management Policy", "委託先管理規程", "new outsourcing contracts", "業務委託契約",
     "VND"),
    ("Business Continuity Policy", "事業継続規程", "recovery spending", "復旧費用の支出", "BCP"),
    ("Fixed Asset Policy", "固定資産管理規程", "asset write-offs", "固定資産の除却", "FXA"),
    ("Contract Management Policy", "契約管理規程", "contract signature", "契約締結", "CTR"),
    ("Donations Policy", "寄付金規程", "donations", "寄付", "DON"),
    ("Marketing Spend Policy", "広告宣伝費規程", "advertising campaigns", "広告出稿", "MKT"),
]
DOA = ("Delegation of Authority Rules", "職務権限規程", "", "", "DOA")
PRODUCT_A = [
    ("Aurora", "オーロラ"), ("Nimbus", "ニンバス"), ("Vertex", "バーテックス"), ("Solis", "ソリス"),
    ("Tidal", "タイダル"), ("Ember", "エンバー"), ("Zephyr", "ゼファー"), ("Atlas", "アトラス"),
    ("Quartz", "クォーツ"), ("Nova", "ノヴァ"), ("Summit", "サミット"), ("Pulse", "パルス"),
]
PRODUCT_B = [
    ("Flex", "フレックス"), ("Cloud", "クラウド"), ("Track", "トラック"), ("Guard", "ガード"),
    ("Link", "リンク"), ("Care", "ケア"), ("Works", "ワークス"), ("Desk", "デスク"),
]
SERVICES = [
    ("Cloud Backup Service", "クラウドバックアップサービス"), ("Fleet Leasing", "法人車両リース"),
    ("Payroll Outsourcing", "給与計算代行"), ("Office Cleaning", "オフィス清掃サービス"),
    ("Cold-Chain Delivery", "低温配送サービス"), ("Equipment Maintenance", "設備保守サービス"),
    ("Document Storage", "文書保管サービス"), ("Corporate Card", "法人カード"),
    ("Translation Service", "翻訳サービス"), ("Web Conferencing", "Web会議サービス"),
    ("Training Programme", "研修プログラム"), ("Warehouse Rental", "倉庫レンタル"),
]
CODENAMES = [
    ("Falcon", "ファルコン"), ("Heron", "ヘロン"), ("Lotus", "ロータス"), ("Maple", "メープル"),
    ("Comet", "コメット"), ("Harvest", "ハーベスト"), ("Beacon", "ビーコン"),
    ("Anchor", "アンカー"), ("Prism", "プリズム"), ("Sakura", "サクラ"), ("Kite", "カイト"),
    ("Orca", "オルカ"),
]
EN_FIRST = [
    "Emily", "James", "Sophie", "Daniel", "Olivia", "Ryan", "Hannah", "Lucas", "Grace", "Thomas",
    "Mia", "Owen", "Chloe", "Adam", "Laura", "Ken", "Yuki", "Naomi", "Ethan", "Ava",
]
EN_LAST = [
    "Carter", "Hughes", "Bennett", "Walsh", "Morgan", "Fischer", "Reid", "Tanaka", "Sato", "Park",
    "Novak", "Ellis", "Grant", "Shaw", "Kimura", "Lowe", "Price", "Doyle", "Moreau", "Hale",
]
JA_LAST = [
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田",
    "松本", "井上", "木村", "林", "清水", "森", "池田", "橋本",
]
JA_FIRST = [
    "健一", "美咲", "翔太", "由美", "大輔", "彩", "直樹", "真理子", "拓也", "恵", "誠", "陽子",
    "亮", "千尋", "隆", "奈々", "浩二", "早紀", "修", "和子",
]
EN_MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]

# Generic prose: each document draws a few departments, roles and objects and sticks to them --
OBJECTS = {
    "en": [
        "customer records", "access rights", "travel bookings", "incident reports",
        "inventory counts", "audit findings", "training records", "delivery schedules",
        "quality checks", "system changes", "complaint logs", "safety inspections",
    ],
    "ja": [
        "顧客情報", "アクセス権限", "出張手配", "事故報告", "棚卸記録", "監査指摘事項", "研修記録",
        "配送計画", "品質検査記録", "システム変更", "苦情記録", "安全点検",
    ],
}
MONEY_OBJECTS = {
    "en": [
        "purchase requests", "supplier invoices", "price quotations", "service contracts",
        "expense claims", "budget transfers", "capital requests", "advertising orders",
    ],
    "ja": [
        "購買申請", "請求書", "見積書", "業務委託契約", "経費精算", "予算流用", "設備投資申請",
        "広告発注",
    ],
}
VERBS = {
    "en": [
        "review", "approve", "record", "reconcile", "verify", "archive", "monitor", "update",
    ],
    "ja": [
        "確認する", "承認する", "記録する", "照合する", "点検する", "保管する", "見直す",
        "更新する",
    ],
}
TIMES = {
    "en": [
        "within 5 business days", "every quarter", "before the end of each month",
        "at least once a year", "before the contract is signed", "on the day of receipt",
        "within 10 business days", "every six months",
    ],
    "ja": [
        "5営業日以内に", "四半期ごとに", "毎月末までに", "年1回以上", "契約締結前に",
        "受付当日中に", "10営業日以内に", "半年ごとに",
    ],
}
TEMPLATES = {
    "en": [
        "{dept} will {verb} all {obj} {time}.",
        "Employees must not {verb} {obj} without the prior approval of the {role}.",
        "Records of {obj} are kept in {system} for {n} years.",
        "Where {mobj} exceed {amount}, the {role} must {verb} them before any commitment is made.",
        "Where {mobj} exceed {amount}, at least two quotations are required.",
        "{dept} reports the status of {obj} to the {committee} {time}.",
        "Any deviation from this procedure is documented by {dept} and explained to the {role}.",
        "Staff who are unsure how to {verb} {obj} should contact {dept} before acting.",
        "The {role} may delegate the duty to {verb} {mobj} in writing, for up to {n} months.",
        "{dept} checks a sample of {obj} {time} and records the result in {system}.",
        "New employees complete training on how to {verb} {obj} within {n} weeks of joining.",
        "Late or incomplete {obj} are escalated to the {role} {time}.",
        "The target is to {verb} {pct}% of {obj} {time}.",
        "Before {mobj} are submitted, the requester confirms that all supporting documents are "
        "attached.",
        "{dept} publishes a summary of {obj} on the intranet {time}.",
        "If {system} is unavailable, {obj} are recorded on the paper form and entered into the "
        "system within {n} business days.",
        "The {role} is accountable for the accuracy of {obj} in their area.",
        "{dept} and {dept2} jointly review {obj} {time} and agree any corrective action.",
        "Requests to change {mobj} are submitted through {system} and approved by the {role}.",
        "Customer questions about {obj} are answered by {dept} within {n} business days.",
    ],
    "ja": [
        "{dept}は、{obj}を{time}{verb}。",
        "従業員は、{role}の事前承認なく{obj}を処理してはならない。",
        "{obj}の記録は、{system}に{n}年間保存する。",
        "{mobj}が{amount}を超える場合は、{role}が内容を{verb}。",
        "{mobj}が{amount}を超える場合は、2社以上から見積りを取得する。",
        "{dept}は、{obj}の状況を{time}{committee}に報告する。",
        "本手続きによらない処理を行った場合は、{dept}がその理由を記録し、{role}に報告する。",
        "{obj}の取扱いに疑義がある場合は、事前に{dept}に相談する。",
        "{role}は、{mobj}に関する権限を書面により最長{n}か月間委任することができる。",
        "{dept}は、{obj}の一部を{time}抽出して点検し、結果を{system}に記録する。",
        "新入社員は、入社後{n}週間以内に{obj}に関する研修を受講する。",
        "期限を過ぎた{obj}は、{time}{role}に報告する。",
        "{obj}の{pct}%以上を{time}処理することを目標とする。",
        "{mobj}を提出する前に、申請者は必要書類がそろっていることを確認する。",
        "{dept}は、{obj}の概要を{time}社内ポータルに掲載する。",
        "{system}が利用できない場合は、所定の用紙に記録し、復旧後{n}営業日以内に入力する。",
        "{role}は、所管する{obj}の正確性について責任を負う。",
        "{dept}と{dept2}は、{time}{obj}を共同で点検し、是正措置を決定する。",
        "{mobj}の変更は、{system}で申請し、{role}の承認を得る。",
        "顧客からの{obj}に関する問い合わせには、{dept}が{n}営業日以内に回答する。",
    ],
}
SECTIONS = {
    "en": [
        "Background", "Responsibilities", "Procedure", "Monitoring", "Training", "Reporting",
        "Records", "Review of this document", "Roles of departments", "Escalation",
        "Implementation schedule", "Scope of application", "Definitions", "Controls", "Systems",
        "Communication", "Audit", "Transition arrangements",
    ],
    "ja": [
        "背景", "責任体制", "手続き", "モニタリング", "教育", "報告", "記録の保存", "見直し",
        "各部門の役割", "エスカレーション", "実施計画", "適用範囲", "定義", "統制", "システム",
        "周知", "監査", "経過措置",
    ],
}
SUBSECTIONS = {
    "en": [
        "Scope", "Steps", "Timing", "Documentation", "Responsibilities", "Exceptions", "Examples",
        "Controls",
    ],
    "ja": [
        "対象", "手順", "時期", "必要書類", "担当", "例外", "具体例", "統制",
    ],
}


def vocab(rng: random.Random, lang: str) -> dict:
    """The departments, roles, objects and systems one document talks about."""
    j = 0 if lang == "en" else 1
    return {
        "lang": lang,
        "dept": [x[j] for x in rng.sample(DEPTS, 4)],
        "role": [x[j] for x in rng.sample(ROLES, 4)],
        "obj": rng.sample(OBJECTS[lang], 4),
        "mobj": rng.sample(MONEY_OBJECTS[lang], 3),
        "system": rng.sample(SYSTEMS, 2),
        "committee": [x[j] for x in rng.sample(COMMITTEES, 2)],
    }


def round_amount(rng: random.Random) -> int:
    return rng.choice([50, 100, 200, 300, 500, 1000, 2000, 3000, 5000, 10000]) * 1000


def money(v: int, lang: str) -> str:
    return f"¥{v:,}" if lang == "en" else f"{v:,}円"


def sentence(rng: random.Random, v: dict, template: str | None = None) -> str:
    lang = v["lang"]
    dept, dept2 = rng.sample(v["dept"], 2)
    slots = {k: rng.choice(v[k]) for k in ("role", "obj", "mobj", "system", "committee")}
    slots |= {"dept": dept, "dept2": dept2, "verb": rng.choice(VERBS[lang]),
              "time": rng.choice(TIMES[lang]), "n": rng.randint(2, 10),
              "amount": money(round_amount(rng), lang), "pct": rng.choice([80, 90, 95, 98])}
    text = (template or rng.choice(TEMPLATES[lang])).format(**slots)
    return text[0].upper() + text[1:] if lang == "en" else text


def sentences(rng: random.Random, v: dict, n: int) -> list[str]:
    """`n` sentences from different templates."""
    return [sentence(rng, v, t) for t in rng.sample(TEMPLATES[v["lang"]], n)]


def paragraph(rng: random.Random, v: dict, n: int | None = None) -> str:
    return (" " if v["lang"] == "en" else "").join(sentences(rng, v, n or rng.randint(3, 6)))


def filler_table(rng: random.Random, v: dict) -> list[list[str]]:
    en = v["lang"] == "en"
    head = ["Item", "Owner", "Frequency"] if en else ["項目", "担当", "頻度"]
    objs = rng.sample(v["obj"] + v["mobj"], rng.randint(3, 6))
    times = [t.removesuffix("に") for t in TIMES[v["lang"]]]
    return [head] + [[o, rng.choice(v["dept"]), rng.choice(times)] for o in objs]


def filler_sections(rng: random.Random, v: dict, budget: int, start: int,
                    articles: bool = False) -> tuple[list, int]:
    """Numbered sections of generic prose until `budget` characters are used.

    Returns the blocks and the last section number; `articles` numbers Japanese sections as
    第N条 (rules) instead of N. (other documents).
    """
    lang, blocks, k = v["lang"], [], start
    titles = rng.sample(SECTIONS[lang], len(SECTIONS[lang]))
    while budget > 0:
        k += 1
        title = titles[(k - start - 1) % len(titles)]
        head = f"第{k}条（{title}）" if articles and lang == "ja" else f"{k}. {title}"
        blocks.append(("h1", head))
        parts: list = [("p", paragraph(rng, v))]
        for m, sub in enumerate(rng.sample(SUBSECTIONS[lang], rng.randint(0, 2)), start=1):
            parts += [("h2", f"{k}.{m} {sub}" if lang == "en" else f"（{m}）{sub}"),
                      ("p", paragraph(rng, v))]
        if rng.random() < 0.35:
            parts.append(("table", filler_table(rng, v)))
        if rng.random() < 0.3:
            parts.append(("ol" if lang == "ja" else "ul", sentences(rng, v, rng.randint(2, 5))))
        blocks += parts
        budget -= sum(len(str(b)) for _, b in parts)
    return blocks, k


def date_str(ymd: tuple[int, int, int], lang: str) -> str:
    y, m, d = ymd
    return f"{d} {EN_MONTHS[m - 1]} {y}" if lang == "en" else f"{y}年{m}月{d}日"


def person(rng: random.Random, lang: str) -> str:
    if lang == "en":
        return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"
    return f"{rng.choice(JA_LAST)} {rng.choice(JA_FIRST)}"


def _pick(pair: tuple[str, ...], lang: str) -> str:
    return pair[0] if lang == "en" else pair[1]


def _meta(d: dict, extra: str) -> tuple[str, str]:
    en, ja = d["company"]
    return ("meta", f"{en} ({ja}) · {extra}" if d["lang"] == "en" else f"{ja}（{en}）　{extra}")


def build_policy(d: dict, rng: random.Random) -> list:
    lang, en, v = d["lang"], d["lang"] == "en", vocab(rng, d["lang"])
    topic = DOA if "doa_rows" in d else TOPICS[d["topic"]]
    dept, eff = _pick(d["dept"], lang), date_str(d["date"], lang)
    blocks: list = [("title", _pick(topic, lang))]
    if en:
        blocks += [
            _meta(
                d,
                f"Control No. {d['code']} · Version {d['version']} · Effective {eff}"
                f" · Owner: {dept}",
            ),
            ("h1", "1. Purpose"),
            (
                "p",
                f"This document sets out the rules of "
                f"{d['company'][0]} on {topic[2] or 'decision-making authority'}. "
                + paragraph(rng, v, 2),
            ),
        ]
    else:
        blocks += [
            _meta(d, f"管理番号：{d['code']}　第{d['version']}版　施行日：{eff}　所管：{dept}"),
            ("h1", "第1条（目的）"),
            (
                "p",
                f"本規程は、{d['company'][1]}における"
                f"{topic[3] or '職務権限'}に関する基本的事項を定める。" + paragraph(rng, v, 2),
            ),
        ]
    if "doa_rows" in d:
        head = (
            ["Policy", "Control No.", "Exception approver"]
            if en
            else ["規程", "管理番号", "例外承認者"]
        )
        rows = [
            [title, code, f"{fact(name)} ({role})" if en else f"{fact(name)}（{role}）"]
            for title, code, name, role in d["doa_rows"]
        ]
        blocks += [
            ("h1", "2. Approval of exceptions" if en else "第2条（例外の承認）"),
            (
                "p",
                "Exceptions to the policies below are approved by the person named."
                if en
                else "次の規程の例外は、次表の者が承認する。",
            ),
            ("table", [head] + rows),
        ]
    else:
        amt, who = fact(money(d["amount"], lang)), fact(_pick(d["approver"], lang))
        low = money(round_amount(rng) // 10, lang)
        tiers = [
            ["Amount", "Approver"] if en else ["金額", "承認者"],
            [f"Up to {low}" if en else f"{low}以下", _pick(ROLES[10], lang)],
            [f"Above {amt}" if en else f"{amt}超", who],
        ]
        blocks += [
            ("h1", "2. Approval authority" if en else "第2条（承認権限）"),
            (
                "p",
                f"Approval of {topic[2]} above {amt} is reserved to the {who}."
                if en
                else f"{topic[3]}が{amt}を超える場合は、{who}の承認を要する。",
            ),
            ("table", tiers),
        ]
    more, k = filler_sections(rng, v, d["budget"], 2, articles=True)
    blocks += more
    if d.get("doa"):
        k += 1
        blocks += [
            ("h1", f"{k}. Exceptions" if en else f"第{k}条（例外）"),
            (
                "p",
                f"Exceptions to this policy are approved as set out in the Delegation of "
                f"Authority Rules ({d['doa']})."
                if en
                else f"本規程の例外は、職務権限規程（{d['doa']}）の定めるところにより承認する。",
            ),
        ]
    ext = fact(d["ext"])
    return blocks + [
        ("h1", f"{k + 1}. Contact" if en else f"第{k + 1}条（問い合わせ）"),
        (
            "p",
            f"Questions about this document: {dept}, ext. {ext}."
            if en
            else f"本規程に関する問い合わせ先：{dept}（内線{ext}）",
        ),
    ]


FEATURES = {
    "en": [
        "Real-time dashboard for {obj}", "Automatic alerts when {obj} are overdue",
        "Integration with {system}", "Role-based access for up to {n}0 users",
        "Monthly report on {obj} delivered by e-mail", "Data held in Tokyo and Osaka",
        "Mobile app for approving {mobj}", "Audit trail of every change to {obj}",
    ],
    "ja": [
        "{obj}をリアルタイムで可視化するダッシュボード", "{obj}の期限超過を自動で通知",
        "{system}との連携", "最大{n}0ユーザーまでの権限管理", "{obj}の月次レポートをメールで配信",
        "東京・大阪の2拠点でデータを保管", "{mobj}をスマートフォンで承認",
        "{obj}の変更履歴をすべて記録",
    ],
}


def build_product(d: dict, rng: random.Random) -> list:
    lang, en, v = d["lang"], d["lang"] == "en", vocab(rng, d["lang"])
    name, other = _pick(d["product"], lang), d["product"][1 if en else 0]
    feats = [
        f.format(
            obj=rng.choice(v["obj"]),
            mobj=rng.choice(v["mobj"]),
            n=rng.randint(2, 9),
            system=rng.choice(v["system"]),
        )
        for f in rng.sample(FEATURES[lang], 4)
    ]
    price, sku, lead = fact(money(d["price"], lang)), fact(d["sku"]), rng.randint(3, 20)
    if en:
        facts = [
            ["Item", "Detail"],
            ["Product code", sku],
            ["Monthly price (excl. tax)", price],
            ["Minimum contract term", f"{d['term']} months"],
            ["Lead time", f"{lead} business days"],
        ]
        head = [
            ("title", f"{name} — Product Sheet"),
            _meta(d, f"Product Marketing · Issued {date_str(d['date'], lang)}"),
            ("h1", "Overview"),
            (
                "p",
                f"{name} ({other}) is offered by {d['company'][0]} to "
                "corporate customers. " + paragraph(rng, v, 3),
            ),
            ("h1", "Key facts"),
            ("table", facts),
            ("h1", "Features"),
            ("ul", feats),
        ]
    else:
        facts = [
            ["項目", "内容"],
            ["製品コード", sku],
            ["月額料金（税抜）", price],
            ["最低契約期間", f"{d['term']}か月"],
            ["納期", f"{lead}営業日"],
        ]
        head = [
            ("title", f"{name} 製品概要"),
            _meta(d, f"商品企画部　発行日：{date_str(d['date'], lang)}"),
            ("h1", "概要"),
            (
                "p",
                f"{name}（{other}）は、{d['company'][1]}が法人のお客様向けに"
                "提供するサービスです。" + paragraph(rng, v, 3),
            ),
            ("h1", "主な仕様"),
            ("table", facts),
            ("h1", "特長"),
            ("ul", feats),
        ]
    return head + filler_sections(rng, v, d["budget"], 0)[0]


def build_minutes(d: dict, rng: random.Random) -> list:
    lang, en, v = d["lang"], d["lang"] == "en", vocab(rng, d["lang"])
    com, proj = _pick(d["committee"], lang), _pick(d["project"], lang)
    people = [person(rng, lang) for _ in range(rng.randint(4, 7))]
    budget, owner = fact(money(d["budget_amt"], lang)), fact(d["owner"])
    due = date_str(d["due"], lang)
    agenda = [proj] + v["obj"][: rng.randint(2, 4)]
    if en:
        info = [
            ["Item", "Detail"],
            ["Date", date_str(d["date"], lang)],
            ["Chair", people[0]],
            ["Attendees", ", ".join(people[1:])],
            ["Location", f"Room {rng.randint(2, 30)}01"],
        ]
        blocks = [
            ("title", f"{com} — Minutes of Meeting No. {d['no']}"),
            _meta(d, "Minutes"),
            ("table", info),
            ("h1", "Agenda"),
            ("ol", agenda),
            ("h1", f"1. {proj}"),
            ("p", paragraph(rng, v)),
            (
                "p",
                f"Decision: the committee approved a budget of {budget} for {proj}. "
                f"{owner} will lead the work and report progress by {due}.",
            ),
        ]
        actions = [["No.", "Action", "Owner", "Due"], ["1", f"Kick-off of {proj}", owner, due]]
    else:
        info = [
            ["項目", "内容"],
            ["日時", date_str(d["date"], lang)],
            ["議長", people[0]],
            ["出席者", "、".join(people[1:])],
            ["場所", f"本社{rng.randint(2, 30)}階会議室"],
        ]
        blocks = [
            ("title", f"第{d['no']}回 {com} 議事録"),
            _meta(d, "議事録"),
            ("table", info),
            ("h1", "議題"),
            ("ol", agenda),
            ("h1", f"1. {proj}"),
            ("p", paragraph(rng, v)),
            (
                "p",
                f"審議の結果、{proj}の予算として{budget}を承認した。{owner}が担当し、"
                f"{due}までに進捗を報告する。",
            ),
        ]
        actions = [["No.", "内容", "担当", "期限"], ["1", f"{proj}の開始", owner, due]]
    for k, obj in enumerate(agenda[1:], start=2):
        blocks += [("h1", f"{k}. {obj}"), ("p", paragraph(rng, v))]
    blocks += filler_sections(rng, v, d["budget"] - 600, len(agenda))[0]
    for k in range(2, rng.randint(3, 6)):
        actions.append(
            [
                str(k),
                rng.choice(v["obj"] + v["mobj"]),
                rng.choice(people),
                date_str((d["due"][0], rng.randint(1, 12), 28), lang),
            ]
        )
    return blocks + [("h1", "Action items" if en else "宿題事項"), ("table", actions)]


FAQ_QUESTIONS = {
    "en": [
        "Who can use the {svc}?", "Is there a minimum contract term?", "Can I change my plan?",
        "How is my data protected?", "How are invoices issued?", "Do you offer training?",
        "What happens if a delivery is late?", "Can I add more users later?",
        "How do I report a problem?", "Can I pay by credit card?", "Is there a free trial?",
        "How are {obj} handled?",
    ],
    "ja": [
        "{svc}はどのような会社が利用できますか？", "最低契約期間はありますか？",
        "プランの変更はできますか？", "データはどのように保護されますか？",
        "請求書はどのように発行されますか？", "研修はありますか？",
        "納期が遅れた場合はどうなりますか？", "利用者を後から追加できますか？",
        "不具合はどこに報告すればよいですか？", "クレジットカードで支払えますか？",
        "無料のお試し期間はありますか？", "{obj}はどのように扱われますか？",
    ],
}


def build_faq(d: dict, rng: random.Random) -> list:
    lang, en, v = d["lang"], d["lang"] == "en", vocab(rng, d["lang"])
    svc, fee, phone = _pick(d["service"], lang), fact(money(d["fee"], lang)), fact(d["phone"])
    upd = date_str(d["date"], lang)
    if en:
        core = [
            ("h2", "Can I cancel the contract?"),
            (
                "p",
                f"Yes, with one month's notice. A cancellation fee of {fee} applies if you "
                f"cancel within the first {d['term']} months. " + paragraph(rng, v, 2),
            ),
            ("h2", "How do I contact support?"),
            ("p", f"Call the {svc} support desk at {phone} on weekdays from 9:00 to 18:00."),
        ]
        blocks = [
            ("title", f"{svc} — Frequently Asked Questions"),
            _meta(d, f"Customer Support · Last updated {upd}"),
        ]
    else:
        core = [
            ("h2", "解約はできますか？"),
            (
                "p",
                f"1か月前までのお申し出により解約できます。契約開始から{d['term']}か月以内の"
                f"解約には、解約手数料{fee}がかかります。" + paragraph(rng, v, 2),
            ),
            ("h2", "問い合わせ先を教えてください。"),
            ("p", f"{svc}サポートデスク（{phone}、平日9:00〜18:00）までご連絡ください。"),
        ]
        blocks = [
            ("title", f"{svc} よくあるご質問"),
            _meta(d, f"カスタマーサポート部　更新日：{upd}"),
        ]
    qs = rng.sample(FAQ_QUESTIONS[lang], len(FAQ_QUESTIONS[lang]))
    extra, used = [], sum(len(str(b)) for _, b in core)
    while used < d["budget"]:
        q = qs[len(extra) % len(qs)].format(svc=svc, obj=rng.choice(v["obj"]))
        a = paragraph(rng, v, rng.randint(2, 5))
        extra.append(
            [("h2", q), ("p", a)]
            + ([("table", filler_table(rng, v))] if rng.random() < 0.2 else [])
        )
        used += len(q) + len(a)
    extra.insert(rng.randint(0, len(extra)), core)
    return blocks + [b for group in extra for b in group]


BUILDERS = {
    "policy": build_policy,
    "product": build_product,
    "minutes": build_minutes,
    "faq": build_faq,
}


# Planted values (corpus.plan keeps them unique) -----------------------------------------------
def planted_amount(rng: random.Random) -> int:
    """4 significant digits, never a multiple of 100,000, so no filler amount can equal it."""
    k = rng.randint(1001, 9999)
    return (k if k % 100 else k + 1) * 1000


def price(rng: random.Random) -> int:
    return rng.randint(1001, 98999)


def control_no(rng: random.Random, prefix: str) -> str:
    return f"{prefix}-{rng.randint(100, 999)}"


def extension(rng: random.Random) -> str:
    return str(rng.randint(2000, 8999))


def sku(rng: random.Random) -> str:
    return "".join(rng.choices("ABCDEFGHJKLMNPRSTUVWXYZ", k=3)) + f"-{rng.randint(1000, 9999)}"


def phone(rng: random.Random) -> str:
    area = rng.choice(["3", "6", "45", "52", "92"])
    return f"0{area}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"


def product_name(rng: random.Random) -> tuple[str, str]:
    """Model numbers are multiples of 10 (unanswerable questions use ones ending in 5)."""
    a, b, m = rng.choice(PRODUCT_A), rng.choice(PRODUCT_B), rng.randrange(100, 1000, 10)
    return f"{a[0]} {b[0]} {m}", f"{a[1]}・{b[1]}{m}"


def project_name(rng: random.Random) -> tuple[str, str]:
    c, k = rng.choice(CODENAMES), rng.randint(1, 999)
    return f"Project {c[0]} {k}", f"プロジェクト・{c[1]}{k}"


# Questions ------------------------------------------------------------------------------------
def _name(pair: tuple, q: str, d: str) -> str:
    main, other = pair[LANGS.index(q)], pair[LANGS.index(d)]
    return main if q == d else (f"{main} ({other})" if q == "en" else f"{main}（{other}）")


def ask(d: dict, q: str, two_hop: bool = False) -> dict:
    dl, en, n = d["lang"], q == "en", lambda pair: _name(pair, q, d["lang"])
    co, k, same = n(d["company"]), d["kind"], q == dl
    gold = [d["path"]]
    if two_hop:
        t = TOPICS[d["topic"]]
        text = (
            f"Who approves exceptions to {co}'s {n(t[:2])}?"
            if en
            else f"{co}の{n(t[:2])}の例外は誰が承認しますか？"
        )
        facts, gold = [d["doa_name"]], gold + [d["doa_doc"]["path"]]
    elif k == "policy":
        t = TOPICS[d["topic"]]
        tail_en = "who must give it" if same else "which extension answers questions on the policy"
        tail_ja = "誰の承認が必要ですか" if same else "問い合わせ先の内線番号は何番ですか"
        text = (
            f"Under {co}'s {n(t[:2])}, above what amount is special approval needed for "
            f"{t[2]}, and {tail_en}?"
            if en
            else f"{co}の{n(t[:2])}では、{t[3]}はいくらを超えると特別な承認が必要ですか？"
            f"また、{tail_ja}？"
        )
        facts = [f"{d['amount']:,}", d["approver"][LANGS.index(dl)] if same else d["ext"]]
    elif k == "product":
        text = (
            f"What is the monthly price of {n(d['product'])} from {co}, and its product code?"
            if en
            else f"{co}の「{n(d['product'])}」の月額料金と製品コードを教えてください。"
        )
        facts = [f"{d['price']:,}", d["sku"]]
    elif k == "minutes":
        text = (
            f"What budget did {co}'s {n(d['committee'])} approve for {n(d['project'])}"
            + (", and who leads the work?" if same else "?")
            if en
            else f"{co}の{n(d['committee'])}で{n(d['project'])}に承認された予算はいくらですか？"
            + ("担当者は誰ですか？" if same else "")
        )
        facts = [f"{d['budget_amt']:,}"] + ([d["owner"]] if same else [])
    else:
        text = (
            f"How much is the cancellation fee for {co}'s {n(d['service'])}, and what number "
            "do I call for support?"
            if en
            else f"{co}の{n(d['service'])}の解約手数料はいくらですか？"
            "サポートの電話番号も教えてください。"
        )
        facts = [f"{d['fee']:,}", d["phone"]]
    return {
        "question": text,
        "lang": q,
        "answer_facts": facts,
        "gold_docs": gold,
        "hops": 2 if two_hop else 1,
        "answerable": True,
    }


def unanswerable(d: dict, q: str, j: int, rng: random.Random) -> dict:
    co = _name(d["company"], q, d["lang"])
    if j % 2 == 0 and d["kind"] == "product":  # a real product, an attribute no document has
        p = _name(d["product"], q, d["lang"])
        text = (
            f"What is the CO2 emission per unit of {p} from {co}?"
            if q == "en"
            else f"{co}の「{p}」の法定耐用年数は何年ですか？"
        )
    else:  # a product name the generator never uses (model numbers are multiples of 10)
        fake = (
            f"{rng.choice(PRODUCT_A)[0]} {rng.choice(PRODUCT_B)[0]} {rng.randint(10, 99)}5"
            if q == "en"
            else f"{rng.choice(PRODUCT_A)[1]}・{rng.choice(PRODUCT_B)[1]}{rng.randint(10, 99)}5"
        )
        text = (
            f"What is the monthly price of {fake} from {co}?"
            if q == "en"
            else f"{co}の「{fake}」の月額料金はいくらですか？"
        )
    return {
        "question": text,
        "lang": q,
        "answer_facts": [],
        "gold_docs": [],
        "hops": 1,
        "answerable": False,
    }


def make_questions(docs: list[dict], seed: int, count: int) -> list[dict]:
    rng = random.Random(seed * 7919 + 13)
    pool = [d for d in docs if d["unique"]]
    rng.shuffle(pool)
    n_un, n_two, n_x = max(2, count // 10), count // 10, count // 5
    two = [d for d in pool if "doa_doc" in d][:n_two]
    taken = {d["i"] for d in two}
    by_lang = {lg: [d for d in pool if d["lang"] == lg and d["i"] not in taken] for lg in LANGS}
    out = [ask(d, LANGS[j % 2], two_hop=True) for j, d in enumerate(two)]
    for j in range(count - n_un - len(two)):  # cross-lingual first, then same-language
        if not by_lang[LANGS[j % 2]]:
            break  # a small corpus has fewer targets than questions asked for
        d = by_lang[LANGS[j % 2]].pop()
        out.append(ask(d, LANGS[(j + 1) % 2] if j < n_x else d["lang"]))
    products = [d for d in docs if d["kind"] == "product"] or docs
    out += [unanswerable(rng.choice(products), LANGS[(j + 1) % 2], j, rng) for j in range(n_un)]
    return [{"id": f"bench-{j + 1:03d}", **q} for j, q in enumerate(out)]
