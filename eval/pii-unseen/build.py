# ruff: noqa: E501  (annotated business text: lines are as written)
"""Unseen PII set: written after the rules of branch pii2 were tuned on eval/pii-fresh,
scored once, and never tuned on; the honest figure for those rules.

Other kinds of business text again: travel and expense requests, complaint logs,
clinic and hotel bookings, rental applications, interview scores, business cards,
direct-debit forms, insurance claims, personnel notices, Slack-style threads, offer
letters, vendor forms, CRM notes, bug reports, event registrations. Same annotation
conventions as eval/pii/build.py. Run: `python eval/pii-unseen/build.py`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "pii_build", Path(__file__).resolve().parent.parent / "pii" / "build.py")
_build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_build)

JA = [
    """出張申請書
申請者：営業三課 {{P:山内 悠斗}}
出張先：{{O:株式会社北央テクノ}} 札幌本社（{{A:札幌市北区北7条西4丁目1-2}}）
期間：2025年9月8日～9月10日
宿泊：駅前ホテル 2泊
緊急連絡先：{{T:090-8765-1120}}""",
    """お客様相談室　対応記録
受付：2025/06/14 11:20　担当：{{P:澤田}}
お客様：{{P:宮本 かおり}} 様（{{T:03-3987-6612}}）
内容：購入した電気ケトルの電源が入らない。レシートあり（購入日 6/1）。
対応：着払いで回収し、代替品を{{A:東京都豊島区南池袋2-15-4 コーポ南池袋102}}へ発送。""",
    """【診療予約の確認】
{{P:高田 誠}} 様
ご予約日時：7月3日（木）15:30
診療科：整形外科
診察券番号：0042817
ご予約の変更は {{T:0120-471-820}} までお電話ください。
{{O:医療法人 緑風会 みどりクリニック}}""",
    """賃貸住宅入居申込書
申込者氏名：{{P:片山 直人}}（{{P:カタヤマ ナオト}}）
生年月日：{{D:昭和62年5月19日}}
現住所：{{A:大阪府豊中市新千里東町1-4-1}}
勤務先：{{O:関西電工株式会社}}（勤続8年）
年収：620万円
連帯保証人：{{P:片山 敏夫}}（父）　{{T:06-6841-3307}}""",
    """一次面接 評価票
候補者：{{P:岡本 莉奈}}
面接官：{{P:長尾}}、{{P:Sophie Turner}}
評価：A（論理性・コミュニケーションともに高い）
所感：前職の{{O:日本ロジテム株式会社}}では物流改善を主導。二次面接へ推薦。""",
    """名刺データ
{{O:株式会社ミライ設計事務所}}
代表取締役　{{P:飯田 航}}
〒{{Z:604-8152}} {{A:京都府京都市中京区烏丸通蛸薬師下ル手洗水町645}}
TEL {{T:075-211-4300}}　携帯 {{T:080-2231-5546}}
{{E:iida@mirai-sekkei.example.jp}}""",
    """預金口座振替依頼書
お客様番号：23-88172
口座名義人（カナ）：{{P:ナカガワ ユウコ}}
金融機関：{{O:横浜銀行}} 本店 普通預金
口座番号：{{B:6120459}}
お届け印：済""",
    """保険金請求書（入院）
被保険者：{{P:島田 美和}}
証券番号：ZK-5510387
入院期間：2025年2月10日～2月21日
病院名：{{O:聖ルカ国際病院}}
振込先：{{O:三井住友銀行}} 渋谷支店 普通 {{B:8832015}}
ご連絡先：{{T:070-3341-2280}}""",
    """人事異動のお知らせ（4月1日付）
・営業本部長　{{P:山本 一郎}}（前 大阪支店長）
・大阪支店長　{{P:森田 健太郎}}（前 営業企画部長）
・経理部長　{{P:岩田 理恵}}
以上""",
    """#general
{{P:tanaka}} 10:02 明日の定例、会議室取れました
{{P:佐々木}} 10:05 了解です！資料は{{P:小野}}さんがまとめてくれてます
{{P:小野}} 10:06 はい、今日中に共有します🙏""",
    """宿泊予約確認書
予約番号：HT-44901
ご宿泊者：{{P:ワン・ウェイ}} 様（{{P:WANG WEI}}）
チェックイン：2025年10月3日　2名様
ご連絡先：{{T:+86 138 0013 8000}}
{{E:wang.wei88@example.cn}}""",
    """お問い合わせフォーム
お名前：{{P:村井 真一}}
メールアドレス：{{E:s.murai@example.ne.jp}}
電話番号：{{T:０９０－５５１２－８８０３}}
お問い合わせ内容：御社のクラウド会計サービスの導入を検討しています。見積もりをお願いします。""",
    """口座開設のご案内
{{P:藤田 亜希子}} 様
このたびは当行に口座をご開設いただき、ありがとうございます。
口座番号：普通 {{B:3390171}}
キャッシュカードは、ご登録の{{A:福岡県北九州市小倉北区大手町11-4}}へ簡易書留でお送りします。
{{O:西日本シティ銀行}}""",
    """マイナンバー収集票
従業員番号：E-3021
氏名：{{P:菅野 拓也}}
個人番号：{{M:052074289584}}
扶養親族：{{P:菅野 結衣}}（個人番号 {{M:2733 7299 9221}}）
確認者：{{P:吉村}}""",
    """【納品のご連絡】
{{O:有限会社オカダ製作所}}
{{P:岡田}}様
ご注文いただいた部品（品番 KX-2045、数量 300）を本日出荷しました。
お問い合わせ番号は 6499-4246-1496 です。
{{O:東洋精密工業株式会社}} 出荷課""",
    """クレジットカード利用明細についてのお問い合わせ
会員番号の下4桁：3360
お名前：{{P:松尾 陽子}}
ご利用日：2025/04/22　ご利用額：38,500円
覚えのない請求とのこと。カードは一時停止済み。""",
    """取引先情報
会社名：{{O:合同会社ブルーリーフ}}
法人番号：{{C:5755711969251}}
所在地：〒{{Z:810-0001}} {{A:福岡県福岡市中央区天神1-10-20 天神ビジネスセンター5F}}
担当：{{P:中原 悠}}
インボイス登録番号：T{{C:5755711969251}}""",
    """議事メモ（顧客訪問）
訪問先：{{O:株式会社グリーンフィールド}}
先方：{{P:石原}}部長、{{P:井口}}課長
当方：{{P:大川}}、{{P:Mark Stevens}}
次回は10月中旬、先方より候補日をいただく。""",
    """社内ヘルプデスク
件名：プリンターが使えない
依頼者：{{P:平井 颯太}}（内線 4471）
PC名：PC-0231　IPアドレス：{{I:10.4.22.118}}
対応：ドライバー再インストールで解決。""",
    """年末調整　住所確認
1月1日時点の住所：{{A:愛知県岡崎市康生通西2丁目20-3}}
現住所：同上
世帯主：{{P:近藤 正樹}}（本人との続柄：父）""",
    """イベント参加申込
参加者1：{{P:Emily Chen}}（{{O:Chen Design Studio}}）
参加者2：{{P:陳 美玲}}
連絡先メール：{{E:emily@chendesign.example.com}}
参加費：2名 × 5,000円 = 10,000円（当日現金払い）""",
    """送付状
{{O:株式会社アイテック}} 総務部 御中
いつもお世話になっております。下記書類を送付いたしますのでご査収ください。
・契約書（2部）
・請求書（No. 2025-0517）
{{O:光和商事株式会社}} 管理部　{{P:西村}}
{{T:092-471-0821}}""",
    """家賃保証会社審査結果
申込者：{{P:Nguyen Thi Lan}}（{{P:グエン・ティ・ラン}}）
在留資格：技術・人文知識・国際業務
審査結果：承認
物件：{{A:埼玉県川口市栄町3丁目5-1 パークサイド川口201}}""",
    """採用内定通知書
{{P:河合 美咲}} 殿
選考の結果、あなたを採用することに内定しましたので通知いたします。
入社日：2026年4月1日
{{O:株式会社ソラリス}}
人事部長　{{P:大塚 浩二}}""",
]

EN = [
    """TRAVEL REQUEST
Traveller: {{P:Dominic Walsh}}
Destination: Osaka office, {{A:2-3-4 Umeda, Kita-ku, Osaka}}
Dates: 12-16 May 2025
Approver: {{P:Fiona Grant}}
Notes: needs a hotel near Umeda; budget code TR-5520""",
    """Complaint log #C-20931
Received: 03/06/2025 by phone
Customer: Mr {{P:Ahmed Khan}}, {{T:07911 123456}}
Issue: washing machine delivered with a dented door. Delivery address {{A:14 Larch Close, Reading}} {{Z:RG4 7DT}}.
Outcome: replacement booked for 10/06/2025.""",
    """Appointment confirmation
Dear Ms. {{P:Okonkwo}},
Your appointment with Dr. {{P:Peter Lindqvist}} is confirmed for Tuesday at 9:15 am.
Please arrive 10 minutes early and bring your insurance card.
{{O:Riverside Family Clinic}} | {{T:(503) 555-0182}}""",
    """RENTAL APPLICATION
Applicant name: {{P:Katarzyna Nowak}}
Date of birth: {{D:17 October 1992}}
Current address: {{A:1123 Pine Street, Apt 4, Portland, OR}} {{Z:97205}}
Employer: {{O:Columbia Sportswear Company}}
Monthly income: $5,800
Reference: {{P:Tomasz Nowak}}, {{T:503-555-0164}}""",
    """Interview scorecard
Candidate: {{P:Oluwaseun Adeyemi}}
Role: Backend Engineer (L4)
Interviewers: {{P:Rachel Kim}}, {{P:Diego Fernandez}}
Coding: strong. System design: mixed. Recommend: hire.""",
    """{{P:Hannah Brooks}}
Head of Procurement
{{O:Northgate Retail plc}}
{{A:80 Strand, London}} {{Z:WC2R 0RL}}
T: {{T:+44 20 3880 1200}}  M: {{T:+44 7700 900 314}}
{{E:hannah.brooks@northgate-retail.example.co.uk}}""",
    """Direct Debit Instruction
Name of account holder: {{P:Gareth Jones}}
Bank/building society account number: {{B:41926819}}
Branch sort code: 60-16-13
Reference: NX-0049912
Date: 1 March 2025""",
    """Insurance claim - motor
Policyholder: {{P:Samantha Reyes}}
Policy no.: AUT-7734-2290
Incident: rear-ended at a red light on Main St, 14 Feb 2025.
Third party: {{P:Kevin O'Neill}}, phone {{T:(617) 555-0147}}
Claims handler: {{P:Brian Cho}}""",
    """Personnel announcement
Effective 1 April, {{P:Laura Jensen}} will become VP Finance, succeeding {{P:Tom Hargreaves}}, who retires after 22 years.
Please join us in congratulating {{P:Laura}}.""",
    """#proj-atlas
{{P:mike}} 9:41 AM: deploy to staging done, can someone check login?
{{P:sara.lee}} 9:43 AM: on it
{{P:sara.lee}} 9:50 AM: works for me. @{{P:mike}} the API host {{I:172.31.4.19}} is still on the old cert though""",
    """Booking confirmation
Guest: {{P:Yamaguchi Kenta}}
Check-in: 3 Nov 2025 · 2 nights · Deluxe Twin
Payment: {{K:4621 2581 1471 3360}}
Contact: {{E:k.yamaguchi@example.jp}}, {{T:+81-80-4412-7781}}""",
    """Web form submission
Full name: {{P:Isabella Rossi}}
Email: {{E:isabella.rossi@example.it}}
Phone: {{T:+39 347 123 4567}}
Message: Do you ship to Italy? I need 20 units of model X-200.""",
    """New account welcome
Hi {{P:Marcus}},
Your business account ending 4410 is now open. Your relationship manager is {{P:Priyanka Shah}} ({{E:p.shah@firstharbor.example.com}}).
{{O:First Harbor Bank}}""",
    """Form I-9 supporting details (internal copy)
Employee: {{P:José Martínez}}
Date of birth: {{D:08/21/1990}}
Address: {{A:2250 W Broadway, Apt 12, Tucson, AZ}} {{Z:85745}}
Verified by: {{P:Alyssa Grant}}, HR""",
    """Shipment notice
Your order 112-4471902-5531 has shipped via {{O:UPS}}.
Tracking: 1Z 4E5 F67 03 1234 5678
Deliver to: {{P:Chloe Dupont}}, {{A:9 Rue de Rivoli, Paris}} {{Z:75004}}
Items: 2 x ceramic mug""",
    """Card dispute form
Cardholder: {{P:Victor Almeida}}
Card number: {{K:5119 8555 9304 3783}}
Disputed amount: $412.00 (merchant: {{O:CITY ELECTRONICS}})
Reason: item never received""",
    """Vendor onboarding (Japan)
Legal name: {{O:Sakura Precision Co., Ltd.}}
Corporate Number: {{C:1209564154854}}
Address: {{A:5-6-7 Hakata-ekimae, Hakata-ku, Fukuoka}} {{Z:812-0011}}
Contact: {{P:Kimura Aoi}} ({{E:a.kimura@sakura-precision.example.jp}})
Bank: {{O:Fukuoka Bank}}, account {{B:1029384}}""",
    """CRM note
Spoke with {{P:Danielle Wright}} (Ops Director) at {{O:Bluewave Logistics}}. They're unhappy with delivery times to Denver.
Follow-up call booked; her mobile is {{T:720-555-0133}}.
Next step: {{P:Sam}} to send revised SLA.""",
    """Bug #8821: login fails behind proxy
Reported by {{P:Nikolai Petrov}}
Logs show requests from {{I:203.0.113.77}} rejected with 403; proxy at {{I:198.51.100.5}}.
Version 4.2.1 affected; 4.1.9 works. Assigned to {{P:Wei Zhang}}.""",
    """Event registration
Attendee: {{P:Fatima Al-Sayed}}
Organisation: {{O:Gulf Energy Partners}}
Dietary: vegetarian
Badge name: {{P:Fatima}}
Emergency contact: {{P:Omar Al-Sayed}} {{T:+971 50 123 4567}}""",
    """OFFER OF EMPLOYMENT
Dear {{P:Liam O'Connor}},
We are delighted to offer you the position of Data Analyst at {{O:Kestrel Analytics}}, starting 2 June 2025, at an annual salary of £42,000.
Please sign and return by 16 May.
{{P:Rebecca Hale}}, People Team""",
    """Payroll change
Employee: {{P:Ana Sousa}} (#40021)
New bank details: IBAN {{B:PT50 0002 0123 1234 5678 9015 4}}
Effective from the April payroll.""",
    """Medical referral
Patient: {{P:Gregory Hall}}, DOB {{D:04/09/1958}}
Referred to: Dr. {{P:Susan Ito}}, Cardiology, {{O:St. Mary's Hospital}}
Reason: exertional chest pain, abnormal ECG.
Referring GP: Dr. {{P:Alan Marsh}}""",
    """Conference call notes 14 March
Attendees: {{P:Julia Wong}}, {{P:Ben Carter}}, {{P:Sato Yuki}}
- {{P:Ben}} to check pricing with legal
- {{P:Yuki}} to share the Tokyo pilot results
No other business.""",
    """Membership renewal
Member: {{P:Patricia Moore}}
Member since: 2011
Renewal fee: $120 charged to {{K:3479 194299 67865}}
Thank you for supporting {{O:Greenwood Library Foundation}}.""",
    """Lost property report
Reported by: {{P:Derek Simmons}}, {{T:+1 212 555 0109}}
Item: black laptop bag left on platform 4, Penn Station, 5:40 pm.
Contents: laptop, charger, notebook. Case ref LP-99120.""",
    """Tenant contact sheet
Unit 3A: {{P:Marco Bianchi}}, {{T:(312) 555-0118}}
Unit 3B: {{P:Grace Liu}}, {{T:(312) 555-0195}}
Building: {{A:455 N Cityfront Plaza Dr, Chicago, IL}} {{Z:60611}}""",
    """Quarterly sales summary
Q2 revenue: $3.8M (+9%). Top region: APAC. Churn fell to 2.1%.
Headcount 54; two open roles in Support. Next review on 15 July in Room 4.""",
    """Refund approved
Customer: {{P:Jean-Luc Moreau}}
Order: #55-2210
Refund: €89.90 to the original card ending 7721
Processed by {{P:Amélie Laurent}}""",
]


if __name__ == "__main__":
    _build.JA, _build.EN = JA, EN
    _build.write(Path(__file__).parent)
