"""Rule-based planning: split a question into sub-questions (English and Japanese).

Statements ("I am a section manager.") become context for every sub-question.
Questions split at sentence ends, at "…, and who/what/how…" (English) and at
clauses carrying their own question word (Japanese: 「誰の承認が必要で、書類はいつ…」).
Comparisons ("A versus B", "A or B", 「AとB」) become one sub-question per side.
Each sub-question gets an answer type (amount, count, time, person, yesno,
method, general) that evidence scoring uses.
"""

from __future__ import annotations

import re

from cristal.knowledge import split_sentences
from cristal.knowledge.ja import detect_lang, noun_spans
from cristal.research._focus import _EN_PREPOSITION, _EN_PRONOUN, _EN_STOP
from cristal.research._ranges import amounts
from cristal.research._types import SubQuestion

__all__ = ["DEMONSTRATIVES", "answer_type", "entities", "plan_rules"]

# Words that point back at what was said before (「その会議」): they name nothing themselves.
DEMONSTRATIVES = ("その", "この", "あの")

_EN_WH = (r"who|whom|whose|what|what's|which|when|where|why|how|is|are|does|do|did|can|"
          r"could|will|would|should|must|may|am")
_EN_SPLIT = re.compile(rf"(?:,\s*|;\s*|\s+)(?:and|but|also)\s+(?=(?:{_EN_WH})\b)", re.I)
_EN_QUESTION_START = re.compile(rf"^\s*(?:{_EN_WH}|for\b|in\b|on\b|if\b)", re.I)
# Between the two sides of a comparison: "… the A versus the B", "… a A, compared with a B".
_EN_COMPARE = re.compile(r",?\s+(?:versus|vs\.?|compared (?:with|to)|or|and)\s+"
                         r"(?:(?:the|a|an|my|our|your)\s+)?", re.I)
# A name's words are Latin letters and digits: Japanese right after one (「MINATO Boxで社外に」)
# is not part of it.
_NAME_CHAR = r"(?:[^\W\u3000-\u9fff\uf900-\ufaff\uff00-\uffef]|['’-])"
_EN_ENTITY = re.compile(
    rf"(?:the\s+)?(?:[A-Z]{_NAME_CHAR}*)(?:\s+(?:[A-Z]{_NAME_CHAR}*|\d{_NAME_CHAR}*|"
    r"savings|checking|business|credit|account|accounts|card|cards|plan|plans|program|"
    r"policy|loan))*"
)
_EN_NOT_ENTITY = frozenset({
    "What", "Which", "Who", "Whom", "Whose", "When", "Where", "Why", "How", "Does", "Do",
    "Did", "Is", "Are", "Can", "Could", "Will", "Would", "Should", "Must", "May", "For", "The",
    "A", "An", "I", "In", "On", "If", "And", "Or", "My", "Our", "Your", "We", "You",
    "Under", "According", "Per", "Regarding", "As", "At", "By", "With", "From", "To", "Of",
    "Please", "Tell", "Also", "But", "Then", "After", "Before", "During", "Since",
})
_EN_WORD = re.compile(r"[A-Za-z]{2,}")
# People type questions in lower case: "i have blue and purple checking. whats the fee?"
# is two sentences, though the splitter wants a capital after the period.
_EN_LOWER_BREAK = re.compile(r"(?<=[a-z0-9)][.!?])\s+(?=[a-z])")
_EN_FUNCTION = _EN_STOP | _EN_PREPOSITION | _EN_PRONOUN | frozenset(
    ("where", "who", "why", "i", "im", "i'm", "me", "we", "you", "he", "she", "they",
     "them", "of", "with", "but", "so", "if", "to"))


_EN_BACK = frozenset(("that", "this", "it", "those", "these", "her", "him", "them", "there"))


def _lower_break(sentence: str) -> list[str]:
    """A sentence cut where a period is followed by a lower-case word, unless the part
    after says little and points back ("what's that gonna cost me to fix?" needs the
    sentence before: it is the question's substance, not its background)."""
    parts = _EN_LOWER_BREAK.split(sentence)
    out = [parts[0]]
    for part in parts[1:]:
        words = re.findall(r"[a-z][a-z'-]*", part.lower())
        content = [w for w in words if w not in _EN_FUNCTION]
        if len(content) <= 2 and _EN_BACK.intersection(words):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return out
_ABBREVIATION = re.compile(r"\b(?:Co|Ltd|Inc|Corp|No|Mr|Ms|Mrs|Dr|St|vs|approx|e\.g|i\.e)\.$")
_GLOSS = re.compile(r"[（(][^（）()]*[）)]")
_KEPT_COMMA = "\ue000"  # a private-use character (a question holding one is split as is)
_EN_SENTENCE_START = re.compile(r"(?:^|[.?!:;]\s+)$")
_EN_COMPARATIVE = re.compile(
    r"\b(?:versus|vs\.?|compared (?:with|to)|higher|lower|more|less|better|worse|cheaper|"
    r"difference|differ)\b", re.I)

_JA_SENTENCE = re.compile(r"[^。？！?!]+[。？！?!]*")
# Words that ask an open question (who, what, how…); a question is also marked by its
# ending (「ですか」) or 可否 (whether).
# Not in the words that only contain one: どうしても (no matter what), いつも (always),
# 何とか (somehow), 「出張なんだけど」 (なん of な+の).
_JA_OPEN_QWORD = re.compile(
    r"誰|だれ|どなた|何(?!とか|となく)|なに|いつ(?!も)|どこ|どちら|どの|どう(?!しても|せ|ぞ)|"
    r"どれ|どんな|いくら|幾ら")
_JA_QWORD = re.compile(
    _JA_OPEN_QWORD.pattern + r"|なん(?!だ(?!っけ)|です|とか|か)|可否|か[？?]?$|ますか|ですか|"
    r"でしょうか")
_JA_TAG = re.compile(r"(?:じゃん|でしょ|だろ)[？?]$")
# A comma between digits is a thousands separator (「1,500万円」), not a clause break.
_JA_CLAUSE = re.compile(r"(?:[^、，,]|(?<=\d),(?=\d{3}))+(?:[、，,]|$)")
# A lead clause ending in a connective like these tells the background (「…したいのですが、」
# 「…ないんだけど、」); others (「…するには、」「…の場合、」) are the question's own topic.
_BACKGROUND = ("が", "けど", "けれど", "けれども", "ので", "から", "て", "で")
# 「AとBでそれぞれ」「AとBでは」「AとBの違い」: each side is a noun phrase with no particle.
_JA_COMPARE = re.compile(
    r"(?P<a>[^、。，,はがをにでと「」]{1,30})と(?P<b>[^、。，,はがをにでと「」]{1,30}?)"
    r"(?=では|(?:で|の|を|は)?(?:それぞれ|違い|どちら|比べ|比較|差))")

_TYPES: list[tuple[str, re.Pattern[str]]] = [
    ("count", re.compile(
        r"\bhow many\b|\bnumber of\b|\bscore\b|\bminimum\b|\bmaximum\b|\blength\b|"
        r"何(?:件|回|日|台|点|人|名|文字|か所|箇所|社|年|時間|週|ヶ月|か月|カ月|"
        r"[A-Za-z]{1,3}(?![A-Za-z]))|いくつ|"
        # a measure (「本体の重さってどれくらい」, "how heavy is it"): only a number answers
        r"(?:重さ|重量|大きさ|サイズ|長さ|高さ|幅|奥行き?|容量|距離|広さ|面積|寸法|温度)"
        r"(?:って|は|が|の)?(?:どれくらい|どのくらい|どれぐらい|どのぐらい|いくつ)|"
        r"\bhow (?:heavy|big|tall|wide|large|deep|far)\b", re.I)),
    ("amount", re.compile(
        r"\bhow much\b|\bcost\b|\bfees?\b|\bprice\b|\bcharge[sd]?\b|\brates?\b|\bapr\b|\bapy\b|"
        r"\bbalance\b|\bspend\b|\blimit\b|\bpercent|\bbonus|\bpay(?:s|out)?\b|\breimburse|"
        r"\ballowance\b|\bbudgets?\b|"
        r"いくら|幾ら|金額|費用|手数料|料金|額|円|日当|手当|単価|何円|何%|何％|上限|限度|"
        r"予算", re.I)),
    ("time", re.compile(
        r"\bwhen\b|\bhow long\b|\bhow soon\b|\bdeadline\b|\bby when\b|\bwithin\b|\bdays?\b|"
        r"\bhow far (?:ahead|in advance)\b|\bhow early\b|"
        r"いつ|期限|締め切り|締切|までに|何日|どれくらいの(?:期間|間隔)|間隔|何時|猶予|何月|"
        r"どの(?:タイミング|時期|時点)", re.I)),
    ("person", re.compile(
        r"\bwho\b|\bwhom\b|\bapprov\w*|\bcontact\b|\bwhich (?:team|department|role|person)\b|"
        r"誰|だれ|どなた|承認|連絡|決裁|どこに(?:連絡|報告|相談)|担当", re.I)),
    ("method", re.compile(r"\bhow (?:do|can|should)\b|\bwhich (?:method|way)\b|方法|どうやって|"
                          r"どのように|手順", re.I)),
    ("yesno", re.compile(r"^\s*(?:is|are|does|do|did|can|could|will|would|should|must|may|am)\b|"
                         r"(?:ますか|ですか|できますか|でしょうか)[？?]?$", re.I)),
]


def answer_type(text: str) -> str:
    """The kind of answer a (sub-)question asks for.

    An amount the question states (「60万円の発注は誰の承認？」) is given, not asked.
    """
    text = _without_amounts(text)
    for name, pattern in _TYPES:
        if name == "yesno" and _JA_OPEN_QWORD.search(text):
            continue  # 「どう扱われますか」 asks how, not whether
        m = pattern.search(text)
        if m is None:
            continue
        if name == "amount" and _EN_PAYS.fullmatch(m.group(0)) and \
                _YESNO.search(text) and not pattern.search(text, m.end()):
            return "yesno"  # "does the office reimburse gym memberships": whether, not how much
        return name
    return "general"


_EN_PAYS = re.compile(r"pay|pays|reimburse|spend", re.I)
_YESNO = dict(_TYPES)["yesno"]


# The topic before は, について, の場合, or colloquial って after a noun (「評価っていつ」;
# not the って of a verb, 「やってる」).
_JA_TOPIC = re.compile(r"([\w\u30a0-\u30ff\u4e00-\u9fff（）()・ー-]{2,20}?)(?:は|について|の場合|"
                       r"(?<=[\u30a0-\u30ff\u4e00-\u9fffA-Za-z0-9）)])って)")
_CODE = re.compile(r"[A-Za-z]{1,6}-?\d{2,6}[A-Za-z]?|[A-Z]{2,}\d*")


# A number with its counter (「3,200時間」, 「50km」, "90 days"): a quantity, not a name.
_QUANTITY = re.compile(
    r"\d[\d,.]*\s*(?:万|千|百|億)?\s*(?:時間|日間|日|週間|か月|ヶ月|カ月|年間|年|人|名|件|回|"
    r"km|キロ|kg|%|％|点|歳|分|秒|台|個|枚|社|(?:days?|hours?|years?|months?|weeks?|minutes?|"
    r"miles?|percent)\b)", re.I)


def _without_amounts(text: str) -> str:
    """The text with the amounts of money it states blanked out."""
    for _, _, start, end in reversed(amounts(text)):
        text = text[:start] + " " + text[end:]
    return text


def entities(question: str, lang: str) -> list[str]:
    """Names a sub-question may have left implicit: products, codes, topics.

    A stated amount or quantity (「60万円の発注」, 「3,200時間」, "a $12,000 purchase") is a
    value, not a name.
    """
    question = _QUANTITY.sub(" ", _without_amounts(question))
    found = [m.group(0) for m in _CODE.finditer(question)]
    if lang == "ja":  # 「その会議」 points back at an answer: it names nothing to lend
        found += [m.group(1) for m in _JA_TOPIC.finditer(question)
                  if not m.group(1).startswith(DEMONSTRATIVES)]
    else:
        found += [e for _, _, e in _en_entities(question)]
    return list(dict.fromkeys(f.strip() for f in found if f.strip()))


def _en_entities(text: str) -> list[tuple[int, int, str]]:
    found = []
    for match in _EN_ENTITY.finditer(text):
        words = match.group(0).split()
        core = [w for w in words if w.lower() != "the"]
        if not core or core[0] in _EN_NOT_ENTITY:
            continue
        if len(words) == 1 and _EN_SENTENCE_START.search(text[:match.start()]):
            continue  # "Taking cash out…": capitalised because it starts the sentence
        found.append((match.start(), match.end(), match.group(0)))
    return found


def _en_compare(question: str) -> list[str]:
    """'… the A versus the B …' → ['… the A …', '… the B …'] (empty when no comparison)."""
    if not _EN_COMPARATIVE.search(question) and not re.search(r"\b(?:or|each|both)\b",
                                                              question, re.I):
        return []
    entities = _en_entities(question)
    for (s1, e1, a), (s2, e2, b) in zip(entities, entities[1:], strict=False):
        if _EN_COMPARE.fullmatch(question[e1:s2]):
            return [question[:s1] + a + question[e2:], question[:s1] + b + question[e2:]]
    return []


def _ja_compare(sentence: str) -> list[str]:
    """「…AとBでそれぞれいくら」 → [「…Aでそれぞれいくら」, 「…Bでそれぞれいくら」] (or empty)."""
    m = _JA_COMPARE.search(sentence)
    if not m:
        return []
    head, tail = sentence[:m.start()], sentence[m.end():]
    a, b = m.group("a"), m.group("b")
    shared = b[b.index("の"):] if "の" in b[1:] else ""  # 「課長と部長の日当」: both sides' 日当
    return [head + a + shared + tail, head + b + tail]


_JA_ASKS_AFTER = re.compile(r"(?:って|は)[^、。，,？?]{0,12}?(?:いくら|幾ら|いつ|何|誰|どれくらい|"
                            r"どのくらい|どれぐらい|どこ)")


def _ja_coordination(sentence: str) -> list[str]:
    """「ホテル代の上限と日当っていくら」 → [「ホテル代の上限っていくら」, 「日当っていくら」]:
    two noun phrases joined by と and asked about together (or empty). A phrase runs
    across の (「介護の休業」); what follows the second's の is shared by both
    (「育児と介護の休業」: 育児の休業, 介護の休業)."""
    spans = noun_spans(sentence)
    ends = {b: a for a, b in spans}
    starts = {a: b for a, b in spans}
    for i, char in enumerate(sentence):
        if char != "と" or i not in ends or i + 1 not in starts:
            continue
        a0 = ends[i]
        while sentence[a0 - 1:a0] == "の" and a0 - 1 in ends:
            a0 = ends[a0 - 1]
        b_first = b1 = starts[i + 1]
        while sentence[b1:b1 + 1] == "の" and b1 + 1 in starts:
            b1 = starts[b1 + 1]
        if not _JA_ASKS_AFTER.match(sentence, b1):
            continue
        shared = sentence[b_first:b1] if b_first < b1 else ""
        return [sentence[:i] + shared + sentence[b1:], sentence[:a0] + sentence[i + 1:]]
    return []


def _split_en(question: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Context sentences, and the questions asked with the sentence each came from."""
    context: list[str] = []
    parts: list[tuple[str, str]] = []
    sentences: list[str] = []
    pieces = [p for a, b in split_sentences(question)
              for p in _lower_break(question[a:b].strip())]
    for sentence in (p.strip() for p in pieces):
        if sentences and _ABBREVIATION.search(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {sentence}"  # "Hokuto Co., Ltd. (…)'s policy"
        elif sentence:
            sentences.append(sentence)
    for sentence in sentences:
        if not sentence.endswith("?") and not _EN_QUESTION_START.match(sentence):
            context.append(sentence)
            continue
        if parts and not _EN_WORD.search(_GLOSS.sub(" ", sentence)):
            # "… Co., Ltd. (株式会社緑製薬)?": a gloss cut off by the abbreviation's period
            parts[-1] = (f"{parts[-1][0]} {sentence}", f"{parts[-1][1]} {sentence}")
            continue
        # A comparison multiplies every question of its sentence: "A versus B: how long
        # does each take and what is the limit?" asks both things of both sides.
        for variant in _en_compare(sentence) or [sentence]:
            pieces = [p.strip(" ,;") for p in _EN_SPLIT.split(variant) if p.strip(" ,;")]
            parts.extend((piece, variant) for piece in pieces)
    return context, parts


def _split_ja(question: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Context sentences, and the questions asked with the sentence each came from."""
    context: list[str] = []
    parts: list[tuple[str, str]] = []
    sentences = [s.strip() for s in _JA_SENTENCE.findall(question) if s.strip()]
    for i, sentence in enumerate(sentences):
        is_question = sentence.endswith(("？", "?")) or _JA_QWORD.search(sentence)
        # 「反社チェックするじゃん？怪しかったらどこに…」: a tag question before the
        # question tells what the asker takes as known.
        told = _JA_TAG.search(sentence) and not _JA_OPEN_QWORD.search(sentence) and \
            i + 1 < len(sentences)
        if not is_question or told:
            context.append(sentence)
            continue
        for variant in _ja_compare(sentence) or _ja_coordination(sentence) or [sentence]:
            lead, asked = _ja_clauses(variant)
            if lead and asked:  # a question with no question word is all lead: keep it whole
                context.append("、".join(lead))
            parts.extend((piece, variant) for piece in asked or [variant])
    return list(dict.fromkeys(context)), parts


def _ja_clauses(sentence: str) -> tuple[list[str], list[str]]:
    """(lead clauses that are background, the clauses that ask) of one question sentence."""
    # A comma inside brackets is part of a gloss (「白鷺建設（Shirasagi Co., Ltd.）」), not a
    # clause break: it is kept out of the split and put back as written.
    kept = _KEPT_COMMA not in sentence
    if kept:
        sentence = _GLOSS.sub(lambda m: m.group(0).replace(",", _KEPT_COMMA), sentence)
    clauses = [c.strip("、，, ").replace(_KEPT_COMMA, ",") if kept else c.strip("、，, ")
               for c in _JA_CLAUSE.findall(sentence) if c.strip("、，, ")]
    lead: list[str] = []
    asked: list[str] = []
    for clause in clauses:
        if _JA_QWORD.search(clause) and not clause.endswith(("が", "けど", "ので", "のですが")):
            asked.append(clause)
        elif asked:
            asked[-1] = asked[-1] + "、" + clause
        else:
            lead.append(clause)
    if not asked and len(lead) > 1 and lead[-2].endswith(_BACKGROUND) and \
            not _topic(lead[-2]) and sentence.endswith(("？", "?")):
        # 「在宅手当もらってるけど、家のネット代って別に請求できるの？」: a yes/no question
        # after background; the background is not what is asked (手当 does not make it
        # ask for an amount).
        asked = [lead.pop()]
        return lead, asked
    background = bool(lead) and lead[-1].endswith(_BACKGROUND) and not _topic(lead[-1])
    if lead and len(asked) == 1 and not background:
        # 「係長から課長へ昇格するには、どんな要件が…」: the lead clause is the topic of
        # the one question, not shared context; keep the sentence whole.
        return [], ["、".join([*lead, *asked])]
    return lead, asked


# A follow-up that names nothing of its own: question words, fillers and units ("how
# much?", "like how many days", 「いくら？」「何日くらい？」).
_EN_FOLLOW_UP = re.compile(
    r"(?:\s|[?,.!]|\b(?:and|so|like|also|then|how|much|many|long|often|soon|what|when|"
    r"where|who|which|is|it|that|this|the|a|an|about|exactly|roughly|max|maximum|"
    r"minimum|days?|weeks?|months?|years?|hours?|times?|percent|dollars?|yen)\b)*", re.I)
_JA_FOLLOW_UP = re.compile(
    r"(?:\s|[？?、。！!]|それ|で|じゃあ|あと|って|は|が|の|に|を|も|か|よ|ね|な|だ|です|ます|"
    r"でしょう|くらい|ぐらい|まで|いくら|幾ら|何|なん|日|円|回|件|年|時間)*")


def _merge_follow_ups(parts: list[tuple[str, str]], lang: str) -> list[tuple[str, str]]:
    """A follow-up to a yes/no question asks the same thing ("do I get charged for paper
    statements? how much?"): it joins that question instead of standing alone."""
    pattern = _JA_FOLLOW_UP if lang == "ja" else _EN_FOLLOW_UP
    whether = dict(_TYPES)["yesno"]
    out: list[tuple[str, str]] = []
    for part, scope in parts:
        if out and pattern.fullmatch(part.strip()) and whether.search(out[-1][0].strip()):
            out[-1] = (f"{out[-1][0]} {part}", out[-1][1])
        else:
            out.append((part, scope))
    return out


def _topic(clause: str) -> bool:
    """True for 「…の精算って」: って after a noun marks the topic; after a verb
    (「使って」「帰ってきて」) it is a connective telling the background."""
    if not clause.endswith("って"):
        return False
    end = len(clause) - 2
    return any(stop == end for _, stop in noun_spans(clause))


def plan_rules(question: str, lang: str | None = None) -> list[SubQuestion]:
    """Sub-questions for `question` without a model; always at least one."""
    lang = lang or detect_lang(question)
    context, parts = _split_ja(question) if lang == "ja" else _split_en(question)
    if not parts:
        parts = [(question.strip(), question.strip())]
    parts = _merge_follow_ups(parts, lang)
    joined_context = " ".join(context)
    names = entities(question, lang)
    subs: list[SubQuestion] = []
    seen: set[tuple[str, str]] = set()
    for part, scope in parts:
        # A sub-question that names nothing ("who approves waivers?") borrows the names of
        # its own sentence (one side of a comparison), else of the whole question; one
        # that names its own subject does not.
        own = entities(part, lang)
        lent = entities(scope, lang) or names
        missing = [] if own else [n for n in lent if n not in part and n not in joined_context]
        extra = " ".join([joined_context, *missing]).strip()
        if (part, extra) in seen:
            continue
        seen.add((part, extra))
        query = f"{extra} {part}".strip() if extra else part
        subs.append(SubQuestion(id=f"q{len(subs) + 1}", text=part, query=query,
                                answer_type=answer_type(part), context=extra, lent=missing))
    return subs
