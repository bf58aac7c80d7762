"""Query expansion: the policy wording of a question asked in everyday words.

A reader asks "派去政务中心坐窗口的人要多大岁数" where the speech says "窗口工作人员…年龄"; keyword
search and sentence coverage then find none of the question's rarest words, and the evidence
looks absent although the dense search ranks it first. Expansion adds, for each everyday
phrase of the question, the policy words the speeches use for it:

    expander = QueryExpander(EVERYDAY_TO_POLICY, corpus_has)
    expander.expand("坐窗口的人要多大岁数")        # "坐窗口的人要多大岁数 窗口工作人员 年龄 周岁"
    weights = expander.expand_weights(question, term_weights(question, …))

Two sources: the table below (everyday ↔ policy wording, general to 政务服务 and kept out of
any one speech's phrasing), and the corpus's own abbreviations, glossary terms bracketed with
their meaning (“一证一码”（身份证和社会信用代码）), each alternative kept only when a speech uses
it. expand() feeds the keyword searches; expand_weights() lets a question word count as found
in a sentence holding one of its alternatives (qa.rerank coverage, the slot binding).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from qa.rerank import TermWeights
from vectorstore.text import fold

# Everyday phrase -> policy wordings. Keys are matched as substrings of the question.
EVERYDAY_TO_POLICY: dict[str, tuple[str, ...]] = {
    "网上": ("线上", "网上办", "平台", "网办"),
    "在线": ("线上", "网上", "平台"),
    "线上": ("网上", "网上办", "网办"),
    "手机上": ("掌上办", "移动端", "app", "小程序"),
    "坐窗口": ("窗口工作人员", "窗口人员", "常驻窗口", "进驻"),
    "窗口的人": ("窗口工作人员", "窗口人员"),
    "办事的人": ("办事群众", "服务对象"),
    "岁数": ("年龄", "周岁"),
    "年纪": ("年龄", "周岁"),
    "多大岁": ("年龄", "周岁"),
    "老百姓": ("群众", "人民群众", "办事群众"),
    "百姓": ("群众",),
    "市民": ("群众",),
    "公司": ("企业", "市场主体"),
    "开公司": ("企业开办", "开办企业"),
    "注册公司": ("企业开办", "开办企业"),
    "厂子": ("企业",),
    "老板": ("企业", "经营主体"),
    "办事大厅": ("政务服务中心", "服务大厅", "大厅"),
    "服务大厅": ("政务服务中心", "大厅"),
    "政务中心": ("政务服务中心",),
    "政府服务": ("政务服务",),
    "办事": ("办理", "政务服务", "事项"),
    "办手续": ("办理", "审批"),
    "办证": ("审批", "证照"),
    "证件": ("证照",),
    "电话": ("热线", "12345"),
    "打电话": ("热线", "来电"),
    "钱": ("资金", "经费", "元"),
    "补助": ("补贴", "资金", "扶持"),
    "补贴": ("补助", "资金", "扶持"),
    "奖金": ("奖励",),
    "点子": ("建议", "意见"),
    "意见": ("建议",),
    "用上": ("采纳", "实施"),
    "采用": ("采纳",),
    "名次": ("排名", "位列", "第"),
    "档次": ("等级", "级", "评估"),
    "排第几": ("排名", "位列"),
    "打分": ("评价", "考核", "评分"),
    "评分": ("评价", "考核"),
    "单位": ("部门",),
    "签字": ("签批", "审签"),
    "盖章": ("印章", "公章"),
    "章子": ("印章",),
    "跑腿": ("跑", "上门"),
    "跑一趟": ("跑一次", "一次办"),
    "不用见面": ("不见面",),
    "不见面": ("网上", "线上"),
    "上门": ("帮办", "代办", "送达"),
    "村里": ("村", "村级"),
    "乡下": ("乡镇", "农村"),
    "镇上": ("乡镇",),
    "城里": ("城区", "市区"),
    "学校": ("校园",),
    "娃": ("学生", "儿童"),
    "孩子": ("学生", "儿童"),
    "老人": ("老年人",),
    "当官的": ("领导干部", "干部"),
    "管事的": ("负责人", "分管"),
    "副职": ("分管",),
    "投诉": ("差评", "反映"),
    "差评": ("好差评",),
    "办不下来": ("办不成事",),
    "没办下来": ("办不成事",),
    "办不成": ("办不成事",),
    "透明": ("公开", "政务公开"),
    "公开信息": ("政务公开", "信息公开"),
    "规定": ("制度", "办法"),
    "规矩": ("制度", "纪律"),
    "毛病": ("问题",),
    "卡在": ("堵点", "难点", "不足"),
    "难处": ("难点", "堵点"),
    "多长时间": ("时限", "工作日", "办结"),
    "多久": ("时限", "工作日", "办结"),
    "庙": ("寺院", "寺庙"),
    "打官司": ("诉讼", "案件"),
}

# “一证一码”（身份证和社会信用代码）, “四强”党支部（政治功能强、…）: a quoted term with its
# meaning in brackets.
_BRACKETED = re.compile(r"“([^“”\n]{2,12})”[\u4e00-\u9fff]{0,4}[（(]([^（）()\n]{4,60})[）)]")


def bracketed_meanings(texts: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Return term -> (its bracketed meanings) found in texts."""
    pairs: dict[str, tuple[str, ...]] = {}
    for text in texts:
        for m in _BRACKETED.finditer(text):
            term, meaning = fold(m.group(1)), fold(m.group(2))
            pairs.setdefault(term, ())
            pairs[term] = tuple(dict.fromkeys((*pairs[term], meaning)))
    return pairs


@dataclass(frozen=True)
class ExpandedWeights(TermWeights):
    """TermWeights whose words and character pairs also count as found when one of their
    alternatives is in the text."""

    alternatives: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def coverage(self, text: str) -> float:
        parts = []
        for weights in (self.words, self.pairs):
            total = sum(weights.values())
            if total:
                found = sum(w for t, w in weights.items() if t in text
                            or any(a in text for a in self.alternatives.get(t, ())))
                parts.append(found / total)
        return sum(parts) / len(parts) if parts else 0.0


class ExpandedDense:
    """A dense retriever that also searches with the expanded question and merges the two
    rankings by RRF (the plain question's list first); dense_rank is the merged rank."""

    def __init__(self, inner, expander: "QueryExpander", rrf_k: int = 60):
        self.inner = inner
        self.expander = expander
        self.rrf_k = rrf_k

    def retrieve(self, query: str, k: int, filters=None):
        from dataclasses import replace

        from qa.fusion import rrf_fuse

        hits = self.inner.retrieve(query, k, filters)
        expanded = self.expander.expand(query)
        if expanded == query:
            return hits
        fused = rrf_fuse([hits, self.inner.retrieve(expanded, k, filters)], k=self.rrf_k)
        # The cosine of the plain question stays the dense score (the answerability model's);
        # a passage only the expanded question found gets it from the reranker.
        plain = {h.chunk.id: h.dense for h in hits}
        return [replace(h, dense=plain.get(h.chunk.id), dense_rank=r)
                for r, h in enumerate(fused[:k], start=1)]


class QueryExpander:
    """Adds the policy wordings of a question's everyday phrases (those a speech uses)."""

    def __init__(self, table: Mapping[str, Sequence[str]],
                 corpus_has: Callable[[str], bool] | None = None):
        self.corpus_has = corpus_has or (lambda _: True)
        self.table = {
            fold(k): alts for k, v in table.items()
            if (alts := tuple(a for a in dict.fromkeys(fold(x) for x in v)
                              if a != fold(k) and self.corpus_has(a)))
        }
        # Longest phrase first, so "开公司" wins over "公司".
        self.phrases = sorted(self.table, key=len, reverse=True)

    def matches(self, question: str) -> list[tuple[str, tuple[str, ...]]]:
        """Return (phrase, alternatives) of each everyday phrase of the question, phrases
        inside a longer matched one left out."""
        q = fold(question)
        taken: list[tuple[int, int]] = []
        found = []
        for phrase in self.phrases:
            start = q.find(phrase)
            while start >= 0:
                end = start + len(phrase)
                if not any(a <= start and end <= b for a, b in taken):
                    taken.append((start, end))
                    found.append((phrase, self.table[phrase]))
                    break
                start = q.find(phrase, start + 1)
        return found

    def alternatives(self, question: str) -> list[str]:
        """Return the policy wordings to add to the question, without those it holds."""
        q = fold(question)
        return list(dict.fromkeys(a for _, alts in self.matches(question) for a in alts
                                  if a not in q))

    def expand(self, question: str) -> str:
        """Return the question followed by its added policy wordings (the question itself
        when there are none)."""
        extra = self.alternatives(question)
        return f"{question} {' '.join(extra)}" if extra else question

    def expand_weights(self, question: str, weights: TermWeights) -> TermWeights:
        """Return weights whose words and pairs inside an everyday phrase of the question also
        count as found where one of that phrase's alternatives is."""
        matches = self.matches(question)
        if not matches:
            return weights
        alternatives: dict[str, tuple[str, ...]] = {}
        for table in (weights.words, weights.pairs):
            for token in table:
                alts = tuple(a for phrase, options in matches
                             if token in phrase or phrase in token for a in options)
                if alts:
                    alternatives[token] = tuple(dict.fromkeys(alts))
        if not alternatives:
            return weights
        return ExpandedWeights(weights.words, weights.pairs, alternatives)


# A phrase the speeches use this often is their own wording: expanding it adds only noise.
MAX_PHRASE_USES = 20


def policy_expander(speeches: Iterable[str], corpus_has: Callable[[str], bool]) -> QueryExpander:
    """Return the expander of an index: the everyday-wording table (phrases the speeches use
    at least MAX_PHRASE_USES times left out) plus the terms the speeches bracket with their
    meaning, alternatives kept only when a speech uses them."""
    speeches = list(speeches)
    text = fold("\n".join(speeches))
    table: dict[str, tuple[str, ...]] = {k: v for k, v in EVERYDAY_TO_POLICY.items()
                                         if text.count(fold(k)) < MAX_PHRASE_USES}
    for term, meanings in bracketed_meanings(speeches).items():
        table[term] = tuple(dict.fromkeys((*table.get(term, ()), *meanings)))
    return QueryExpander(table, corpus_has)
