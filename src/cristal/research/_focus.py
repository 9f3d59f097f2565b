"""The focus of a question: the thing it asks about, which the answering sentence must carry.

A sentence can name the product asked about and carry an amount without answering:
the Silver Zoom card's annual fee does not answer a question about its late fee, and
the MX-2200's spindle speed does not answer one about its weight. The focus is the
noun phrase the question word asks about:

- Japanese: the noun just before the question word, past the topic particle
  (「ホテル代っていくら」 → ホテル代, 「本体の重さどれくらい」 → 重さ), or just after
  「何が」「どんな」 (「何が条件」 → 条件); in a yes/no question, the noun the predicate is
  about (「仮払いってしてもらえる？」 → 仮払い, 「レンタカー借りてもいい？」 →
  レンタカー), not a means or a place (「シュレッダーでいい？」 asks whether a way of
  doing something is allowed: the documents' rule for it answers, whatever its words);
- English, when a quantity is asked: the noun phrase ending in the kind of quantity
  ("the late fee", "the daily outbound limit"), comparatives left out; what a charge is
  for ("charged for paper statements") and what a yes/no question asks is included
  ("does the card come with purchase protection").

Nothing is returned when no such phrase stands out; the caller then judges the
question's words as a whole.
"""

from __future__ import annotations

import re

from cristal.knowledge.ja import noun_spans

__all__ = ["focus", "focus_excluded"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_HIRAGANA_ONLY = re.compile(r"[\u3041-\u309f]+")
_GLOSS = re.compile(r"[（(][^（）()]*[）)]")
_JA_QWORD = re.compile(
    r"どれくらい|どのくらい|どれぐらい|どのぐらい|どれだけ|いくら|幾ら|いくつ|幾つ|"
    r"何(?:人|年|日|回|件|円|時間|時|台|歳|か月|ヶ月|カ月|週|%|％|点|枚|社|名|文字|本|分)?|なに|なん|"
    r"いつ|どこ|どちら|どっち|どの|どう(?!か)|どれ|どんな|誰|だれ|どなた")  # かどうか: whether
_JA_ASKS_NEXT = re.compile(r"(?:が|の|を|は|な)?")  # 「何が条件」「どんな要件」「何の書類」
_JA_BETWEEN = re.compile(r"(?:って|っては|とは|だと|では|は|が|の|も|を|、|，|\s)*")
# After a noun, a particle that makes it the topic or the object of a yes/no question.
_JA_TOPIC = re.compile(r"(?:って|は|が|も)")
_JA_NOT_TOPIC = re.compile(
    r"(?:で|に|を|から|まで|と|へ|より|や|の|な|だ|です|[、，。？！?!…\s]|$)")
# Pronouns, formal nouns and predicates say nothing of what is asked about.
_JA_EMPTY = _words("""
うち これ それ あれ ここ そこ 自分 私 僕 とき 時 場合 ため こと もの ところ ほう 方 くらい ぐらい
ごろ まま あと 後 前 それぞれ 全部 みんな ダメ 駄目 大丈夫 OK ok いい 必要 可能 不要 不可 無理 本当
人 者 お金 最長 最短 最大 最小 最高 最低 合計 以上 以下 未満 具体 一般 普通 今 今回
タイミング 時期 頃 ケース パターン 感じ 形 風 社内 社外
""")
# A quantity the value itself states (「どれくらいの間隔」 is answered by 「3年ごと」): asked
# after a question word, it says what kind of answer is wanted, not what it is about.
_JA_MEASURE = _words("""
間隔 期間 頻度 周期 日数 回数 人数 年数 件数 点数 金額 額 値段 時間 期限 割合 比率 率 程度 レベル
""")
# 「会社のどこ」「部署の誰」: the noun before の is the scope the answer lies within.
_JA_WITHIN = _words("どこ 誰 だれ どなた どちら どっち")
# A unit of time or count before the question word (「月いくら」「1日いくら」) is not
# what is asked about; the noun before it is.
_JA_UNIT = re.compile(r"[0-9０-９一二三四五六七八九十]*[月年日週回件人泊台円本時間分]|毎[月年日週]")
# 「社宅の自己負担って、休み中はどうなる」: a time during something is when it is asked
# about, not what; the noun before it is.
_JA_DURING = re.compile(r".{2,}中")
# 「MXシリーズ以外の機械」: the question is about what the named thing is not.
_JA_EXCEPT = re.compile(r"([^\s、。のはがを]+)(?:以外|を除く|を除いた)")

_EN_KIND = (r"per diems?|fees?|charges?|costs?|prices?|rates?|apr|apy|limits?|caps?|ceiling|"
            r"balance|deposit|bonus(?:es)?|allowance|fines?|penalt(?:y|ies)|interest|points?|"
            r"discount|deadline|period|rewards?|reimbursement|cashback|coverage|payout|stipend")
_EN_PHRASE = re.compile(rf"(?<![\w'-])((?:[a-z0-9][\w-]*\s+){{0,3}})({_EN_KIND})\b", re.I)
_EN_STOP = _words("""
a an the my our your his her its their this that these those and or s what whats what's which
how much many is are was does do did can could will would has have had no not get gets
lower higher cheaper bigger larger smaller more less better worse same each every any some
total overall typical typically usual usually current currently standard maximum minimum
gonna gotta wanna going
""")
# A phrase after one of these qualifies another ("in a 24-hour period"); after a subject
# the kind is a verb ("what does the bank charge", "how much can I deposit").
_EN_PREPOSITION = _words("in per within during for over after before by on at from to into "
                         "through via")
_EN_SUBJECT = _words("i we you they he she it guys bank do does did can could will would "
                      "should must may")
# "Which networks…", "which card…": the thing to pick, whatever the rest asks of it.
_EN_WHICH = re.compile(r"\b[Ww]hich\s+(?:[A-Z][\w-]*\s+)*([a-z][a-z-]{2,})\b")
# "Which pays a higher rate": the word after "which" is a verb, not the thing to pick.
_EN_VERB_NEXT = re.compile(r"\s+(?:a|an|the|more|less|higher|lower|better|worse|most|least|"
                           r"me|you|us|it)\b", re.I)
# Only the words after the first may not be capitalised: a name ends at a lower-case word.
_EN_EXCEPT = re.compile(r"\b(?i:other than|except(?: for)?|besides|apart from|excluding)\s+"
                        r"(?i:the\s+|a\s+|an\s+)?([A-Za-z][\w-]*(?:\s+[A-Z][\w-]*)*)")


def focus(text: str, lang: str, answer_type: str) -> str | None:
    """The phrase `text` asks about (see the module docstring), or None.

    A phrase written in hiragana alone (「あいみつ」) is left out: colloquial words in
    kana split into unrelated dictionary words.
    """
    if lang == "ja":  # 「不具合報告書（QA-F07）って」: the gloss names the same thing
        text = _GLOSS.sub(lambda m: " " * len(m.group(0)), text)
    found = _ja_focus(text) if lang == "ja" else _en_focus(text, answer_type)
    return None if found is None or _HIRAGANA_ONLY.fullmatch(found) else found


def focus_excluded(text: str) -> str | None:
    """The thing a question sets aside (「MXシリーズ以外」, "other than the Gold card")."""
    m = _JA_EXCEPT.search(text) or _EN_EXCEPT.search(text)
    return m.group(1).strip() if m else None


def _usable(noun: str) -> bool:
    return noun not in _JA_EMPTY and not _JA_QWORD.fullmatch(noun) and not noun[:1].isdigit()


def _nouns(text: str) -> list[tuple[int, int]]:
    """Noun phrases of `text`, cut where a question word sits inside one (監査役何人)."""
    out = []
    for start, end in noun_spans(text):
        inner = _JA_QWORD.search(text, start, end)
        if inner is not None:
            end = inner.start()
        if end > start and _usable(text[start:end]):
            out.append((start, end))
    return out


def noun_spans_before(text: str, end: int) -> list[tuple[int, int]]:
    """Noun phrases ending at or before `end`, units and all, cut at question words."""
    out = []
    for start, stop in noun_spans(text):
        inner = _JA_QWORD.search(text, start, stop)
        stop = inner.start() if inner is not None else stop
        if start < stop <= end:
            out.append((start, stop))
    return out


def _ja_focus(text: str) -> str | None:
    nouns = _nouns(text)
    m = _JA_QWORD.search(text)
    if m is not None:
        # 「何が条件」「どんな要件」「どれくらいの間隔」: the noun after the question word.
        word, after = m.group(0), m.end()
        if word in ("何", "なに", "なん"):
            after = after + 1 if text[after:after + 1] in ("が", "の", "を") else -1
        elif word in ("どれくらい", "どのくらい", "どれぐらい", "どのぐらい", "どれだけ"):
            after = after + 1 if text[after:after + 1] == "の" else -1
        elif word in ("誰", "だれ", "どなた"):
            # 「誰の決裁」「誰の承認」: whose approval is asked, the person who gives it.
            after = after + 1 if text[after:after + 1] == "の" else -1
        elif word not in ("どんな", "どの", "どちら", "どっち"):
            after = -1
        noun = next(((a, b) for a, b in nouns if a == after), None)
        if noun is not None:
            found = text[noun[0]:noun[1]]
            return None if found in _JA_MEASURE else found
        end = m.start()
        for a, b in reversed(noun_spans_before(text, end)):
            if not _JA_BETWEEN.fullmatch(text, b, end):
                return None
            if _JA_UNIT.fullmatch(text[a:b]) or _JA_DURING.fullmatch(text[a:b]):
                end = a  # 「役職手当って月いくら」: past the unit to 役職手当
                continue
            if text[b:end] == "の" and word in _JA_WITHIN:
                return None  # 「会社のどこ」: where within the company, not the company
            return _trimmed(text[a:b])
        return None
    # Yes/no: in the last clause, the topic (「仮払いって」) or else the noun the predicate
    # acts on (「レンタカー借りて」), not a means or place (「シュレッダーで」).
    last = max(text.rfind("、"), text.rfind("，"), text.rfind("けど"), text.rfind("…"))
    topic = other = None
    for a, b in nouns:
        if a <= last or _JA_NOT_TOPIC.match(text, b):
            continue
        if re.match(r"(?:って|は)", text[b:]):
            topic = text[a:b]
        else:
            other = text[a:b]
    return topic or other


def _trimmed(noun: str) -> str | None:
    """A noun phrase without a leading 「あと」 (「通報したあと会社の…」)."""
    for lead in ("あと", "後で"):
        if noun.startswith(lead) and len(noun) > len(lead):
            noun = noun[len(lead):]
    return noun if _usable(noun) else None


# "charged for paper statements", "a fee for wires": what the charge is for. "comes with
# purchase protection", "include lounge access": what a yes/no question asks is there.
_EN_OBJECT = r"(?:the\s+|a\s+|an\s+|any\s+|my\s+)?([a-z][\w-]*(?:\s+[a-z][\w-]*){0,2}?)"
_EN_END = r"(?=\s+(?:on|at|with|in|for|from|to|if|when|under|or|and|like)\b|\s*[?.,!]|\s*$)"
_EN_EITHER = re.compile(r"\s+(?:or|and)\b")
_EN_PER = re.compile(r"\bhow much\b.*?\bper\s+(?!diem\b)([a-z][a-z-]{2,})\b", re.I)
_EN_TIME_UNIT = _words("day days week weeks month months year years night nights hour hours "
                       "minute minutes annum person")
_EN_PRONOUN = _words("it them this that one ones anything something everything")
_EN_CHARGED_FOR = re.compile(
    rf"\b(?:charged?|charges|fees?|pay|paid)\s+for\s+{_EN_OBJECT}{_EN_END}", re.I)
_EN_COMES_WITH = re.compile(
    rf"\b(?:comes?\s+with|includes?|offers?|provides?|covers?|reimburses?|pays?\s+for|"
    rf"allows?)\s+{_EN_OBJECT}{_EN_END}", re.I)
# "do i get lounge access with the card": what comes with it
_EN_GET_WITH = re.compile(rf"\b(?:do|does|will|can)\s+(?:i|we|you|they|he|she)\s+get\s+"
                          rf"{_EN_OBJECT}(?=\s+with\b)", re.I)
# "gym memberships or anything wellness-y": a vague tail, not a second thing asked about
_EN_VAGUE_TAIL = re.compile(r"\s+or\s+(?:anything|something|similar|the like|so)\b", re.I)


def _en_focus(text: str, answer_type: str) -> str | None:
    for pattern in (_EN_CHARGED_FOR, _EN_COMES_WITH, _EN_GET_WITH):
        m = pattern.search(text)
        if m is None or m.group(1).split()[0].lower() in _EN_STOP | _EN_PRONOUN:
            continue
        if _EN_EITHER.match(text, m.end()) and not _EN_VAGUE_TAIL.match(text, m.end()):
            return None  # "lounge access or travel insurance": either one answers
        return m.group(1)
    which = _EN_WHICH.search(text)
    if which is not None and which.group(1) not in _EN_STOP and not _EN_VERB_NEXT.match(
            text, which.end()):
        return which.group(1)  # "which networks count toward…": the networks
    if answer_type not in ("amount", "count", "time"):
        return None
    for m in _EN_PHRASE.finditer(text):
        if m.group(2)[:1].isupper():
            continue  # part of a name ("the Silver Rewards Card")
        words = m.group(1).split()
        kept: list[str] = []
        for w in reversed(words):
            if w.lower() in _EN_STOP or w[:1].isupper() or w.lower() in _EN_PREPOSITION:
                break  # names are judged on their own; articles end the phrase
            kept.insert(0, w)
        before = [w.lower().strip(",:;") for w in text[:m.start(2)].split()][:-len(kept) or None]
        while before and before[-1] in ("a", "an", "the", "my", "our", "your", "each", "every"):
            before.pop()
        last = before[-1] if before else ""
        if last in _EN_PREPOSITION or last == "no" or any(w.lower() in _EN_SUBJECT for w in kept) \
                or (not kept and last in _EN_SUBJECT):
            continue  # a qualifier, a negation, or the kind used as a verb
        return " ".join([*kept, m.group(2)])
    # "how much per claim?": an amount counted per something other than time is an
    # amount of that thing.
    m = _EN_PER.search(text) if answer_type == "amount" else None
    return m.group(1) if m is not None and m.group(1).lower() not in _EN_TIME_UNIT else None
