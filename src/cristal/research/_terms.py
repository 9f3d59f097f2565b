"""Term matching for reading evidence: light stemming and a small table of synonyms.

The index matches words as written; reading a sentence can afford to be more
forgiving, since only a few hundred sentences are read per question. Synonyms
are the everyday business ones a question and a policy tend to phrase apart
("cost" / "fee", 「締め切り」 / 「期限」); they match at reduced weight.
"""

from __future__ import annotations

__all__ = ["SYNONYM_WEIGHT", "canonical", "expand"]

SYNONYM_WEIGHT = 0.7

_GROUPS = [
    "cost fee charge price payment 費用 料金 手数料 代金 金額",
    "deadline due 期限 締め切り 締切 までに",
    "approve approval authorize authorise sign-off 承認 決裁 許可",
    "waive waiver exempt exemption 免除 減免",
    "limit cap maximum max 上限 限度",
    "minimum min 最低 下限",
    "refund reimburse reimbursement repay 返金 払い戻し 精算",
    "contact call report notify 連絡 通報 報告",
    "cancel cancellation terminate 解約 取消 キャンセル",
    "rate apy apr interest 利率 金利 利回り",
    "annual yearly year 年間 年",
    "month monthly 月 月額 毎月",
    "day daily 日 日数",
    "employee staff 従業員 社員 職員",
    "manager supervisor 上長 上司 管理職",
    "repair fix 修理 修繕",
    "warranty guarantee 保証",
    "password passphrase パスワード",
    "travel trip 出張 旅費",
    "allowance stipend 手当 日当",
    "lead leader owner responsible 担当 担当者 責任者 主担当",
]
_SYNONYMS: dict[str, frozenset[str]] = {}
for _group in _GROUPS:
    _words = frozenset(_group.split())
    for _word in _words:
        _SYNONYMS[_word] = _SYNONYMS.get(_word, frozenset()) | _words


def canonical(term: str) -> str:
    """Fold common English suffixes (monthly → month, waived → waive) for matching."""
    if not term.isascii() or len(term) <= 4:
        return term
    for suffix, repl in (("ly", ""), ("ing", ""), ("ied", "y"), ("ed", "e"), ("ed", "")):
        if term.endswith(suffix) and len(term) - len(suffix) >= 4:
            return term[: len(term) - len(suffix)] + repl
    return term


def expand(term: str) -> frozenset[str]:
    """The term's synonyms (canonical forms), itself excluded."""
    base = canonical(term)
    return frozenset(canonical(w) for w in _SYNONYMS.get(base, _SYNONYMS.get(term, frozenset()))
                     ) - {base}
