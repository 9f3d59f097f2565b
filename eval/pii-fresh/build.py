# ruff: noqa: E501  (annotated business text: lines are as written)
"""Fresh PII set: written before reading the detector's rules, and never tuned on.

Business text unlike eval/pii and eval/pii-heldout: HR forms, support chats,
invoices, meeting minutes, shipping labels and CVs; name orders (family-first,
given-first, "Last, First", upper case, romanised Japanese), JP/US/UK address
formats, phones with spaces, dots, brackets and +81, cards with spaces, dates of
birth in several formats, and numbers that are not entities (order, tracking,
invoice numbers, amounts, ordinary dates). Same annotation conventions as
eval/pii/build.py. Run: `python eval/pii-fresh/build.py`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "pii_build", Path(__file__).resolve().parent.parent / "pii" / "build.py")
_build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_build)

JA = [
    # --- HR forms ---
    """入社手続き書類　チェックリスト
フリガナ：{{P:ハセガワ　ミオ}}
氏名：{{P:長谷川　美緒}}
生年月日：{{D:平成8年2月14日}}（満28歳）
現住所：〒{{Z:231-0023}}
　　　　{{A:神奈川県横浜市中区山下町27番地 ベイサイドコート804}}
携帯電話：{{T:090 3321 7745}}
個人番号：{{M:181721099940}}
入社日：2025年4月1日　配属：経営企画部""",
    """扶養控除等（異動）申告書　記入内容の確認
源泉控除対象配偶者：{{P:石川 由美子}}（生年月日 {{D:S56.10.3}}）
控除対象扶養親族：{{P:石川 陽向}}（生年月日 {{D:H30.6.21}}）
配偶者の個人番号：{{M:4145 1773 4720}}
※ 記入漏れがある場合は人事部（内線 2214）までご連絡ください。""",
    """休職届
所属：製造本部 品質保証課
社員番号：000871
氏名：{{P:村上 拓真}}
休職期間：2025年1月6日～2025年3月31日
休職中の連絡先：{{T:0466-22-8910}}（自宅）
休職中の住所：{{A:神奈川県藤沢市鵠沼海岸3-14-9}}""",
    """住所変更届（人事システム入力用）
変更前：{{A:千葉県千葉市中央区富士見2-3-1 塚本ビル5階}}
変更後：〒{{Z:２６０－００１３}} {{A:千葉県千葉市中央区中央4丁目5番1号 Qiball 1201}}
通勤経路：JR千葉駅～徒歩8分
届出者：{{P:森本 圭}}　届出日：2025年5月12日""",
    """【慶弔見舞金申請】
申請者：{{P:大西}}（営業二課）
対象者：長女 {{P:大西 ひなた}}（{{D:令和6年11月2日}}生）
事由：出生
振込口座：{{O:三菱UFJ銀行}} 堺筋支店 普通 {{B:0987612}}""",
    # --- customer-support chats ---
    """[14:02] オペレーター（{{P:小松}}）：お問い合わせありがとうございます。ご本人様確認のため、お名前とご登録の電話番号をお願いいたします。
[14:03] お客様：{{P:井上 翼}}です。電話は{{T:(06) 6345-1122}}です
[14:04] オペレーター：確認できました。ご注文番号 20250311-0457 の件でよろしいでしょうか。
[14:05] お客様：はい。届いた商品が違っていて…写真は{{E:tsubasa.inoue@example.ne.jp}}から送りました
[14:06] オペレーター：承知しました。交換品はご登録の{{A:大阪府大阪市北区梅田3-1-3}}へお送りします。""",
    """チャット履歴（ヘルプデスク）
ユーザー：VPNにつながりません。接続元は{{I:192.168.10.47}}です
担当{{P:西田}}：ゲートウェイ（{{I:172.16.0.1}}）への経路は生きています。クライアントのバージョン 5.2.1 を 5.3.0 に更新してください
ユーザー：更新しました。つながりました！
担当{{P:西田}}：よかったです。チケット #38211 はクローズします。""",
    """お客様：すみません、カードの番号を変えたいです。新しいのは{{K:4304 7821 7382 7443}}です
サポート：申し訳ございません、チャットではカード番号をお伺いできません。マイページからご変更ください。
お客様：わかりました。ちなみに名義は{{P:ヨシダ サトシ}}です
サポート：ありがとうございます、{{P:吉田}}様。変更後に確認メールを{{E:s-yoshida@example.jp}}にお送りします。""",
    """LINE問い合わせ対応メモ
{{P:ゆい}}さん（会員ID：M-448102）より、ポイントの有効期限についての質問。
期限は2025年12月31日と回答。追加で電話での説明を希望とのことで、{{T:080.6612.4390}}に明日10時に折り返し予定。
対応者：{{P:菊地}}""",
    """電話受付記録
受付日時：2025/03/18 10:45
お名前：{{P:新井 和也}} 様
ご住所：{{A:埼玉県川越市脇田町105}}
お電話：{{T:０４９－２２２－３３４５}}
内容：定期便の配送日を毎月15日から25日へ変更希望。変更は4月分から適用。""",
    # --- invoices ---
    """請　求　書
請求日：2025年2月28日　請求番号：INV-250228-017

{{O:株式会社みなと精機}}　御中

{{O:有限会社カワセ印刷}}
〒{{Z:330-0063}} {{A:埼玉県さいたま市浦和区高砂2丁目8番5号}}
TEL {{T:048.822.3190}}　FAX {{T:048.822.3191}}
登録番号：T{{C:6510174838356}}

品名：チラシ印刷（A4両面 5,000部）　金額：¥86,900（税込）
お振込先：{{O:埼玉りそな銀行}} 浦和中央支店 普通預金 {{B:3051872}}""",
    """納品書兼請求書
{{O:合同会社ハルカゼ}} 様
件名：Webサイト保守（2025年4月分）
小計 120,000円　消費税 12,000円　合計 132,000円
発行者：{{O:株式会社ネクストリンク}}（適格請求書発行事業者 T{{C:4867656981999}}）
住所：{{A:福岡県福岡市博多区博多駅前2-1-1 朝日ビル7F}}
担当：{{P:古川 智也}}　{{E:furukawa@nextlink.example.co.jp}}""",
    """ご請求金額のお知らせ
{{P:Kenji Watanabe}}（{{P:渡辺 健二}}）様
今月のご利用額は 48,320円 です。お引き落とし日は6月27日、
お引き落とし口座は{{O:ゆうちょ銀行}} 記号番号 {{B:10170-23456781}} です。
ご不明な点はカスタマーセンター {{T:0120-558-321}}（9:00～18:00）まで。""",
    """見積書　No. Q-0419
有効期限：発行日より30日
宛先：{{O:医療法人社団 こころ会}} {{P:佐伯}}事務長
差出人：{{O:北陸メディカルサプライ株式会社}} 金沢営業所
所在地：{{A:石川県金沢市広岡1丁目5番3号}}
法人番号：{{C:7805735476762}}
電話：{{T:076 231 5040}}""",
    # --- meeting minutes ---
    """第12回 新製品開発会議 議事録
日時：2025年6月3日（火）13:00～14:30
場所：本社 7階 第2会議室
出席者：{{P:藤原}}（議長）、{{P:中島 彩}}、{{P:酒井 直樹}}、{{P:Daniel Kim}}（{{O:Seoul Robotics}}）
欠席者：{{P:桜井}}
決定事項：
・試作品の評価は7月末までに完了させる（担当：{{P:酒井}}）
・量産見積は{{O:東邦金属工業株式会社}}に依頼する""",
    """定例ミーティング メモ
・{{P:高野}}さん：先週の展示会で名刺交換した{{O:ミドリ電機}}の{{P:内田}}さんから連絡あり。来週訪問予定
・{{P:上野}}さん：予算は前年比 105% で確定
・次回は6/17 10時～、会議室は追って連絡
書記：{{P:千葉 真由美}}""",
    """取締役会議事録（抜粋）
第3号議案　代表取締役選定の件
議長より、代表取締役に{{P:松田 浩一郎}}を選定したい旨を諮ったところ、全員一致で可決された。
出席取締役：{{P:松田 浩一郎}}、{{P:岡田 恵}}、{{P:坂本 修}}
出席監査役：{{P:川口 理沙}}""",
    # --- shipping labels ---
    """宅急便　お届け先
〒{{Z:060-0001}}
{{A:北海道札幌市中央区北1条西2丁目1番地 札幌時計台ビル3F}}
{{P:工藤 光}} 様
TEL {{T:011-231-8870}}
ご依頼主：{{O:有限会社さくら農園}}（{{A:熊本県八代市鏡町両出1121}}）
お問い合わせ伝票番号：5445-7592-4034　品名：トマト（冷蔵）""",
    """ゆうパック
おところ：{{A:宮城県仙台市青葉区一番町四丁目6番1号}}
おなまえ：{{P:遠藤 さやか}} 様
でんわ：{{T:022（261）4411}}
ご依頼主：{{P:遠藤 信子}}　{{T:0263-32-1177}}
お届け希望日：12月28日　時間帯：午前中""",
    """配送ラベル（出荷No. SH-20250702-0113）
To: {{P:Hiroshi Tanaka}}
{{A:3-7-1 Nishi-Shinjuku, Shinjuku-ku, Tokyo}} {{Z:163-1030}}
Tel: {{T:+81 3 5321 1111}}
From: {{O:オリオン商事株式会社}} 物流センター
重量 2.4kg　個数 1""",
    # --- CVs ---
    """履　歴　書　　2025年5月20日現在
ふりがな　{{P:おおしま　けんと}}
氏　　名　{{P:大島　健斗}}
生年月日　{{D:1995年9月12日}}生（満29歳）
現住所　〒{{Z:460-0008}} {{A:愛知県名古屋市中区栄3丁目15番33号}}
電話　{{T:052-261-0077}}　携帯 {{T:+81-90-4412-5560}}
E-mail　{{E:kento.oshima@example.com}}
学歴
2014年3月　{{O:愛知県立旭丘高等学校}} 卒業
2018年3月　{{O:名古屋大学}} 工学部 卒業
職歴
2018年4月　{{O:トヨダ部品株式会社}} 入社""",
    """職務経歴書
氏名：{{P:KOJIMA Yuka}}（{{P:小島 由佳}}）
2016年4月～2020年3月　{{O:株式会社ソフトブリッジ}}　SE として金融系システム開発に従事
2020年4月～現在　{{O:Amazon Web Services Japan}}　ソリューションアーキテクト
資格：AWS Certified Solutions Architect – Professional（2021年取得）、TOEIC 905点
連絡先：{{E:yuka.kojima.work@example.org}}""",
    """応募者情報（派遣登録）
氏名：{{P:グエン・ヴァン・ナム}}
生年月日：{{D:1998/04/07}}
国籍：ベトナム
住所：{{A:静岡県浜松市中央区砂山町325-6 浜松サンハイツ203}}
電話：{{T:070-2231-9087}}
在留カードの番号は面談時に確認済み（控えは取らない）""",
    # --- other business text ---
    """{{P:安藤}}さん
先ほどの件、先方の{{P:木下}}部長の携帯は{{T:+81 80 3345 6612}}です。
ご自宅は{{A:兵庫県神戸市中央区海岸通3丁目1-5}}なので、書類は直接郵送してもらって大丈夫とのこと。
{{P:野村}}""",
    """お取引先登録申請
商号：{{O:株式会社アサヒグリーンエナジー}}
法人番号：{{C:7178843547225}}
本店所在地：{{A:沖縄県那覇市久茂地1丁目7番1号}}
代表者：代表取締役 {{P:比嘉 隆}}
担当者連絡先：{{T:098-861-2345}}／{{E:info@asahi-green.example.jp}}
支払口座：{{O:琉球銀行}} 本店営業部 当座 {{B:6021394}}""",
    """【重要】マイナンバー提出のお願い
年末調整のため、下記の方は個人番号の提出をお願いします。
・{{P:青木 大輔}}さん：未提出
・{{P:三浦 楓}}さん：提出済み（番号末尾 …7135）
提出先：総務部 {{P:横山}}（内線 1103）""",
    """会員カード申込書
お名前：{{P:Sato Haruto}}
ご生年月日：{{D:2001年（平成13年）3月3日}}
ご住所：{{A:京都府京都市左京区吉田本町36番地1}}
お支払いカード：{{K:3548-5521-3552-8142}}
有効期限：08/27""",
    """プロジェクト体制表（v2.3）
PM：{{P:中野 祐介}}（{{O:株式会社データフロント}}）
PL：{{P:Priya Nair}}
開発：{{P:平田}}、{{P:Luis Ortega}}、{{P:杉本 ゆかり}}
サーバー：本番 {{I:203.0.113.18}}、検証 {{I:203.0.113.19}}
管理画面のポートは 8443""",
    """お客様各位
システムメンテナンスのお知らせ
2025年7月12日（土）2:00～6:00 の間、オンラインバンキングをご利用いただけません。
ご迷惑をおかけしますが、ご理解のほどお願い申し上げます。
お問い合わせは、ホームページのお問い合わせフォームからお願いいたします。""",
    """退職者手続き確認
氏名：{{P:Michael Brown}}（{{P:マイケル・ブラウン}}）
最終出社日：2025年8月29日
退職後の送付先：{{A:1-2-3 Ebisu-Minami, Shibuya-ku, Tokyo}} {{Z:150-0022}}
源泉徴収票の送付先メール：{{E:mbrown.personal@example.net}}""",
    """給与振込口座変更届
氏名：{{P:小川 紗希}}
新しい振込先：{{O:楽天銀行}} 第一営業支店（251）普通 {{B:7712345}}
変更は7月支給分から。
緊急連絡先：母 {{P:小川 和子}}（{{T:0859-22-4456}}）""",
    """IRニュース
{{O:株式会社サンライズ食品}}（本社：{{A:大阪府大阪市西区靱本町1-11-7}}）は本日、2025年3月期の決算を発表した。
売上高は前期比8.2%増の1,284億円。代表取締役社長の{{P:堀 雅之}}は「新工場の稼働が寄与した」と述べた。""",
]

EN = [
    # --- HR forms ---
    """EMPLOYEE ONBOARDING FORM
Last name: {{P:Okafor}}    First name: {{P:Chinedu}}
Date of birth (MM/DD/YYYY): {{D:03/14/1991}}
Home address: {{A:1842 N Winchester Ave, Apt 3F, Chicago, IL}} {{Z:60622}}
Mobile: {{T:(312) 555-0147}}
Personal email: {{E:c.okafor91@example.com}}
Start date: 06/02/2025    Department: Finance""",
    """Name (Last, First): {{P:Whitfield, Eleanor}}
D.O.B.: {{D:22/11/1985}}
Address: {{A:Flat 4, 18 Elm Grove, Leeds}} {{Z:LS6 2AJ}}
Phone: {{T:0113 496 0321}}
National Insurance number held by Payroll; do not copy it into this form.""",
    """Emergency contact update
Employee: {{P:Rahul Verma}} (ID 20418)
Contact name: {{P:Anita Verma}}
Relationship: spouse
Contact phone: {{T:+1 646 555 0193}}
Effective: 15 January 2025""",
    """Leave request #LR-7731
Requested by: {{P:Sean O'Brien}}
Dates: 14 July – 25 July 2025 (10 working days)
Approver: {{P:Margaret Hughes}}
Note: {{P:Sean}} will be reachable on {{T:07700 900461}} for urgent matters only.""",
    """Visa sponsorship checklist (Japan assignment)
Assignee: {{P:TAKAHASHI Ren}}
Date of birth: {{D:1 September 1988}}
Japan address: {{A:2-11-3 Meieki, Nakamura-ku, Nagoya, Aichi}} {{Z:450-0002}}
Japan mobile: {{T:+81 (0)90 5521 3378}}
Individual Number: {{M:192550346997}}""",
    # --- customer-support chats ---
    """Chat transcript #CS-558201
Bot: Hi! What's your name?
Customer: hi, i'm {{P:priya sharma}}
Agent {{P:Tom}}: Thanks {{P:Priya}}. I see an order placed on May 2. Can you confirm the phone number on the account?
Customer: {{T:415.555.0132}}
Agent {{P:Tom}}: Great, that matches. The refund of $64.99 was issued today.""",
    """Live chat
[10:14] Customer: my card was charged twice, the card is {{K:4897 8457 3165 2893}}
[10:15] Agent ({{P:Kelly}}): I'm sorry about that! For your security please don't share full card numbers here. I've masked it.
[10:16] Customer: ok. my email is {{E:dwayne.r@example.org}}
[10:17] Agent ({{P:Kelly}}): Thanks, {{P:Dwayne}}. The duplicate charge of $129.00 will be reversed within 5 business days.""",
    """Support ticket 48211 - cannot log in
Reporter: {{P:Lena Hoffmann}}
Details: login page times out. My IP is {{I:198.51.100.23}} and I'm on the office VPN.
Engineer note: blocked by rate limiter rule 12 (v3.4). Unblocked {{I:198.51.100.23}}; also whitelisted {{I:2001:db8:85a3::8a2e:370:7334}} for her home connection.""",
    """Phone support notes
Caller: Mrs. {{P:Gloria Mendes}}
Callback number: {{T:+44 20 7946 0958}}
Issue: delivery to {{A:27 Chalcot Road, London}} {{Z:NW1 8LH}} was left with a neighbour at no. 29.
Resolution: courier contacted; parcel retrieved. Courier ref 15501234567890.""",
    """WhatsApp Business - Store 12
Customer: Hello, this is {{P:Tanaka Yumi}}, I ordered the blue sofa. When will it arrive?
Store: Hi Ms. {{P:Tanaka}}! Delivery is booked for Saturday between 9 and 12 to {{A:5-14-2 Kichijoji-Honcho, Musashino-shi, Tokyo}}.
Customer: Perfect, please call {{T:090-7789-2201}} when the truck is close.""",
    # --- invoices ---
    """INVOICE
Invoice no.: INV-2024-0091        Date: 30 September 2024
Bill to: Ms {{P:Eleanor Whitfield}}, {{O:Whitfield Interiors Ltd}}
{{A:Unit 7, Brookfield Business Park, Leeds}} {{Z:LS11 5QR}}
Description: Design consultancy, 12 hours @ £85.00 = £1,020.00
VAT (20%): £204.00    Total due: £1,224.00
Pay to: {{O:Harlow Design Studio}}, sort code 20-32-06, account number {{B:63019487}}""",
    """Remittance advice
From: {{O:Pacific Rim Trading Pty Ltd}}
To: {{O:Kansai Textile Co., Ltd.}}
Amount: USD 18,750.00 against invoice KT-5520 and KT-5521
Credited to: IBAN {{B:DE89 3704 0044 0532 0130 00}} ({{O:Commerzbank}})
Contact: {{P:Grace Liu}}, Accounts Payable, {{E:ap@pacificrim.example.com.au}}""",
    """Statement of account - March 2025
Customer: {{P:Bruce Whitaker}}
Account holder address: {{A:915 Elm Street, Dallas, TX}} {{Z:75202}}
Card on file: {{K:5319 7788 0013 3965}}
Previous balance $2,340.17; payments $2,340.17; new purchases $811.62.
Questions? Call {{T:1-800-555-0175}}""",
    """Purchase order PO-48213
Vendor: {{O:Greenline Office Supplies Inc.}}
Ship to: {{O:Hanover Legal Group}}, {{A:200 Park Avenue, 31st Floor, New York, NY}} {{Z:10166}}
Attn: {{P:Deborah Klein}}
Items: 40 x toner cartridge (SKU 77-1202-B) at $54.00
Terms: Net 30""",
    # --- meeting minutes ---
    """Minutes - Regional Sales Meeting, 4 March 2025
Present: {{P:Amara Osei}} (chair), {{P:James Park}}, {{P:Sato Kenji}} (Tokyo office), {{P:Julia Brandt}}
Apologies: {{P:Mark Ellison}}
1. Q4 results: revenue 6% above plan.
2. {{P:Kenji}} reported that {{O:Mizuho Bank}} will pilot the product in April.
Actions: {{P:James}} to circulate the pricing deck by Friday.""",
    """Board minutes (extract)
The Chair, Dr. {{P:Helen Carter}}, opened the meeting at 10:02. A quorum was present.
Resolved that {{P:Anne-Marie Dubois-Laurent}} be appointed Company Secretary with effect from 1 May 2025.
Mr. {{P:Ravi Shankar}} declared an interest in item 5 and left the room.""",
    """Project sync notes
- {{P:Marcus}}: migration to the new cluster is done; old nodes {{I:10.20.30.41}} and {{I:10.20.30.42}} can be retired.
- {{P:Ingrid}}: security review with {{O:Deloitte}} is set for next Tuesday.
- Budget: 3 extra licences approved ($1,800/yr).
Next sync: same time next week.""",
    # --- shipping labels ---
    """SHIP TO:
{{P:MARCUS WEBB}}
{{A:4410 W 7TH ST APT 2B
LOS ANGELES CA}} {{Z:90005}}
TEL {{T:213 555 0184}}
WEIGHT 3.2 LB   PRIORITY MAIL   TRACKING 9400 1000 0000 0000 0000 00""",
    """Tracked 48 - signature required
Deliver to:
Mr {{P:J. McAllister}}
{{A:Flat 2/1, 45 Great Western Road
Glasgow}}
{{Z:G12 8HT}}
Return address: {{O:Thistle Books Ltd}}, {{A:10 Queen Street, Edinburgh}} {{Z:EH2 1JQ}}""",
    """DELIVERY NOTE
Consignee: {{O:Osaka Precision Parts Co., Ltd.}}
Attn: Mr. {{P:Yamamoto Daisuke}}
Address: {{A:1-4-22 Nakanoshima, Kita-ku, Osaka}} {{Z:530-0005}}
Phone: {{T:+81-6-6202-1234}}
Incoterms: DAP Osaka. 4 cartons, 86 kg gross.""",
    # --- CVs ---
    """CURRICULUM VITAE
{{P:Olivia Bennett}}
{{A:12 Orchard Way, Cambridge}} {{Z:CB4 2XL}} | {{T:+44 7700 900 812}} | {{E:olivia.bennett@example.co.uk}}
Date of birth: {{D:12 June 1990}}

EXPERIENCE
2019-present  Senior Analyst, {{O:Barclays}}, London
2014-2019     Analyst, {{O:KPMG}}, Cambridge
EDUCATION
2011-2014     BSc Economics, {{O:University of Warwick}}""",
    """RÉSUMÉ
{{P:Daniel J. Alvarez}}
{{A:778 Maple Drive, Austin, TX}} {{Z:78704}} · {{T:512-555-0168}} · {{E:dj.alvarez@example.com}}
Summary: data engineer with 8 years of experience in Python, Spark and Airflow.
Experience: Staff Data Engineer at {{O:Dell Technologies}} (2020–2025); Data Engineer at {{O:Whole Foods Market}} (2017–2020)
References available on request.""",
    """Candidate profile (bilingual role)
Name: {{P:Yui Kobayashi}}
Born: {{D:7th March 1993}}
Current address: {{A:4-1-1 Sakae, Naka-ku, Nagoya}}
Languages: Japanese (native), English (TOEIC 960)
Previous employer: {{O:Rakuten Group, Inc.}} (2016-2024)
Phone: {{T:+81 90 8812 4073}}""",
    # --- other business text ---
    """Hi {{P:Jenna}},

Quick one: can you send the signed NDA to {{P:Farid}} at {{E:farid.haddad@haddad-partners.example}}? His direct line is {{T:(617) 555-0121}}.
Their registered office is {{A:100 Federal Street, Boston, MA}} {{Z:02110}}.

Thanks,
{{P:Wes}}""",
    """Patient intake form
Patient name: {{P:Maria de la Cruz}}
DOB: {{D:1979-02-03}}
Address: {{A:3501 Mission Street, San Francisco, CA}} {{Z:94110}}
Insurance member ID: XJH448201931
Emergency contact: {{P:Luis de la Cruz}}, {{T:415-555-0177}}""",
    """Tenancy application
Applicant: {{P:Thomas Greene}}
Date of birth: {{D:April 2, 1984}}
Current address: {{A:56 Victoria Road, Bristol}} {{Z:BS6 5TL}}
Monthly rent offered: £1,450; move-in 1 September 2025
Deposit paid by card ending 4821 (full number not stored).""",
    """Japan entity details for the KYC pack
Company: {{O:Nihon Cloud Services K.K.}}
Corporate Number: {{C:8552104677089}}
Registered address: {{A:1-1 Marunouchi 2-chome, Chiyoda-ku, Tokyo}} {{Z:100-0005}}
Representative: {{P:Ishida Masato}}, Representative Director
Main line: {{T:03.6205.7700}}""",
    """Expense report - corporate card
Cardholder: {{P:Nathan Cole}}
Card: {{K:3420 187355 73106}}
04/03 Taxi Narita-Tokyo ¥22,400
04/04 Client dinner (4 people) ¥48,600
04/05 Hotel (3 nights) ¥96,000
Approved by: {{P:Rebecca Stone}}""",
    """Dear Mr. {{P:Fujimoto}},

Thank you for your interest in our graduate programme. We are pleased to invite you to an interview on 18 April at our London office.
Please confirm by replying to {{E:graduates@bramwell-capital.example.co.uk}} or calling {{T:020 3946 0102}}.

Kind regards,
{{P:Harriet Lowe}}
Talent Acquisition, {{O:Bramwell Capital}}""",
    """Change log 2.14.0 (released 2025-05-30)
- Raised the upload limit from 250 MB to 1 GB.
- Fixed a rounding error in invoices over 10,000,000.
- Build 20250530.2 replaces 20250521.7; checksum 1f3a9c0e.
No action needed for customers on plan 12 or above.""",
    """Wire instructions for refund
Beneficiary: {{P:Aiko Matsumoto}}
Bank: {{O:MUFG Bank, Ltd.}}, Shibuya Branch
Account type: Savings   Account number: {{B:1234321}}
SWIFT: BOTKJPJT
Reference: refund for booking 7731-552""",
]


if __name__ == "__main__":
    _build.JA, _build.EN = JA, EN
    _build.write(Path(__file__).parent)
