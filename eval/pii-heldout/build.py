# ruff: noqa: E501  (annotated business text: lines are as written)
"""Held-out PII set: written after the rules were tuned on eval/pii, and never tuned on.

Same annotation and conventions as eval/pii/build.py. Run: `python eval/pii-heldout/build.py`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "pii_build", Path(__file__).resolve().parent.parent / "pii" / "build.py")
_build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_build)

JA = [
    """{{O:株式会社オオゾラ}}
総務課 {{P:野口 智子}} 様

平素よりお世話になっております。{{O:北斗リース株式会社}}の{{P:菅原}}でございます。
契約書の原本を本日発送いたしました。到着まで2〜3日ほどかかる見込みです。
ご不明な点は {{T:022-711-5520}} までお問い合わせください。""",
    """【アルバイト応募フォーム】
氏名：{{P:岩崎 莉子}}
生年月日：{{D:平成15年12月1日}}
住所：〒{{Z:739-8511}} {{A:広島県東広島市鏡山一丁目3番2号}}
電話：{{T:082-424-6010}}
希望勤務地：駅前店""",
    """{{P:健太}}さん、昨日はありがとうございました。
例の件、{{P:増田}}課長にも共有済みです。資料は {{E:masuda-k@example-corp.co.jp}} 宛に送ってください。""",
    """顧客情報変更届
変更前住所：{{A:静岡県浜松市中区元城町103-2}}
変更後住所：{{A:静岡県静岡市葵区追手町9-6 県庁前ハイツ502号室}}
新しい電話番号：{{T:054-221-2455}}
変更日：2024年9月1日""",
    """電話メモ　11/8 16:20
{{O:丸福運送株式会社}}の{{P:平野}}様より。荷物の集荷時間を17時以降にしてほしいとのこと。
折り返し不要。携帯は{{T:080-4455-6677}}。""",
    """支払情報
カード名義：{{P:KAZUKI MORI}}
カード番号：{{K:3583 4788 7838 4830}}
請求先メール：{{E:k.mori@example.jp}}
※セキュリティコードは保存しないこと""",
    """社員証再発行申請
社員番号：A-55012
氏名：{{P:藤井 さくら}}
所属：{{O:株式会社トーヨーエンジニアリング}} 設計部
個人番号：{{M:8955 5979 7119}}
理由：紛失""",
    """【緊急】サーバー障害の件
{{I:10.1.1.200}}のWebサーバーが応答しません。ロードバランサー（{{I:10.1.1.1}}）のログを確認中です。
担当：{{P:高木}}、{{P:松井}}
発生：3:40ごろ　影響：社内ポータル""",
    """お振込先のご案内
{{O:静岡銀行}} 呉服町支店
普通預金　{{B:0123456}}
口座名義　{{O:カ）ハマナコウギョウ}}
※振込手数料はお客様のご負担となります。""",
    """事業者登録
名称：{{O:一般社団法人日本データ協会}}
法人番号：{{C:7395755131373}}
所在地：{{A:東京都千代田区神田錦町3-17-11}}
理事長：{{P:佐野 正人}}""",
    """{{P:中川}}様
先日お預かりしたご長男の健康保険証のコピーを返却いたします。
なお、ご家族の生年月日（{{D:2015年5月5日}}生）に誤りがありましたので訂正をお願いします。""",
    """面談記録
候補者：{{P:エミリー・ジョンソン}}さん（外資系コンサルティング会社勤務）
希望年収：900万円
連絡先：{{E:emily.j@example.com}}
次回：二次面接（{{P:今井}}部長）""",
    """請求書送付のお知らせ
{{O:株式会社ブルーオーシャン}} 御中
請求書番号：BO-2024-1130
適格請求書発行事業者登録番号：T{{C:8537990751163}}
お支払期限：2024年12月31日""",
    """住所確認のお願い
ご登録住所（{{A:沖縄県那覇市泉崎1-2-2}}）宛の郵便物が返送されました。
現在のご住所と電話番号（例：{{T:098-866-2333}}）をお知らせください。
お客様番号：77812093""",
    """口座引落しの不能について
{{P:内田 雅之}}様の{{O:ゆうちょ銀行}}の口座（記号番号 {{B:14050-23456781}}）から引落しができませんでした。
再引落し日：10月27日""",
]

EN = [
    """Hi {{P:Rebecca}},

Just confirming the delivery address for the chairs: {{A:1650 Broadway, Suite 1204, New York, NY}} {{Z:10019}}.
Loading dock closes at 5pm. Contact on site will be {{P:Marcus Hill}}, cell {{T:917-555-0182}}.

Thanks,
{{P:Dana}}""",
    """Subject: Password reset

We received a request to reset the password for {{E:t.nguyen@example.net}} from IP {{I:185.220.101.4}}.
If this wasn't you, contact the service desk at {{T:1-800-555-0111}}.""",
    """Applicant: {{P:Oliver Bennett}}
Date of Birth: {{D:14/03/1994}}
Current employer: {{O:Barclays Bank PLC}}
Address: {{A:27 Victoria Road, Manchester}} {{Z:M14 5AA}}
Mobile: {{T:+44 7700 900123}}""",
    """Notes from the call with {{P:Ahmed Karim}} ({{O:Delta Freight Solutions}}):
- invoice 2024-118 paid twice; refund to card {{K:6011268656355150}}
- wants future invoices sent to {{E:accounts@deltafreight.example}}
- follow up with {{P:Ahmed}} on Tuesday""",
    """Dear Professor {{P:Liang}},

Thank you for speaking at the {{O:Tokyo Institute of Technology}} symposium. Your travel reimbursement of
JPY 86,400 will be transferred to your account {{B:3344556}} at {{O:Mizuho Bank}}.

Best,
{{P:Sophie Turner}}""",
    """VENDOR FORM
Company: {{O:Harbor Analytics LLC}}
Contact: {{P:Miguel Santos}}
Phone: {{T:(206) 555-0190}}
Remit to: {{A:PO Box 4471, Seattle, WA}} {{Z:98104}}
Tax ID: 91-1234567""",
    """Meeting moved to 3:30pm. {{P:Jennifer}} from legal will join; {{P:Hassan}} can't make it.
Dial-in: {{T:555-0199}}, passcode 882211.""",
    """New hire paperwork (Japan office)
Employee: {{P:Lucas Moreau}}
My Number: {{M:4710 4974 6507}}
Address: {{A:4-2-8 Shibakoen, Minato-ku, Tokyo}} {{Z:105-0011}}
Emergency contact: {{P:Claire Moreau}}, {{T:+33 6 12 34 56 78}}""",
    """Security log excerpt
2024-10-02 08:14:55 login failed user=admin src={{I:45.33.32.156}}
2024-10-02 08:15:02 login failed user=admin src={{I:2a03:2880:f12f:83:face:b00c:0:25de}}
2024-10-02 08:15:09 account locked (policy v2.1.0)""",
    """Thanks for your order, Mrs. {{P:Evelyn Clarke}}! Your package will ship to {{A:9 Rosewood Close, Bristol}} {{Z:BS8 1TH}}.
Payment: {{K:2412 5242 7316 7236}}. Need help? {{E:help@shop.example.co.uk}}""",
    """HR case 2209
{{P:Patrick Doyle}} (DOB {{D:1988-09-17}}) reported a payroll error. His salary goes to account no. {{B:55667788}}.
Manager: {{P:Susan Reid}}. Resolved by adjusting the October run.""",
    """From the desk of {{P:Kenneth Ward}}, {{O:Ward & Associates}}
Please route all correspondence regarding the {{O:Nippon Steel Corporation}} matter to my assistant, Ms. {{P:Aya Kobayashi}}
({{E:aya.kobayashi@wardlaw.example}}).""",
    """Support chat transcript
Agent: Hi, who am I speaking with?
Customer: It's {{P:Maria Gonzalez}}. My order hasn't arrived.
Agent: Thanks {{P:Maria}}. Can you confirm your zip code?
Customer: {{Z:85004}}""",
    """Registration - Japan subsidiary
Entity: {{O:Cristalline Japan K.K.}}
Corporate Number: {{C:1726516761222}}
Representative Director: {{P:Naoki Shimada}}
Head office: {{A:2-4-1 Hamamatsucho, Minato-ku, Tokyo}}""",
    """Quarterly report attached. Revenue grew 12% to $4.2M; headcount is 38. The next board meeting is
on January 15 at the {{O:Hilton}} downtown. No action needed.""",
]


if __name__ == "__main__":
    _build.JA, _build.EN = JA, EN
    _build.write(Path(__file__).parent)
