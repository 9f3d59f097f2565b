# ruff: noqa: E501  (annotated business text: lines are as written)
"""Blind PII set: written on 2026-12-04 after every rule of branch pii2 (commit cd192f0),
by an engineer who had not read the rule files, scored once and never tuned on.

Kinds of business text none of the other sets has: delivery notes, school contact
lists, property enquiries, contract preambles, pharmacy records, IT access requests,
donation receipts, board minutes, transcripts of calls and voicemails, CSV exports,
visa invitation letters, rental agreements, warranty registrations, incident reports.
Same annotation conventions as eval/pii/build.py. Run: `python eval/pii-blind/build.py`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "pii_build", Path(__file__).resolve().parent.parent / "pii" / "build.py")
_build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_build)

JA = [
    """配達メモ（再配達）
お届け先：{{P:松永 早紀}} 様
住所：{{A:神奈川県川崎市中原区小杉町3-264-3 パークシティ武蔵小杉1204}}
日時指定：12/6 18-20時
不在時は置き配不可。ご連絡先 {{T:070-3318-2094}}
備考：オートロック、管理人室あり""",
    """3年2組 連絡網（令和7年度）
1. {{P:浅野 美穂}}（{{P:浅野 蓮}}の母）　{{T:090-1177-4821}}
2. {{P:小田切 健}}（{{P:小田切 葵}}の父）　{{T:080-6645-0932}}
3. {{P:ヨハンソン 恵}}（{{P:ヨハンソン 海}}の母）　{{T:03-5706-2218}}
※個人情報のため、クラス外への転送はご遠慮ください。""",
    """【物件お問い合わせ】
物件番号：R-55821（3LDK・築12年）
お名前：{{P:久保田　亮介}}
フリガナ：{{P:クボタ　リョウスケ}}
メールアドレス：{{E:r.kubota1987@example.ne.jp}}
電話番号：{{T:０９０－５５２１－８８０３}}
ご希望の内見日：12月14日（土）午前
ご質問：ペット（小型犬）は可能でしょうか。""",
    """業務委託契約書

{{O:株式会社アオバ物流}}（以下「甲」という。）と{{O:有限会社ヤマセ運輸}}（以下「乙」という。）は、次のとおり契約を締結する。
甲の所在地：{{A:宮城県仙台市青葉区一番町4-6-1}}
乙の所在地：{{A:宮城県名取市増田2丁目8番15号}}
甲 代表取締役 {{P:青木 宏}}
乙 取締役 {{P:山瀬 哲也}}""",
    """お薬手帳 記録
患者名：{{P:戸田 ヨシ子}}　生年月日：{{D:昭和14年8月30日}}
調剤日：令和7年11月20日
医療機関：{{O:医療法人社団 恵仁会 戸塚中央病院}}　医師：{{P:森下}}
薬局：{{O:さくら調剤薬局}} 戸塚店　{{T:045-861-3302}}
アムロジピン錠5mg 1日1回 28日分""",
    """【アカウント申請】
申請者：情報システム部 {{P:西村 光}}
対象者：{{P:ラーマン・アブドゥル}}（業務委託、{{O:株式会社テックブリッジ}}所属）
メール：{{E:a.rahman@techbridge.example.com}}
接続元IP：{{I:210.148.77.16}}
権限：経費システム（参照のみ）、期限 2026/3/31""",
    """寄附金受領証明書
{{P:大塚 誠一郎}} 様
ご住所：{{A:福岡県福岡市早良区西新6丁目1-10}}
寄附金額：30,000円（令和7年10月15日受領）
上記の金額を寄附金として受領いたしました。
{{O:公益財団法人 こども未来基金}}　理事長 {{P:中川 久美子}}
法人番号 {{C:5893687699243}}""",
    """営業定例 議事録（11/28）
出席：{{P:吉村}}部長、{{P:大野}}、{{P:千葉}}、{{P:金}}（ソウル支社）
1. {{O:丸紅テクノ}}向け提案は{{P:大野}}さんが来週中に再見積もり。
2. 新規リード：{{O:北陸精機株式会社}}（{{P:能登}}様、{{T:076-231-5520}}）
次回：12/5 10時 第2会議室""",
    """住所変更届
社員番号：A-20931
氏名：{{P:三浦 さやか}}
旧住所：{{A:埼玉県さいたま市浦和区高砂3-12-9 ハイツ高砂201号室}}
新住所：〒{{Z:336-0017}} {{A:埼玉県さいたま市南区南浦和2丁目41番5号}}
新電話：{{T:048-883-1057}}
異動日：2025年12月1日""",
    """保険金請求書
被保険者：{{P:藤原 大地}}（{{D:1990年7月7日}}生）
事故日：2025年10月3日　事故場所：{{A:静岡県浜松市中央区鍛冶町100-1}}付近
受取口座：{{O:静岡銀行}} 浜松営業部 普通 {{B:1234908}}
口座名義：{{P:フジワラ ダイチ}}""",
    """[LINE] 総務グループ
{{P:佐野}}: 明日の忘年会、{{P:岩田}}さん来れる？
{{P:岩田 翔}}: 行けます！ 遅れるかもなので携帯に連絡ください {{T:080 4412 7739}}
{{P:佐野}}: 了解〜 お店は{{A:渋谷区道玄坂2-29-5}}の3階です""",
    """件名：応募書類の送付（営業職）
採用ご担当者様
はじめまして、{{P:Takuya Hoshino}}と申します。
貴社の求人を拝見し、応募書類を添付いたしました。
現在は{{O:三和商事株式会社}}にて法人営業を担当しております。
連絡先：{{T:+81 90-2281-6654}} / {{E:takuya.hoshino@example.com}}
何卒よろしくお願いいたします。""",
    """ご利用明細のお知らせ
{{P:小池 直美}} 様
カード番号：{{K:5409 2815 9013 9624}}
お支払日：2026年1月5日　ご請求額：48,210円
お問い合わせは{{O:みずほ銀行}}カードデスク {{T:0120-324-567}}""",
    """【扶養親族のマイナンバー提出】
提出者：{{P:堀 雄一}}
配偶者 {{P:堀 理恵}}：{{M:355224990696}}
長男 {{P:堀 颯太}}（{{D:H27.4.2}}生）：{{M:8597 9805 5403}}
提出先：人事部 給与チーム""",
    """来客受付簿 12月3日
09:40 {{O:東邦電設}} {{P:関口}}様 → 設備課 {{P:原}}（内線 2241）
10:15 {{P:Michael Brandt}}様（{{O:Siemens}}）→ 購買部 {{P:今井}}
13:00 配送業者 → 受付で受領""",
    """チャット履歴
オペレーター：お客様のお名前と、ご登録の電話番号をお願いいたします。
お客様：{{P:村上}}です。電話は{{T:０３（３５６２）９９０１}}です
オペレーター：{{P:村上 孝}}様ですね。ご本人確認のため生年月日をお願いします。
お客様：{{D:1972年2月29日}}です
オペレーター：確認できました。解約手続きを承ります。""",
    """お届け先
〒{{Z:060-0042}}
{{A:北海道札幌市中央区大通西5丁目11 大五ビル7F}}
{{O:株式会社ノースフィールド}} 経理部
{{P:今野 千尋}} 様
TEL {{T:011-222-4780}}
ご依頼主：{{O:サンエイ印刷}}（{{T:092-411-8830}}）""",
    """人事異動のお知らせ（2026年1月1日付）
{{P:高野 俊介}}　営業本部 大阪支店長（現 名古屋支店 次長）
{{P:ソン・ミンジ}}　海外事業部 課長（現 主任）
{{P:遠藤 まり}}　総務部長（{{O:株式会社エヌエス設備}}より出向）""",
    """Kickoff memo（日英）
参加者：{{P:Laura Bennett}}（{{O:Acme Analytics}}）、{{P:杉本 彩}}、{{P:Raj Patel}}
次回は{{A:東京都港区虎ノ門1-17-1 虎ノ門ヒルズビジネスタワー15F}}にて。
連絡は{{E:sugimoto.aya@example.co.jp}}まで。""",
    """振込依頼書
振込先：{{O:りそな銀行}} 新宿支店 普通 {{B:5567012}}
受取人：{{O:株式会社アルファ企画}}
依頼人：{{P:木村 健太}}　{{T:03-3356-7781}}
金額：165,000円""",
    """セミナー申込完了のお知らせ
受付番号：20251204-0087
{{P:長谷部 聡}} 様
このたびは「生成AI活用セミナー」にお申し込みいただきありがとうございます。
日時：2026年1月22日（木）14:00～16:30
会場：日本橋ライフサイエンスビル 2階ホール
参加費：無料　定員：120名""",
    """月次報告（11月）
売上高：1億2,300万円（前年同月比 108%）
問い合わせ件数：1,284件、平均応答時間 42秒
システム稼働率：99.97%（計画停止 11/16 2:00-4:00）
次月の重点：年末商戦の在庫確保、問い合わせ窓口の増員""",
    """退職時の手続き確認
氏名：{{P:菅原 信之}}
基礎年金番号：1234-567890
離職票送付先：{{A:岩手県盛岡市中ノ橋通1丁目4-22 アーバン中ノ橋506}}
連絡先：{{T:019-651-7720}}、{{E:nobu.sugawara@example.jp}}""",
    """適格請求書
{{O:合同会社ブルーリーフ}} 御中
発行日：2025年11月30日
件名：11月分 Webサイト保守
金額：88,000円（税込）
登録番号：T{{C:8523090024322}}
{{O:株式会社ワンステップ}}　{{A:愛知県名古屋市中村区名駅3-28-12}}
担当：{{P:服部}}""",
    """問診票
ふりがな：{{P:いしだ はるか}}
氏名：{{P:石田 遥}}
生年月日：{{D:平成元年12月24日}}
住所：{{A:兵庫県神戸市灘区六甲台町1-1}}
電話：{{T:078.881.1212}}
今日はどうされましたか：3日前から喉の痛みと発熱""",
]

EN = [
    """Delivery exception - tracking 1Z 999 AA1 01 2345 6784
Recipient: {{P:Harold Finch}}
Address: {{A:1820 Market Street, Apt 12C, Philadelphia, PA}} {{Z:19103}}
Attempted 12/02 at 3:14 PM - no access to building.
Call recipient at {{T:215.555.0147}} before next attempt.""",
    """Year 4 class contacts (please keep private)
- {{P:Olivia Grant}} (mum of {{P:Theo}}): {{T:07700 900456}}
- {{P:Sanjay Mehta}} (dad of {{P:Anika}}): {{T:07700 900882}}
- {{P:Chloe O'Brien}} (mum of {{P:Finn}}): {{E:chloe.obrien@example.co.uk}}""",
    """New lead from website
Name: {{P:Brandon Kowalski}}
Email: {{E:bkowalski88@example.net}}
Phone: {{T:(602) 555-0173}}
Interested in: 3 bed / 2 bath, listing #MLS-6623190
Message: Currently renting at {{A:4410 E Camelback Rd, Unit 205, Phoenix, AZ}} {{Z:85018}}, lease ends in March.""",
    """MASTER SERVICES AGREEMENT
This Agreement is entered into on October 1, 2025 between {{O:Northwind Traders LLC}}, with offices at {{A:500 Boylston Street, Suite 1300, Boston, MA}} {{Z:02116}} ("Client"), and {{O:Brightpath Consulting Ltd}}, registered at {{A:14 Castle Street, Edinburgh}} {{Z:EH2 3AT}} ("Supplier").
Signed for the Client: {{P:Victoria Hale}}, CFO
Signed for the Supplier: {{P:Callum Fraser}}, Director""",
    """Prescription ready for pickup
Patient: {{P:Dolores Ramirez}}, DOB {{D:08/19/1947}}
Rx #4471902 - Lisinopril 10 mg, 90 tablets
Prescriber: Dr. {{P:Kevin Osei}}
Pickup at {{O:Walgreens}} #10234. Questions? {{T:1-877-555-0125}}""",
    """Access request ticket INC-20931
Requester: {{P:Nadia Hussain}} ({{E:nadia.hussain@contoso.example}})
Contractor: {{P:Tomasz Wiśniewski}}, {{O:Baltic Data Services}}
Source IP: {{I:185.199.108.23}}
Needs read access to the finance share until 31 Jan. Approved by {{P:Greg Lawson}}.""",
    """Donation receipt
Thank you, {{P:Martin Schultz}}, for your gift of $250.00 received on November 12, 2025.
Card: Visa ending 3363
Mailing address: {{A:77 Lakeview Terrace, Madison, WI}} {{Z:53703}}
{{O:Second Harvest Food Bank}} is a 501(c)(3) organization; EIN 39-1234567.""",
    """Call transcript (auto)
Agent: Thanks for calling, who am I speaking with?
Caller: hi yeah it's {{P:dave}}, {{P:dave morrison}}
Agent: Thanks {{P:Dave}}. Can I get the number on the account?
Caller: sure, {{T:617 555 0192}}
Agent: And the billing zip?
Caller: {{Z:02139}}""",
    """To the Consular Section, Embassy of Japan
Re: Letter of invitation
We hereby invite {{P:Ana Carolina Souza}} (passport FB123456, born {{D:21 May 1989}}) to visit our head office in Tokyo from 9 to 20 March 2026.
Ms {{P:Souza}} is employed by {{O:Vale S.A.}} as a procurement manager. All costs will be borne by our company.
Yours faithfully,
{{P:Kenji Watanabe}}
General Manager, {{O:Mitsubishi Corporation}}""",
    """Membership agreement
Member: {{P:Jasmine Taylor}}
Date of birth: {{D:1996-11-04}}
Home address: {{A:Flat 3, 22 Albert Road, Bristol}} {{Z:BS2 0XA}}
Mobile: {{T:+44 7911 123456}}
Monthly fee of £34.99 charged to card {{K:5214 7104 9746 5075}}""",
    """RENTAL AGREEMENT RA-88213
Renter: {{P:WILLIAMS, JAMES R}}
Licence: WILLI802157JR9AB
Pick-up: LAX, 12/10/2025 09:00 - Return: 12/14/2025
Additional driver: {{P:Keiko Williams}}
Card on file: {{K:4852 5388 8539 3363}}
Phone: {{T:+1 (310) 555-0166}}""",
    """Bug #5521: login loop on SSO
Reporter: {{P:fiona.chen}}
Steps: sign in from {{I:10.14.2.77}}, redirected to /callback, then back to /login.
Server log shows token issued for user id 88123 at 14:02:11 from {{I:2001:db8:4:1::2f}}.
Version 4.12.3; not seen on 4.11.""",
    """Class notes - Autumn 2025
Dr. {{P:Eleanor Vance}} ('98) has joined {{O:Johns Hopkins University}} as professor of epidemiology.
{{P:Marcus Lee}} ('05) and {{P:Priya Natarajan}} ('06) were married in June in Austin.
{{P:Tom Becker}} ('11) writes: "Still in Denver, still fixing bikes - drop by the shop at {{A:2301 Larimer St}}!\"""",
    """Voicemail from {{T:+1 646 555 0138}} (1:12)
"Hi, this is {{P:Rachel}} from {{O:Harbor Dental}} calling for {{P:Michael Okafor}}. We need to reschedule your cleaning on Thursday. Please call us back at {{T:646-555-0199}}. Thanks!\"""",
    """Private and confidential
Mr {{P:Steven Clarke}}
{{A:9 Orchard Close, Reading}} {{Z:RG1 4QE}}

Dear {{P:Steven}},
Following our meeting on 2 December, I am writing to confirm that your employment with {{O:Halden Engineering Ltd}} will end on 31 December 2025. Your final salary will be paid to your account ending 4471 as usual.
Yours sincerely,
{{P:Helen Marsh}}
HR Business Partner""",
    """customer_id,full_name,email,phone,city
10291,{{P:Luis Fernández}},{{E:luis.fernandez@example.es}},{{T:+34 612 345 678}},Madrid
10292,{{P:Hannah Schmidt}},{{E:h.schmidt@example.de}},{{T:+49 30 901820}},Berlin
10293,{{P:Wei Zhang}},{{E:wzhang@example.cn}},{{T:+86 10 6552 9988}},Beijing""",
    """Board meeting minutes - 20 November 2025
Present: {{P:Catherine Doyle}} (Chair), {{P:Ahmed Karim}}, {{P:Lucy Tran}}, {{P:Robert Nguyen}}
Apologies: {{P:Graham Pike}}
1. Audit: {{O:KPMG}} presented the interim findings. No material issues.
2. Property: lease for {{A:Unit 7, Riverside Business Park, Leeds}} renewed for 5 years.
Actions: {{P:Lucy}} to circulate the revised budget by 5 Dec.""",
    """[14:02] Bot: Hi! What's your order number?
[14:02] Customer: 112-8839201-5531
[14:03] Agent {{P:Priya}}: Hi, I'm {{P:Priya}}. I see the parcel went to {{A:31 Rue de Rivoli, Paris}}. Is that right?
[14:04] Customer: no!! I moved, it should be {{A:18 Quai Saint-Michel, Paris}} {{Z:75005}}
[14:04] Customer: my name is {{P:Claire Dubois}} btw""",
    """INVOICE #2025-1187
Bill to: {{O:Redwood Dental Group}}
Attn: {{P:Karen Liu}}, Office Manager
{{A:3200 Telegraph Ave, Suite 4, Oakland, CA}} {{Z:94609}}
Remit to: {{O:ClearPath IT Services}}, {{A:PO Box 7712, San Jose, CA}} {{Z:95150}}
ACH: routing 121000358, account {{B:004417729183}}""",
    """Booking confirmation 7XKQ22
Guest: {{P:Yuki Tanaka}} + 1
Arrival: Fri 13 Feb 2026, 2 nights, Deluxe King
Contact: {{E:yuki.t@example.jp}}, {{T:+81-3-6272-5510}}
Guaranteed with card {{K:3551 1637 2651 6761}}
{{O:The Langham}}, London""",
    """Dear {{P:Mateo}},
We are delighted to offer you the position of Data Engineer at {{O:Finley & Rowe}}, starting 2 February 2026, reporting to {{P:Joanne Whitaker}}.
Please confirm your home address for the contract: currently we have {{A:56 Kingsway, Manchester}} {{Z:M19 2LL}}.
Best regards,
{{P:Sam Ortiz}}, Talent Acquisition""",
    """Weekly metrics
Active users: 18,204 (+3.1%)
P95 latency: 412 ms; error rate 0.08%
Release 2.14.0 shipped on Tuesday; hotfix 2.14.1 planned for 12/09.
Top feature request: dark mode (312 votes).""",
    """Reference check notes
Candidate: {{P:Isabelle Fontaine}}
Referee: {{P:Derek Olsen}}, former manager at {{O:Cisco}} (2019-2023), reached on {{T:408-555-0110}}
"{{P:Isabelle}} ran the EMEA partner program and grew it threefold. I'd hire her again."
Recommendation: proceed to offer.""",
    """Product registration
Product: X200 cordless vacuum, serial SN-88120-KP
Purchased: 11/29/2025 at {{O:Best Buy}}
Owner: {{P:Gloria Esposito}}
Born: {{D:March 3, 1961}} (for senior discount eligibility)
Address: {{A:1245 Elm Avenue, Springfield, IL}} {{Z:62704}}
Email: {{E:gloria.esposito@example.com}}""",
    """Workplace incident report
Date/time: 2025-11-18 07:45
Injured person: {{P:Tyrone Jackson}}, forklift operator, employee #40418
Witness: {{P:Maria Gonzalez}}, {{T:(713) 555-0142}}
Location: loading dock B, {{A:8800 Westpark Dr, Houston, TX}} {{Z:77063}}
First aid given by {{P:Ken Ito}}; taken to {{O:Memorial Hermann}} for X-ray.""",
]


if __name__ == "__main__":
    _build.JA, _build.EN = JA, EN
    _build.write(Path(__file__).parent)
