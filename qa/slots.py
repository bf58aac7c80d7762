"""What a question asks for (its slot) and where the evidence holds a value of that kind.

    slot = asked_slot("好差评收到差评后，要在几个工作日内整改完毕？")   # Slot("duration")
    match = find_slot_value(slot, coverage, texts, question)   # the value sentence bound to the question

A question asking for a deadline is only answered by a passage that states a deadline next to
the question's topic; a passage about the topic that gives none is a near miss (a partial
answer), and a deadline elsewhere in the passage answers a different question. Pure functions:
`coverage` is any text -> [0, 1] score of how much of the question a text holds (qa.rerank).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from vectorstore.sentences import sentence_spans
from vectorstore.text import fold

# Kinds whose answer is a value that can be looked for in the evidence.
VALUE_KINDS = frozenset({"count", "amount", "percent", "duration", "date", "article",
                         "doc_number", "rank", "entity", "list"})

# What the answer lacks, when the topic is found but no value of the kind is (a partial answer).
MISSING = {
    "count": "给出具体数量",
    "amount": "给出具体金额或标准",
    "percent": "给出具体比例",
    "duration": "规定具体时限",
    "date": "说明具体时间",
    "article": "说明具体是哪一条",
    "doc_number": "给出文件的文号",
    "rank": "给出具体名次或等次",
    "entity": "点出具体名称",
    "list": "逐项列出",
}
# What the answer lacks for the narrower kinds of entity and date a question may ask (Slot.unit).
_MISSING_UNIT = {
    "phone": "给出电话号码",
    "person": "点出具体是谁",
    "org": "点出具体是哪个单位",
    "place": "点出具体地方",
    "day": "说明具体日期",
    "year": "说明具体年份",
    "level": "说明具体级别",
    "url": "给出网址",
}

_CN = "零〇一二两三四五六七八九十百千万亿"
_NUM = rf"(?:[0-9]+(?:\.[0-9]+)?|[{_CN}]+|半)"
_CN_VALUE = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
             "九": 9, "十": 10}

# The question's asking phrase for each kind, tried in this order (first match wins).
_ASKS: tuple[tuple[str, re.Pattern], ...] = tuple((k, re.compile(p)) for k, p in (
    ("which_speech", r"哪一?篇|哪几篇|哪些讲话|哪次讲话|哪个讲话|出处|哪份讲话|哪场"),
    ("place", r"在哪儿|在哪里|去哪儿?|到哪儿?|哪儿|什么地方办|在哪办"),
    ("article", r"第几条|哪一?条(?!路|线|街)|哪个条款|条款号|第几款"),
    ("doc_number", r"文号|发文字号|几号文|文件号"),
    ("rank", r"第几|排名|名次|什么档次|哪一?档|几等|什么等次|什么等级|哪个等级"
             r"|(?:什么|哪个|哪一?)级别"),
    ("percent", r"百分之几|百分比|比例|占比|比率|几成|[^\s，。]率(?:是|为|达到|达|有)?(?:多少|几)|多少%"),
    ("amount", r"多少钱|金额|多少元|多少万(?![条件个项人次户家名座])|费用(?:是|为|有|要)?多少|多少费用"
               r"|额度(?:是|为|有)?多少|多少额度|补贴标准|补助标准|奖励标准|标准是多少|多少经费"
               r"|资金(?:是|有|达到)?多少|投资(?:了|额)?多少|花了?多少|扶持多少|补贴多少|补助多少"
               r"|(?:奖金|罚款|工资|薪酬|赔偿金|补偿金)(?:是|有|为)?多少|多少(?:奖金|罚款|工资|薪酬|赔偿|补偿)"),
    ("duration", r"几个?工作日|多少个?工作日|几天|多少天|多久|多长时间|多长|时限|期限|几个?小时"
                 r"|多少个?小时|几分钟|多少分钟|几个月|多少个月|几周|多少年内|几年内|办结要|多快"
                 r"|(?:干|做|工作|任职|坚持|开展|实施|运行)了?(?:几|多少)个?年"),
    ("date", r"哪一?年|哪年|什么时候|何时|几月|哪一?天|哪个月|日期|年份|什么时间|哪个时间|时间节点"
             r"|哪一?年度|始于"
             r"|起始|几号(?!文)"),
    ("url", r"网址|网站地址|网页地址|域名|链接地址"),
    ("phone", r"(?:电话|号码|热线)(?:是|为)?(?:多少|几号)|(?:什么|哪个|哪些)(?:电话|号码)|联系方式"
              r"|打哪个|拨打(?:什么|哪个|多少)"),
    ("count", r"多少|几分(?!钟)|(?<!哪)几[个项家条名人次回所类批件户座位支只张份台套岁级]|(?<!哪)几$|数量|数目|多大岁数|几岁"
              r"|年龄|排名第几|第几名|多大|规模"),
    ("list", r"哪[几两三四五六七八九十][一二三四五六七八九十]*|包括哪些|包含哪些"
             r"|有哪些|哪些"),
    ("entity", r"谁|哪位|姓名|名字|叫什么|什么名称|名称是|哪[个家](?:部门|单位|平台|机构|网站|系统|app"
               r"|小程序|中心|领导|局|办|银行|公司|媒体|窗口|热线)|什么(?:平台|部门|单位|机构|网站|系统"
               r"|app|小程序|热线|媒体)|由哪|哪个部门|哪家|哪个"),
    ("definition", r"什么意思|是什么|指什么|是指|含义|内涵|怎么理解|何为|什么叫|指的是|啥意思"),
    ("reason", r"为什么|为何|原因|何故|怎么会|根源|根子|为啥"),
    ("measure", r"怎么做|如何|怎样|措施|举措|办法|做法|怎么办|采取|怎么|咋"),
))

# A value of each kind in a (folded) sentence.
_COUNT_UNITS = "个项件家名人次回所类批条户座台套位支只张份本岁级栋层间辆宗例单"
_VALUES: dict[str, re.Pattern] = {k: re.compile(p) for k, p in {
    "count": rf"{_NUM}\s*(?:万|亿)?\s*(?:余|多)?\s*(?:人次|[{_COUNT_UNITS}]|周岁)|[0-9]+(?:\.[0-9]+)?\s*分(?![钟之])"
             r"|(?<![0-9.])(?!(?:19|20)[0-9]{2}(?:年|[^0-9]|$))[0-9]{2,}(?![0-9.]*\s*[年月日%])"
             r"(?![x×*])|(?<![一二十])[两三四五六七八九]大(?=[\u4e00-\u9fff])",
    "amount": rf"{_NUM}\s*(?:万|亿|千)?\s*(?:余|多)?\s*元",
    "percent": rf"[0-9]+(?:\.[0-9]+)?\s*%|百分之[{_CN}0-9]+|{_NUM}\s*个百分点|[{_CN}]成(?:以上|左右)?",
    "duration": rf"{_NUM}\s*(?:个)?\s*(?:工作日|自然日|天|日(?![报期常])|小时|分钟|个月|周|星期)"
                rf"|(?<![0-9])(?:[0-9]{{1,2}}|[{_CN}]{{1,3}})\s*(?:多|余)?\s*(?:个)?年(?![度底初中末份])"
                r"|当天|当日|即时|立等可取|当场|秒批|秒办|每(?:个)?(?:年|月|季度?|周|星期|天|日|学期|半年)",
    "date": rf"(?:19|20)[0-9]{{2}}\s*年|[0-9]{{1,2}}月[0-9]{{1,2}}日|[{_CN}]{{1,3}}月[{_CN}]{{1,3}}日"
            r"|[今去前明]年",
    "article": rf"第{_NUM}条|第{_NUM}款",
    "doc_number": r"[〔\[［（(【]\s*(?:19|20)[0-9]{2}\s*[〕\]］）)】]\s*[0-9]+\s*号",
    "rank": r"第[0-9一二三四五六七八九十]+(?:名|位)?|前[0-9一二三四五六七八九十]+名|首位|前列|末位|倒数"
            r"|[优良好一二三四]等|[a-d][档级]|优秀|良好|合格|满分",
    "entity": r"“[^”]{2,20}”|《[^》]{2,40}》|[\u4e00-\u9fffa-z0-9]{2,8}(?:平台|政务服务网|网站|app|小程序|热线"
              r"|系统|公司|银行)|[县市省区州镇乡][\u4e00-\u9fff]{1,8}(?:局|委员会|办公室|中心|厅|办|委)"
              r"|[\u4e00-\u9fff]{1,4}(?:书记|县长|市长|主任|局长|同志)",
    "list": r"一是|二是|[（(][一二三四五六七八九十][）)]|第[一二三四五六七八九十]|[0-9][.、．]"
            r"|[^、，。；]{1,12}、[^、，。；]{1,12}、",
}.items()}


# The narrower thing an entity or date question asks for (Slot.unit), and the values that give
# it: "哪个部门牵头" wants a body, not any quoted name; "几月几号开的" a day, not a year.
_NARROWER: dict[str, tuple[tuple[str, re.Pattern], ...]] = {
    "entity": tuple((u, re.compile(p)) for u, p in (
        ("person", r"哪位|姓名"),
        ("org", r"哪(?:个|家|些)?(?:部门|单位|机构|企业|公司)|什么(?:部门|单位|机构)|哪个[局委办厅]"),
        ("place", r"哪(?:个|些)?(?:省|市|县|区|乡|镇|村)(?![\u4e00-\u9fff]{0,1}(?:长|委|级|里|政府))"),
    )),
    "rank": (("level", re.compile(r"级别")),),
    "date": tuple((u, re.compile(p)) for u, p in (
        ("day", r"几月几[号日]|哪一?天|哪天|几号(?!文)|哪一?日|具体日期"),
        ("year", r"哪一?年(?!级)|哪年|年份|哪一?年度"),
    )),
}
_UNIT_VALUES: dict[str, re.Pattern] = {u: re.compile(p) for u, p in {
    "phone": r"(?<![0-9])(?:[0-9]{3,4}-)?[0-9]{5,}(?![0-9])",
    "person": r"[\u4e00-\u9fff]{1,4}(?:书记|县长|市长|省长|区长|镇长|乡长|主任|局长|厅长|部长|处长|科长"
              r"|主席|总理|同志|先生|女士)",
    "org": r"[\u4e00-\u9fff]{1,12}(?:(?<![困格大全布结僵变开新残时败棋饭骗胜终])局|委员会|办公室|中心|厅|委"
           r"|部门|政府|银行|机构|公司|集团|领导小组|协会)",
    "place": r"(?:(?![全我本该各每此])[\u4e00-\u9fff]){2,4}(?:省|市|县|区|州|乡|镇|村)",
    "day": rf"[0-9{_CN}]{{1,3}}\s*月\s*[0-9{_CN}]{{1,3}}\s*[日号]",
    "year": r"(?:19|20)[0-9]{2}\s*年|[今去前明]年",
    "level": r"[正副]?(?:科|处|厅|局|部|乡科|县处|司局)级|(?:国家|省|市|县|区|乡镇?)级",
    "url": r"(?:https?://|www\.)[a-z0-9./_-]+"
           r"|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:gov\.cn|com|cn|net|org)\b",
}.items()}

# The units a duration value may use when the question names one.
_UNIT_FAMILY = {"工作日": "工作日|日|天", "天": "天|日|工作日", "小时": "小时|天|日", "分钟": "分钟|小时",
                "月": "月", "周": "周|星期", "星期": "周|星期", "年": "年"}
# The units a count value may use when the question names one ("加几分", "有多少家"); a question
# asking "几个" names no particular unit (个 stands for any), nor does one without a unit.
# 个 is the general classifier of things: "两个文件" answers "几份文件", but no score or age.
_COUNT_FAMILY = {"家": "家|户|个", "户": "户|家", "人": "人|名|位|人次", "名": "名|人|位", "位": "位|名|人",
                 "项": "项|件|个", "件": "件|项|个", "次": "次|人次|回", "回": "回|次", "分": "分", "岁": "岁",
                 "条": "条|个", "批": "批|个", "所": "所|个", "座": "座|个", "台": "台|套|个",
                 "套": "套|台|个", "张": "张|份|个", "份": "份|张|个", "本": "本|个", "支": "支|个",
                 "类": "类|种|个", "级": "级", "例": "例|个"}
_COUNT_ASKED_UNIT = re.compile(r"(?:几|多少)\s*(?:万|亿|千|百)?\s*(?:多|余)?\s*(周岁|岁|[家户人名位项件次回分条批所座台套张份本支类级例])")
# Kinds whose values, when the question itself names them ("《条例》"), are its topic.
_TOPIC_VALUES = frozenset({"entity", "date", "list", "doc_number", "article", "count"})


def chinese_number(text: str) -> int:
    """Return the value of a small Chinese numeral ("四" 4, "十一" 11, "二十" 20), 0 if none."""
    if not text or any(ch not in _CN_VALUE for ch in text):
        return 0
    if "十" not in text:
        return _CN_VALUE[text[-1]]
    tens, _, units = text.partition("十")
    return (_CN_VALUE[tens] if tens else 1) * 10 + (_CN_VALUE[units] if units else 0)


@dataclass(frozen=True)
class Slot:
    """What a question asks for: kind (see VALUE_KINDS and the _ASKS table), and for a list
    the number of items asked for (哪四个 -> 4), else 0."""

    kind: str
    items: int = 0
    unit: str = ""  # duration or count: the unit asked in ("工作日", "家"), a value must use its family

    @property
    def missing(self) -> str:
        """Return what an answer lacks when the speeches hold no value of this slot ("给出具体数量")."""
        return _MISSING_UNIT.get(self.unit) or MISSING[self.kind]

    @property
    def has_value(self) -> bool:
        """Return True when the answer is a value that can be looked for in the evidence. A list
        of no stated size ("有哪些措施") is not: its items are often one sentence's clauses or a
        single measure, with no mark to look for; a list of N (哪四个) is."""
        return self.kind in VALUE_KINDS and not (self.kind == "list" and not self.items)


@dataclass(frozen=True)
class SlotMatch:
    """A sentence holding a value of the asked kind: texts[text].[start:end], the value, and
    the coverage of the question by that sentence with its neighbours (the binding)."""

    text: int
    start: int
    end: int
    value: str
    binding: float


def asked_slot(question: str) -> Slot:
    """Return the slot a question asks for ("other" when no asking phrase is recognised)."""
    q = fold(question)
    for kind, pattern in _ASKS:
        m = pattern.search(q)
        if m:
            items = 0
            if kind == "list":
                n = re.search(r"哪([两三四五六七八九十][一二三四五六七八九十]*)", m.group())
                items = chinese_number(n.group(1)) if n else 0
            unit = ""
            if kind == "duration":
                u = re.search(r"(?:几|多少)个?(工作日|小时|分钟|天|月|周|星期|年)", q)
                unit = u.group(1) if u else ""
            elif kind == "count":
                u = _COUNT_ASKED_UNIT.search(q)
                unit = u.group(1).replace("周岁", "岁") if u else ""
            elif kind in ("phone", "url"):
                kind, unit = "entity", kind
            elif kind in _NARROWER:
                unit = next((u for u, p in _NARROWER[kind] if p.search(q)), "")
            return Slot(kind, items, unit)
    return Slot("other")


def values_in(kind: str, sentence: str, unit: str = "") -> list[str]:
    """Return the values of a kind in a sentence (none for kinds without a value); unit: the
    narrower entity or date asked (Slot.unit), whose own values are returned instead."""
    pattern = _UNIT_VALUES.get(unit) if kind in _NARROWER else None
    pattern = pattern or _VALUES.get(kind)
    if pattern is None:
        return []
    found = [m.group() for m in pattern.finditer(fold(sentence))]
    if kind == "list":
        return found
    if kind == "count":
        # "一是" / "一个" in running text is rarely a count; keep Chinese "一" only before a unit
        # that a count question names ("一名" answers "几名").
        found = [v for v in found if not re.fullmatch(r"一\s*\S", v)]
        # "千家万户", or "X万余条" with the figure blanked: 百/千/万/亿 alone is no number.
        found = [v for v in found if not re.match(r"[百千万亿]", v)]
    return found


def _sentences(text: str) -> list[tuple[int, int]]:
    return [(a, b) for a, b in sentence_spans(text) if text[a:b].strip()]


def find_slot_value(
    slot: Slot,
    coverage: Callable[[str], float],
    texts: Sequence[str],
    question: str = "",
) -> SlotMatch | None:
    """Return the sentence of texts holding a value of the slot's kind that is bound best to the
    question, or None (also for a slot without a value).

    A value's binding is the question coverage of its sentence together with the sentences
    before and after it (the topic is often named in one sentence and the figure given in the
    next); ties go to the earlier text (better retrieved) and the earlier sentence. A value the
    question itself contains ("《条例》", "2023年") is the topic, not the answer."""
    if not slot.has_value:
        return None
    best: SlotMatch | None = None
    asked = fold(question)
    for ti, text in enumerate(texts):
        spans = _sentences(text)
        folded = [fold(text[a:b]) for a, b in spans]
        for j, (a, b) in enumerate(spans):
            values = [v for v in values_in(slot.kind, text[a:b], slot.unit)
                      if (slot.kind not in _TOPIC_VALUES or v not in asked)
                      and _in_unit(slot, v)]
            if slot.kind == "count" and slot.unit:  # "300条" before "2个" for 几条
                values.sort(key=lambda v: v.endswith("个"))
            if slot.kind == "list" and slot.items:
                if not _lists_enough(text, spans, j, slot.items):
                    continue
            elif not values:
                continue
            window = "".join(folded[max(0, j - 1): j + 2])
            score = coverage(window)
            if best is None or score > best.binding + 1e-9:
                best = SlotMatch(ti, a, b, values[0] if values else "", score)
    return best


def _in_unit(slot: Slot, value: str) -> bool:
    """Return True if value is in the unit the question asks in (any unit when it names none)."""
    if not slot.unit or slot.kind not in ("duration", "count"):
        return True
    family = _UNIT_FAMILY if slot.kind == "duration" else _COUNT_FAMILY
    units = family.get(slot.unit, slot.unit)
    if slot.kind == "count":  # the unit right after the number, not a later word ("3个分中心")
        return re.search(rf"(?:{units})$", value) is not None
    return re.search(units, value) is not None


_QUOTED_ITEM = re.compile(r"“[^“”]{1,12}”")
_ITEM_MARK = re.compile(r"[一二三四五六七八九十]+是|[（(][一二三四五六七八九十]+[）)]"
                        r"|第[一二三四五六七八九十]+[，,、：:]|(?<![0-9])[0-9]{1,2}[.、．]")


def _lists_enough(text: str, spans: Sequence[tuple[int, int]], j: int, items: int) -> bool:
    """Return True if sentence j (with the next ones) enumerates at least `items` things."""
    sentence = fold(text[spans[j][0]:spans[j][1]])
    if sentence.count("、") + 1 >= items:  # commas part clauses, not items
        return True
    if len(_QUOTED_ITEM.findall(sentence)) >= items:  # “一窗通办”“一地通办”…
        return True
    # A sentence that only names the count ("承诺了“十件实事”") lists nothing: the items must
    # follow, one mark each (一是…二是…, （一）…, 第一，…, 1.…).
    following = "".join(fold(text[a:b]) for a, b in spans[j: j + items + 1])
    return len(set(_ITEM_MARK.findall(following))) >= items


def best_window_score(coverage: Callable[[str], float], texts: Sequence[str]) -> float:
    """Return the best coverage of any sentence with its neighbours in texts (same windows as
    find_slot_value, so the two compare)."""
    best = 0.0
    for text in texts:
        spans = _sentences(text)
        folded = [fold(text[a:b]) for a, b in spans]
        for j in range(len(spans)):
            best = max(best, coverage("".join(folded[max(0, j - 1): j + 2])))
    return best


def value_binding(slot: Slot, coverage: Callable[[str], float], texts: Sequence[str],
                  question: str = "") -> tuple[float, SlotMatch | None]:
    """Return (share, match): how well the best value of the slot's kind is bound to the
    question, as a share of the best binding any window of texts reaches (1.0 for a slot
    without a value, 0.0 when no value of the kind occurs), and the value's sentence."""
    if not slot.has_value:
        return 1.0, None
    match = find_slot_value(slot, coverage, texts, question)
    if match is None:
        return 0.0, None
    top = best_window_score(coverage, texts)
    return (match.binding / top if top > 0 else 0.0), match
