# ruff: noqa: E501  (annotated business text: lines are as written)
"""Build items.jsonl from the annotated texts below and check every span's offsets.

Annotation: `{{T:value}}` marks `value` as an entity of type T (letters below); the
markup is removed and the span recorded with exact character offsets. Run:
`python eval/pii/build.py` (it rewrites items.jsonl and prints counts per type).

Conventions: PERSON is the name without honorific or title (山田太郎 of 山田太郎様,
Tanaka of Ms. Tanaka); ADDRESS runs from the prefecture/city (or street number)
through building and room, without the postal code; POSTAL_CODE is the digits
(no 〒); BANK_ACCOUNT is the account number (or IBAN), not the branch; PHONE
includes a +81 prefix and brackets; DATE_OF_BIRTH is the date only. Dates that are
not birth dates, order/invoice/ticket numbers, versions and prices are not entities.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

TYPES = {"P": "PERSON", "A": "ADDRESS", "O": "ORGANIZATION", "E": "EMAIL", "T": "PHONE",
         "M": "MY_NUMBER", "C": "CORPORATE_NUMBER", "Z": "POSTAL_CODE", "K": "CREDIT_CARD",
         "B": "BANK_ACCOUNT", "I": "IP_ADDRESS", "D": "DATE_OF_BIRTH"}
_MARK = re.compile(r"\{\{([A-Z]):(.+?)\}\}", re.S)

JA = [
    # --- e-mails ---
    """件名：お見積りの件
{{O:株式会社サンプル商事}} 営業部 {{P:佐藤健一}}様

いつもお世話になっております。{{O:東和システム株式会社}}の{{P:高橋美咲}}です。
先日ご依頼いただいたお見積り（見積番号 Q-2024-00815）を添付いたします。
ご不明点がございましたら、{{T:03-5412-7788}}（代表）または{{E:m.takahashi@towa-sys.co.jp}}までご連絡ください。""",
    """{{P:田中}}様

お問い合わせありがとうございます。担当の{{P:鈴木}}よりご連絡差し上げます。
なお、ご返信はsupport窓口（{{E:support@example-shop.jp}}）宛にお願いいたします。
受付番号：202405170031""",
    """メールは{{E:taro.yamada@example.co.jp}}です。念のため携帯{{T:090-2345-6789}}にもご連絡ください。
{{P:山田太郎}}""",
    """{{O:株式会社アークライト}}
人事部 {{P:中村あゆみ}}様

内定者の{{P:小林翔太}}さんの入社書類を送付します。
住所：〒{{Z:150-0002}} {{A:東京都渋谷区渋谷2-21-1 渋谷ヒカリエ34階}}
生年月日：{{D:平成10年7月3日}}
個人番号：{{M:526018159084}}""",
    """お疲れさまです。経理の{{P:渡辺}}です。
{{O:合同会社ミライラボ}}（法人番号{{C:5599528907866}}）からの請求書を確認しました。
振込先は{{O:三井住友銀行}} 新宿支店 普通 {{B:1234567}} です。
支払期日は2024年6月30日です。""",
    """{{P:伊藤}}部長

本日{{O:大和物産株式会社}}の{{P:木村}}様と打ち合わせを行いました。
先方からの要望は、納期を3月15日から3月29日に変更したいとのことです。
議事録は共有フォルダに格納済みです。""",
    """ご担当者様

弊社の新しい連絡先をお知らせします。
新住所：〒{{Z:530-0001}} {{A:大阪府大阪市北区梅田3丁目1番3号 ノースゲートビル12F}}
TEL：{{T:06-6347-1234}}　FAX：{{T:06-6347-1235}}
{{O:関西テクノサービス株式会社}} 総務部""",
    """件名：アカウントロックの件
{{P:吉田}}さん

昨夜、{{I:203.0.113.45}}から管理画面への不正ログインが試行されました。
念のため、{{I:192.168.10.24}}（社内VPN）以外からのアクセスを遮断しています。
サーバーのバージョンは2.4.58です。""",
    """{{P:山本}}様
この度は{{O:みずほ銀行}}の口座開設をお申し込みいただきありがとうございます。
口座番号：{{B:7654321}}（普通預金）
キャッシュカードは、ご登録の住所（{{A:神奈川県横浜市港北区新横浜2-5-10}}）へ簡易書留でお送りします。""",
    """お世話になります。{{O:株式会社ノヴァ}}の{{P:加藤}}です。
インボイス登録番号 T{{C:8661760313721}} を請求書に記載いたしました。
今後ともよろしくお願いいたします。""",
    # --- forms ---
    """【申込フォーム】
氏名：{{P:森田 由紀}}
フリガナ：{{P:モリタ ユキ}}
生年月日：{{D:1987年11月23日}}
郵便番号：{{Z:460-0008}}
住所：{{A:愛知県名古屋市中区栄4-1-1 中日ビル8階}}
電話番号：{{T:052-251-3300}}
メール：{{E:yuki.morita87@mail.example.ne.jp}}""",
    """【会員登録内容の確認】
お名前：{{P:清水 大輔}} 様
ご住所：〒{{Z:8100001}} {{A:福岡県福岡市中央区天神1丁目8番1号}}
携帯電話：{{T:080-9876-5432}}
お支払い方法：クレジットカード（{{K:4200182633043480}}）
有効期限：08/27""",
    """■ 口座振替依頼書
金融機関：{{O:りそな銀行}} 梅田支店
預金種目：普通
口座番号：{{B:3058412}}
口座名義：{{P:ハヤシ ケンジ}}
お届け印：あり""",
    """〈マイナンバー提出書〉
従業員番号：E-10482
氏名：{{P:井上 真理子}}
個人番号：{{M:3016 6131 8600}}
扶養親族：{{P:井上 蓮}}（個人番号 {{M:913909960300}}）
提出日：2024年1月10日""",
    """【取引先登録】
商号：{{O:株式会社グリーンフィールド}}
法人番号：{{C:6590109281590}}
本店所在地：{{A:北海道札幌市中央区北五条西2丁目5番地}}
代表者：{{P:斎藤 学}}
担当者連絡先：{{T:011-209-5100}} / {{E:keiri@greenfield.example.jp}}""",
    """応募者情報
名前　{{P:長谷川 彩花}}
生まれ　{{D:2001/4/9}}
現住所　{{A:京都府京都市左京区吉田本町36-1}}
連絡先　{{T:075-753-7531}}
最終学歴　{{O:京都大学}}法学部 卒業見込み""",
    """配送先変更のお願い
注文番号：1049-3382-1177
お届け先：{{A:埼玉県さいたま市大宮区桜木町1-7-5 ソニックシティビル}}
受取人：{{P:後藤 俊介}} 様
日中の連絡先：{{T:048-647-4111}}
お届け希望日：5月20日""",
    """経費精算申請
申請者：{{P:青木 遥}}（営業第二部）
出張先：{{O:株式会社タカラ電機}} 仙台支社
金額：48,200円
法人カード番号下4桁：3480
備考：新幹線往復""",
    """給与振込口座の登録
社員名：{{P:松本 拓也}}
銀行：{{O:ゆうちょ銀行}}
記号番号：{{B:10180-12345671}}
マイナンバー：{{M:824628194826}}
生年月日：{{D:S58.2.14}}""",
    """緊急連絡先カード
本人：{{P:石川 健}}　血液型 A
緊急連絡先：{{P:石川 恵子}}（妻）{{T:070-1234-5678}}
住所：{{A:千葉県千葉市美浜区中瀬2-6-1}}
生年月日：{{D:昭和52年9月30日}}""",
    # --- call notes ---
    """[通話メモ 2024/03/12 14:05]
顧客：{{P:前田}}様（{{O:有限会社前田工務店}}）
内容：請求書の宛名を変更したい。新しい宛名は「{{O:株式会社マエダホーム}}」。
折返し先：{{T:0120-123-456}}ではなく、直通{{T:045-312-9876}}へ。
対応：{{P:藤田}}""",
    """通話記録
お客様が「カード番号は{{K:5282-8807-2902-2270}}です」と読み上げたため、録音を一時停止。
本人確認：生年月日 {{D:1990年1月15日}}、登録電話番号 {{T:09012345678}}
対応者：{{P:岡田}}（コールセンター第3チーム）""",
    """【クレーム対応メモ】
{{P:近藤 和也}}様より入電。先月購入した製品（型番 KX-200-3）が動作しない。
ご自宅：{{A:兵庫県神戸市中央区港島中町6-1}}
訪問修理を手配。担当エンジニア：{{P:村上}}
次回連絡：4月2日 10時""",
    """問い合わせ対応ログ
相手：{{O:東京海上日動火災保険株式会社}} 法人営業部 {{P:遠藤}}氏
話題：保険証券番号 8812-3345-0091 の更新手続き
連絡先：{{E:endo.h@example-insurance.jp}}
メモ：来週までに見積書を送付""",
    """コールメモ：{{P:坂本}}さんから。自宅の電話が{{T:(03)3456-7890}}に変わったとのこと。
住所変更もあり、新住所は{{A:東京都世田谷区三軒茶屋1-32-6}}、〒{{Z:154-0024}}。
マイナンバーカードのコピーは不要と伝えた。""",
    """受付票
来訪者：{{P:ジョン・スミス}}様（{{O:グローバルトレード合同会社}}）
面会相手：{{P:小川}}課長
入館時刻：9:45
来訪者連絡先：{{T:+81-90-8765-4321}}""",
    """【サポート】ユーザー{{P:原田}}様の端末（{{I:10.0.3.17}}）からファイルサーバーに接続できない件。
IPv6アドレス {{I:fe80::1c2b:3aff:fe4d:5e6f}} でも疎通不可。ルーター再起動で復旧。
チケット番号：INC-004512""",
    """お客様の声（アンケート）
回答者：{{P:西村 佳奈}}（{{O:株式会社西村デザイン事務所}}）
「担当の{{P:福田}}さんの対応が丁寧でした。」
連絡可否：可（{{E:kana@nishimura-design.jp}}）""",
    # --- mixed / harder ---
    """{{O:ABCホールディングス株式会社}}のIR担当 {{P:三浦}}です。決算説明会は6月3日に開催します。
参加登録は {{E:ir@abc-hd.co.jp}} まで。会場：{{A:東京都港区六本木6-10-1 六本木ヒルズ森タワー}}""",
    """先日は{{O:慶應義塾大学}}での講演ありがとうございました。{{P:勅使河原 蒼}}です。
謝礼のお振込先をお知らせください（{{O:三菱UFJ銀行}}などの口座番号、支店名）。""",
    """請求書番号 INV-2024-0456
発行元：{{O:ソフトバンク株式会社}}（登録番号：T{{C:5139624595711}}）
請求先：{{O:株式会社ひまわり保育園}} 園長 {{P:小鳥遊 ひかり}} 様
金額：132,000円（税込）""",
    """人事異動のお知らせ
{{P:佐々木 隆}}（営業本部長）は4月1日付で{{O:株式会社エヌ・ティ・ティ・データ}}へ出向します。
後任は{{P:山口 千尋}}です。""",
    """宿泊予約確認
ご予約者：{{P:アンナ・ミュラー}} 様
チェックイン：2024年8月10日
ご連絡先：{{E:anna.mueller@example.de}} / {{T:+49 30 1234 5678}}
お支払い：{{K:3540 1878 0175 9891}}""",
    """社内システム障害報告
発生時刻：2024-02-07 03:12
影響範囲：{{I:172.16.5.0}}/24 のサーバー群（ただし監視サーバー{{I:172.16.5.10}}を除く）
報告者：{{P:中島}}
復旧予定：同日 09:00""",
    """本人確認書類の受領
{{P:村田 直樹}}様の運転免許証（第123456789012号）を確認しました。
生年月日 {{D:1975-06-21}} と申込内容が一致しています。
ご登録の住所：{{A:宮城県仙台市青葉区本町3-8-1}}""",
    """★重要★ 退職者情報の削除依頼
対象：{{P:菊地 亮}}（社員番号 300271）
マイナンバー：{{M:1993 5181 9090}}
口座：{{O:北洋銀行}} 本店営業部 当座 {{B:0045219}}
保存期限経過後、速やかに削除してください。""",
    """年末調整書類の回収状況
・{{P:大野 修}}：提出済（配偶者 {{P:大野 恵美}}、個人番号 {{M:231948757496}}）
・{{P:杉山 奈々}}：未提出（催促済）
・{{P:田村 亮介}}：提出済（個人番号 {{M:1186-2527-6013}}）
※ 社員番号 120045 と 120046 は休職中のため対象外""",
    """【新規取引口座開設申請】
申請会社：{{O:有限会社さくら物流}}（法人番号 {{C:6852538885393}}）
所在地：〒{{Z:330-0854}} {{A:埼玉県さいたま市大宮区桜木町2丁目3番地}}
代表電話：{{T:048-600-1122}}
振込先：{{O:埼玉りそな銀行}} 大宮支店 当座預金 口座番号{{B:1029384}}
担当：{{P:上田 美穂}}（{{E:ueda@sakura-butsuryu.example.jp}}）""",
    """システム更新のお知らせ
本日22:00からメンテナンスを実施します（対象：v3.2.1 → v3.3.0）。
問い合わせ番号 {{T:0570-000-111}} は終日つながりにくくなります。
影響を受けるお客様数：約12,000件、注文番号 2024-0612-7788 以降の処理は明朝となります。""",
    """取材依頼
{{O:日本経済新聞社}} 編集局の{{P:桜井 陽介}}と申します。
御社の{{P:武田}}社長に30分ほどお話を伺えないでしょうか。
連絡先：{{T:03-3270-0251}}、{{E:y.sakurai@example-nikkei.jp}}""",
]

EN = [
    # --- e-mails ---
    """Subject: Re: Q3 renewal
Hi {{P:Michael}},

Thanks for the call today. As discussed, {{O:Acme Logistics Inc.}} will renew for another year.
Please send the updated contract to {{P:Laura Chen}} ({{E:laura.chen@acmelogistics.com}}) and copy me.

Best regards,
{{P:David Okafor}}
Account Manager, {{O:Brightline Software Ltd}}
{{T:+44 20 7946 0958}}""",
    """Dear Mr. {{P:Patel}},

Your refund of $249.00 for order #100-4482913 has been issued to the card ending in 4480.
If you have questions, reply to this message or call us at {{T:(800) 555-0199}}.

Sincerely,
Customer Care
{{O:Northwind Traders}}""",
    """Hello {{P:Sarah}},

Welcome to the team! Your laptop has been assigned the static IP {{I:10.20.30.40}}.
Your manager, {{P:Tom Becker}}, will meet you at reception on Monday at 9:00.
Building address: {{A:500 Mission Street, Floor 12, San Francisco, CA}} {{Z:94105}}.

{{P:Priyanka Raghunathan}}
People Operations""",
    """From: {{E:j.rodriguez@contoso.example}}
To: {{E:billing@fabrikam.example}}
Subject: Wire details

Please wire the deposit to IBAN {{B:GB82 WEST 1234 5698 7654 32}} (account holder {{P:Javier Rodriguez}}).
Invoice INV-88213 is attached. Our company registration number is 09876543.""",
    """Hi all,

Quick reminder that {{P:Kenji Watanabe}} from {{O:Mitsubishi Corporation}} visits on May 14.
His assistant, {{P:Yuko Sato}}, asked that we send the agenda to {{E:yuko.sato@example.co.jp}}.
Meeting room 4B is booked from 2pm to 4pm.

{{P:Rachel}}""",
    """Dear Dr. {{P:Oluwaseun Adeyemi}},

Thank you for agreeing to review for the journal. Your honorarium will be paid to
account number {{B:40221987}} at {{O:First National Bank}}, as listed on your form.

Kind regards,
{{P:Helen Marsh}}
Editorial Office, {{O:Cambridge University}}""",
    """Ms. {{P:Tanaka}},

We received your application for the corporate card. For verification, please confirm your
date of birth ({{D:March 4, 1982}}) and the last four digits of your phone number.
Our branch is at {{A:1-9-1 Marunouchi, Chiyoda-ku, Tokyo}} {{Z:100-0005}}.

{{O:Sumitomo Mitsui Banking Corporation}}""",
    """Team,

Security alert: we saw repeated failed logins on the VPN gateway from {{I:198.51.100.23}} and
{{I:2001:db8:85a3::8a2e:370:7334}}. Both addresses are now blocked. Firmware is at version 7.2.1.4.
If you see anything odd, page {{P:Marcus Lee}} on {{T:415-555-0132}}.""",
    """Hi {{P:Anna}},

Can you update the vendor record for {{O:Globex Corporation}}? New remittance address is
{{A:742 Evergreen Terrace, Springfield, OR}} {{Z:97477}}, and their AP contact is {{P:Homer Simpson}}
({{E:hsimpson@globex.example}}, {{T:541-555-0148}}).

Thanks,
{{P:Carlos}}""",
    """Subject: Applicant follow-up

{{P:Jordan Miller}} called about the analyst role. {{P:Jordan}}'s resume lists {{O:Deloitte}} and
{{O:Stanford University}}. Please schedule a 30-minute screen next week and email the invite to
{{E:jordan.miller.cv@gmail.example}}.""",
    # --- forms ---
    """NEW CUSTOMER FORM
Full name: {{P:Emily R. Thompson}}
Date of birth: {{D:07/19/1991}}
Home address: {{A:1420 Oak Ridge Drive, Apt 5B, Austin, TX}} {{Z:78704}}
Phone: {{T:512-555-0176}}
Email: {{E:emily.thompson91@example.com}}
How did you hear about us? Trade show""",
    """EMPLOYEE DIRECT DEPOSIT
Employee: {{P:Robert Nguyen}}
Employee ID: 004417
Bank: {{O:Wells Fargo Bank}}
Routing number: 121000248
Account number: {{B:6001234789}}
Account type: Checking""",
    """VISITOR REGISTRATION
Name: {{P:Hiroshi Nakamura}}
Company: {{O:Tokyo Electron Limited}}
Host: {{P:Linda Park}}
Visitor phone: {{T:+81 3 5561 7000}}
Badge: V-2291""",
    """PAYMENT AUTHORIZATION
Cardholder: {{P:Grace O'Connell}}
Card number: {{K:4395 4862 0579 8685}}
Expiry: 11/26   CVV: on file
Billing address: {{A:88 Queen Street, Auckland}} {{Z:1010}}
Amount: NZD 1,250.00""",
    """Supplier onboarding (Japan)
Legal name: {{O:Kitakaze Foods Co., Ltd.}}
Corporate number: {{C:4777741215472}}
Registered office: {{A:3-5-7 Shiba, Minato-ku, Tokyo}} {{Z:105-0014}}
Contact: {{P:Aiko Fujimoto}}, {{E:a.fujimoto@kitakaze-foods.example.jp}}, {{T:03-6435-2211}}""",
    """PATIENT INTAKE
Patient: {{P:Samuel Whitaker}}
DOB: {{D:1958-02-11}}
Emergency contact: {{P:Margaret Whitaker}} (spouse), {{T:(617) 555-0123}}
Referring clinic: {{O:Boston Family Health Partners}}
Insurance member ID: XJH-442190""",
    """Contractor details
Name: {{P:Zbigniew Kowalczyk}}
Born: {{D:12 September 1979}}
Address: {{A:15 Harbour Road, Dublin}}
Phone: {{T:+353 1 555 0172}}
Payment: {{B:DE89 3704 0044 0532 0130 00}}""",
    """Expense claim
Claimant: {{P:Olivia Brown}}
Trip: client visit to {{O:Hitachi Ltd}}, Tokyo
Hotel: 3 nights, JPY 54,000
Corporate card: {{K:5918058887180337}}
Approver: {{P:Daniel Kim}}""",
    """Japanese payroll registration for expat staff
Employee: {{P:Thomas Weber}}
My Number: {{M:378657975438}}
Bank: {{O:MUFG Bank}}, Shibuya branch, ordinary account {{B:2468013}}
Residence: {{A:2-11-3 Ebisu, Shibuya-ku, Tokyo}}""",
    """IT ACCESS REQUEST
Requester: {{P:Fatima Hassan}}
Server: db-prod-02 ({{I:10.0.12.8}})
Access: read-only, 30 days
Approved by: {{P:Kevin O'Brien}}
Ticket: CHG0041127""",
    # --- call notes ---
    """Call notes 3/14, 10:20am
Caller: {{P:Brian Cooper}} from {{O:Pinnacle Insurance Group}}
Issue: duplicate charge on invoice 55821 ($1,980). Says card {{K:4058 7706 5894 8113}} was billed twice.
Callback: {{T:312-555-0187}} after 2pm. Assigned to {{P:Megan}}.""",
    """Support call - ticket 77120
Customer {{P:Li Wei}} could not reach the portal from home ({{I:203.0.113.199}}).
Verified identity with date of birth {{D:23 June 1985}} and postcode.
Reset password; follow-up by email to {{E:li.wei@example.cn}}.""",
    """Sales call summary
Spoke with {{P:Amanda Foster}}, procurement lead at {{O:Initech}}. They want 40 seats starting
July 1 and asked about the Japan data center. Next step: demo with {{P:Raj Malhotra}} on Thursday.
Her direct line is {{T:646-555-0110}}.""",
    """Voicemail transcription
"Hi, this is {{P:Greg}} from {{O:Summit Dental Clinic}}, calling for {{P:Natalie Brooks}}. Your appointment
is confirmed for Friday at 3. If you need to reschedule, call {{T:303-555-0164}}. Thanks!"
""",
    """Escalation notes
Customer: {{P:Victoria Adams}}, {{A:2200 Pennsylvania Avenue, Washington, DC}} {{Z:20037}}
Complaint: package marked delivered but not received. Tracking 1Z999AA10123456784.
Agent: {{P:Chris Morgan}}. Offered replacement; customer accepted.""",
    """Call log - HR hotline
Employee {{P:Daniel Fischer}} asked to update his emergency contact to {{P:Sophie Fischer}}
({{T:+49 89 1234 5678}}) and his home address to {{A:Leopoldstrasse 120, Munich}}.
No other changes.""",
    """Meeting notes - vendor review
Attendees: {{P:Naomi Clarke}}, {{P:Arjun Mehta}}, {{P:Yamada Taro}} ({{O:Fujitsu Limited}})
- {{O:Fujitsu}} will move our workloads to the Osaka region by Q4.
- Contract value unchanged; renewal date 2025-03-31.
- Action: {{P:Arjun}} to send the DPA draft.""",
    """Incident report
At 02:14 UTC the monitoring host {{I:192.0.2.77}} stopped reporting. {{P:Ivan Petrov}} restarted the agent.
Root cause: disk full on /var. Software version 3.10.2 affected.
Reported by {{P:Sandra Lopez}} ({{E:sandra.lopez@example.org}}).""",
    """KYC review
Applicant: {{P:Mohammed Al-Farsi}}
DOB: {{D:05/02/1970}}
Passport: on file
Mailing address: {{A:45 Park Lane, London}} {{Z:W1K 1PN}}
Bank account: {{B:GB29 NWBK 6016 1331 9268 19}}
Reviewer: {{P:Claire Dubois}}""",
    """Hi {{P:Ben}},

Following up on the {{O:Panasonic Holdings Corporation}} visit: their team asked for our corporate
number for the NDA. It is {{C:6803852808414}}. Please also give them our Tokyo office number,
{{T:03-4520-8800}}.

Cheers,
{{P:Lucy Hart}}""",
    """Order confirmation #5531-2290
Ship to: {{P:Hannah Schmidt}}, {{A:77 Market Street, Suite 410, Philadelphia, PA}} {{Z:19103}}
Paid with {{K:377261675136132}}
Questions? Email {{E:orders@shop.example}}""",
    """Note to file
{{P:George Evans}} (born {{D:August 30, 1965}}) is the authorised signatory for {{O:Evans & Sons Ltd}}.
Company address: {{A:12 Castle Street, Edinburgh}} {{Z:EH2 3AT}}.
Checked against the registry on 2024-04-02.""",
    """Release notes 4.12.0
- Fixed a crash when importing CSV files larger than 2 GB.
- The default port is now 8443; build 20240611.3 replaces 20240528.1.
- Thanks to everyone who reported issue #4471 on May 3, 2024.""",
    """Reference check
Candidate: {{P:Chloe Martin}}
Referee: {{P:Paul Anderson}}, former manager at {{O:Oracle Corporation}}
Referee phone: {{T:650-555-0143}}
Comments: reliable, strong SQL skills; would rehire.""",
    """Hi {{P:Nadia}},
The new branch office of {{O:Kyoto Ceramics Co., Ltd.}} is at {{A:600 Karasuma-dori, Shimogyo-ku, Kyoto}} {{Z:600-8008}}.
Corporate number {{C:5363387500474}}. Their accounts payable e-mail is {{E:ap@kyoto-ceramics.example.jp}}.
{{P:Owen}}""",
]


def build() -> list[dict]:
    """Items with plain text and spans, from the annotated texts."""
    items = []
    for lang, texts in (("ja", JA), ("en", EN)):
        for n, annotated in enumerate(texts, 1):
            text, spans, pos = [], [], 0
            length = 0
            for m in _MARK.finditer(annotated):
                before = annotated[pos:m.start()]
                text.append(before)
                length += len(before)
                value = m.group(2)
                spans.append({"start": length, "end": length + len(value),
                              "type": TYPES[m.group(1)]})
                text.append(value)
                length += len(value)
                pos = m.end()
            text.append(annotated[pos:])
            plain = "".join(text)
            if "{{" in plain or "}}" in plain:
                sys.exit(f"{lang}-{n}: unbalanced markup")
            items.append({"id": f"{lang}-{n:03d}", "lang": lang, "text": plain, "spans": spans})
    return items


def check(items: list[dict]) -> Counter:
    """Every span lies inside its text, has no surrounding space, and spans do not overlap."""
    counts: Counter = Counter()
    for item in items:
        last = -1
        for span in item["spans"]:
            value = item["text"][span["start"]:span["end"]]
            assert value and value == value.strip(), (item["id"], value)
            assert span["start"] >= last, (item["id"], "overlap", value)
            last = span["end"]
            counts[(item["lang"], span["type"])] += 1
    return counts


def write(folder: Path) -> None:
    """Build, check and write folder/items.jsonl from JA and EN; print counts per type."""
    built = build()
    totals = check(built)
    out = folder / "items.jsonl"
    out.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in built),
                   encoding="utf-8")
    for t in TYPES.values():
        print(f"{t:18} ja {totals[('ja', t)]:3}  en {totals[('en', t)]:3}")
    print("items", len(built), "spans", sum(totals.values()))


if __name__ == "__main__":
    write(Path(__file__).parent)
