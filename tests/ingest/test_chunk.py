import re
import time
from pathlib import Path

import pytest

from ingest.chunk import chunk_document
from ingest.headings import heading_of
from ingest.speeches import load_speeches
from vectorstore.records import SpeechDocument, stable_id
from vectorstore.settings import PROJECT_ROOT

CORPUS = PROJECT_ROOT / "data" / "corpus"
SENTENCE_ENDS = "。！？；…”’」』）》"

_SENTENCES = [
    "窗口服务持续优化，群众满意度不断提升。",
    "全年共受理各类办件一万二千余件，按时办结率达到百分之百。",
    "我们坚持问题导向，对群众反映的堵点难点逐一建立台账、限时销号。",
    "“一网通办”覆盖面进一步扩大，可网办事项比例明显提高！",
    "各乡镇便民服务中心要对照清单，逐项抓好落实；",
    "这些成绩的取得，凝聚着全体干部职工的心血和汗水。",
]


def _body(n: int, offset: int = 0) -> str:
    """Return a paragraph of n sentences drawn in turn from _SENTENCES."""
    return "".join(_SENTENCES[(offset + i) % len(_SENTENCES)] for i in range(n))


SPEECH = "\n".join(
    [
        "同志们：",
        "今天召开全县政务服务工作会议。下面，我讲两点意见。",
        "一、总结工作成效，准确把握实践成果",
        "（一）以理论学习为着力点，政治功能持续强化",
        "1.压实党建工作责任",
        "一是要准确把握精神内涵，" + _body(9),
        "二是要丰富学习载体。" + _body(4, 2),
        "（二）以作风建设为切入点，支部班子更加过硬。" + _body(12, 1),
        "二、强化工作举措",
        _body(5, 3),
        "谢谢大家！",
    ]
)
SECTION_1 = "一、总结工作成效，准确把握实践成果"
SUB_1 = "（一）以理论学习为着力点，政治功能持续强化"


def _doc(text: str, doc_id: str = "d1", title: str = "在全县政务服务工作会议上的讲话") -> SpeechDocument:
    return SpeechDocument(doc_id, title, text, source="test.txt", date="2025-07-02")


def _inside_long_sentence(text: str, pos: int, max_chars: int) -> bool:
    """Whether pos falls inside a sentence longer than max_chars (which may be hard-cut)."""
    ends = "。！？；\n"
    before = max(text.rfind(ch, 0, pos) for ch in ends)
    after = min((i for i in (text.find(ch, pos) for ch in ends) if i >= 0), default=len(text))
    return after - before - 1 > max_chars


def _assert_chunk_invariants(doc: SpeechDocument, chunks, max_chars: int = 500) -> None:
    text = doc.text
    for c in chunks:
        assert text[c.start : c.end] == c.text
        assert 0 < len(c.text) <= max_chars
        assert c.id == stable_id(doc.doc_id, c.start, c.end)
        assert (c.doc_id, c.title) == (doc.doc_id, doc.title)
        assert (c.source, c.date) == (doc.source, doc.date)
        assert not c.text.startswith("\n") and not c.text.endswith("\n")
        # Ends at a sentence end or a paragraph end, never mid-sentence.
        assert (
            c.end == len(text)
            or text[c.end] == "\n"
            or text[c.end - 1] in SENTENCE_ENDS
            or _inside_long_sentence(text, c.end, max_chars)
        ), c.text
        assert c.paragraph == text[: c.start].count("\n")
    # Together the chunks cover every non-blank character, in order.
    covered = [False] * len(text)
    for c in chunks:
        covered[c.start : c.end] = [True] * (c.end - c.start)
    assert all(covered[i] or text[i] == "\n" for i in range(len(text)))
    assert [c.start for c in chunks] == sorted(c.start for c in chunks)


def test_heading_of_levels_and_labels():
    assert heading_of("一、提高政治站位，深刻认识重要意义") == (1, "一、提高政治站位，深刻认识重要意义")
    assert heading_of("（三）坚持问题导向，认真审视自身工作存在的不足。") == (
        2,
        "（三）坚持问题导向，认真审视自身工作存在的不足",
    )
    assert heading_of("(二)聚焦能力提升") == (2, "(二)聚焦能力提升")
    assert heading_of("1.建立责任追究制") == (3, "1.建立责任追究制")
    assert heading_of("2、强化督查考核") == (3, "2、强化督查考核")
    assert heading_of("（1）规范窗口设置") == (3, "（1）规范窗口设置")
    assert heading_of("一是要准确把握精神内涵，重点学深悟透；二是要丰富载体。") == (4, "一是要准确把握精神内涵")
    assert heading_of("一要提高政治站位，强化政治担当。") == (4, "一要提高政治站位")
    assert heading_of("第一，关于政务服务工作的现状。") == (4, "第一，关于政务服务工作的现状")
    assert heading_of("首先，“三区两中心”建设要加快进度。") == (4, "首先，“三区两中心”建设要加快进度")


def test_heading_of_long_paragraph_gives_its_opening():
    para = "（一）以理论学习为着力点，政治功能持续强化。" + _body(8)
    assert heading_of(para) == (2, "（一）以理论学习为着力点，政治功能持续强化")
    long_first = "二、" + "持续深化放管服改革" * 6 + "，推动政务服务提质增效。" + _body(3)
    level, label = heading_of(long_first)
    assert level == 1 and label.startswith("二、持续深化") and len(label) <= 31
    clause = "一是" + "推进政务服务标准化" * 5 + "。"
    assert heading_of(clause) == (4, clause[:30] + "…")


def test_heading_of_plain_paragraphs():
    for p in ["同志们：", "2021年，全市政务服务工作成效明显。", "一季度办件量同比增长。", "十三五期间成绩显著。", "第一次会议"]:
        assert heading_of(p) is None, p


def test_section_paths_follow_the_headings():
    doc = _doc(SPEECH)
    chunks = chunk_document(doc)
    _assert_chunk_invariants(doc, chunks)
    path_of = {}
    for c in chunks:
        for line in c.text.split("\n"):
            path_of.setdefault(line[:8], c.section_path)

    assert path_of["同志们："] == ""
    # Bare headings "一、" "（一）" "1." have no body: they open the chunk of the first item.
    first_item = f"{SECTION_1} > {SUB_1} > 1.压实党建工作责任 > 一是要准确把握精神内涵"
    assert path_of["一、总结工作成效"] == first_item
    assert path_of["一是要准确把握精"] == first_item
    assert path_of["二是要丰富学习载"] == f"{SECTION_1} > {SUB_1} > 1.压实党建工作责任 > 二是要丰富学习载体"
    assert path_of["（二）以作风建设"] == f"{SECTION_1} > （二）以作风建设为切入点，支部班子更加过硬"
    assert path_of[_SENTENCES[3][:8]] == "二、强化工作举措"
    heading_chunk = next(c for c in chunks if c.text.startswith(SECTION_1))
    assert heading_chunk.text.startswith(f"{SECTION_1}\n{SUB_1}\n1.压实党建工作责任\n一是要准确把握精神内涵，")
    assert heading_chunk.paragraph == 2


def test_chunks_never_cross_into_a_new_section():
    doc = _doc(SPEECH)
    for c in chunk_document(doc):
        lines = c.text.split("\n")
        # A heading may only appear as one of the chunk's leading (carried) lines.
        heading_lines = [i for i, line in enumerate(lines) if heading_of(line)]
        assert heading_lines == list(range(len(heading_lines))), c.text


def test_sentences_are_packed_up_to_chunk_size_with_one_sentence_overlap():
    para = _body(30)
    doc = _doc("同志们：\n" + para)
    chunks = chunk_document(doc, chunk_size=120, overlap=1)
    _assert_chunk_invariants(doc, chunks)
    assert len(chunks) > 3
    assert all(len(c.text) <= 120 for c in chunks)
    body = chunks[1:]
    for prev, nxt in zip(body, body[1:]):
        # The next chunk starts with the last sentence of the previous one.
        assert prev.start < nxt.start < prev.end
        repeated = doc.text[nxt.start : prev.end]
        assert repeated in _SENTENCES
    no_overlap = chunk_document(doc, chunk_size=120, overlap=0)
    assert all(a.end <= b.start for a, b in zip(no_overlap, no_overlap[1:]))


def test_overlap_stays_within_a_paragraph():
    doc = _doc(_body(8) + "\n" + _body(8, 3))
    chunks = chunk_document(doc, chunk_size=150)
    second = doc.text.index("\n") + 1
    first_of_second = min(c.start for c in chunks if c.start >= second)
    assert first_of_second == second
    assert all(not (c.start < second - 1 < c.end) for c in chunks)  # none spans the paragraph end


def test_short_paragraphs_are_packed_with_what_follows():
    doc = _doc("同志们：\n今天我们召开会议。\n下面我讲几点意见。\n" + _body(6))
    chunks = chunk_document(doc)
    assert chunks[0].text.startswith("同志们：\n今天我们召开会议。\n下面我讲几点意见。\n" + _SENTENCES[0])
    assert chunks[0].paragraph == 0


def test_trailing_short_paragraph_joins_the_chunk_before_it():
    doc = _doc(_body(4) + "\n谢谢大家！")
    chunks = chunk_document(doc)
    assert len(chunks) == 1 and chunks[0].text == doc.text


def test_lead_in_joins_the_items_that_follow():
    doc = _doc(_body(6) + "\n主要表现在：\n一是政务服务事项未实现应进必进。" + _body(3) + "\n二是网上办事推广不力。")
    chunks = chunk_document(doc)
    item = next(c for c in chunks if "一是" in c.text)
    assert item.text.startswith("主要表现在：\n一是政务服务事项未实现应进必进。")
    assert item.section_path == "一是政务服务事项未实现应进必进"


def test_over_long_sentence_is_cut_at_max_chars():
    doc = _doc("同志们：\n" + "推进政务服务标准化规范化便利化" * 60 + "。")
    chunks = chunk_document(doc, max_chars=200)
    assert all(len(c.text) <= 200 for c in chunks)
    assert all(doc.text[c.start : c.end] == c.text for c in chunks)
    assert chunks[-1].end == len(doc.text)


def test_chunking_is_deterministic_and_ids_are_stable():
    doc = _doc(SPEECH)
    assert chunk_document(doc) == chunk_document(doc)
    other_id = chunk_document(_doc(SPEECH, doc_id="d2"))
    assert {c.id for c in other_id}.isdisjoint(c.id for c in chunk_document(doc))


def test_speech_repeated_inside_another_gives_identical_chunks():
    inner = _doc(SPEECH, doc_id="inner", title="讲话篇十二")
    outer_text = "\n".join(
        ["同志们：", _body(7, 2), _body(5, 4), SPEECH, "三、抓好贯彻落实", _body(6)]
    )
    outer = _doc(outer_text, doc_id="outer", title="讲话篇十八")
    inner_chunks = chunk_document(inner)
    outer_chunks = chunk_document(outer)
    base = outer_text.index(SPEECH)
    # Every chunk of the repeated speech, except the opening "同志们：" that the outer speech
    # also has, is found with the same text and section path in the outer speech.
    outer_by_text = {(c.text, c.section_path) for c in outer_chunks}
    repeated = [c for c in inner_chunks if c.section_path]
    assert len(repeated) >= 5
    for c in repeated:
        assert (c.text, c.section_path) in outer_by_text
        match = next(o for o in outer_chunks if o.text == c.text)
        assert match.start == base + c.start


def test_two_megabyte_document_without_punctuation():
    doc = _doc("政务服务中心窗口" * 250_000)
    t0 = time.perf_counter()
    chunks = chunk_document(doc)
    elapsed = time.perf_counter() - t0
    assert len(chunks) == 4000
    assert all(len(c.text) == 500 for c in chunks)
    assert chunks[0].start == 0 and chunks[-1].end == len(doc.text)
    assert all(a.end == b.start for a, b in zip(chunks, chunks[1:]))
    assert elapsed < 5.0


def test_empty_document_has_no_chunks():
    assert chunk_document(_doc("")) == []


def _corpus_docs():
    files = sorted(CORPUS.glob("*.txt"))
    assert len(files) == 5
    return [d for f in files for d in load_speeches(f, CORPUS)]


def test_every_chunk_of_the_real_corpus_keeps_its_offsets():
    docs = _corpus_docs()
    assert len(docs) >= 20
    total = 0
    for doc in docs:
        chunks = chunk_document(doc)
        assert chunks, doc.title
        _assert_chunk_invariants(doc, chunks, max_chars=500)
        total += len(chunks)
    assert total > 400


def test_real_corpus_section_paths():
    doc = next(d for d in _corpus_docs() if "四强" in d.title)
    paths = [c.section_path for c in chunk_document(doc)]
    assert "三、正视问题短板，清醒认识“四强”党支部建设的薄弱环节 > （二）支部班子履职能力有待提升" in paths
    # The web copy is cut after the first section's opening; the text after the cut does not
    # claim to belong to "一、…".
    assert doc.truncated_at
    assert "一是压实党建工作责任" in paths



def test_items_inside_one_paragraph_label_their_own_chunks():
    # "一是深化“就近办”改革。…二是加速惠企政策兑现。…" is one paragraph of the 四强 speech: the
    # sentences of 二是 must not be labelled with 一是, and no chunk holds both items.
    doc = next(d for d in _corpus_docs() if "加速惠企政策兑现" in d.text)
    chunks = chunk_document(doc)
    second = [c for c in chunks if "惠企政策74条" in c.text]
    assert second and all(c.section_path.endswith("二是加速惠企政策兑现") for c in second)
    first = [c for c in chunks if "163个村" in c.text]
    assert first and all(c.section_path.endswith("一是深化“就近办”改革") for c in first)
    assert not any("163个村" in c.text and "惠企政策74条" in c.text for c in chunks)
    for c in chunks:
        last = c.section_path.rsplit(" > ", 1)[-1]
        items = [m for m in re.findall(r"(?:^|[。！？；])([一二三四五六七八九十]是)", c.text)]
        assert all(last.startswith(i) for i in items[1:]), (c.section_path, c.text[:80])


def test_truncation_closes_the_open_sections():
    text = "一、提高政治站位\n" + _body(3) + "\n一是压实党建工作责任。" + _body(3)
    cut = text.index("\n一是")
    doc = SpeechDocument("d1", "讲话", text, "test.txt", truncated_at=(cut,))
    chunks = chunk_document(doc)
    assert [c.section_path for c in chunks] == ["一、提高政治站位", "一是压实党建工作责任"]
    assert chunks[0].end == cut


@pytest.mark.parametrize("chunk_size,max_chars", [(100, 500), (300, 200), (800, 500)])
def test_size_settings_are_respected(chunk_size, max_chars):
    doc = _doc(SPEECH + "\n" + "推进政务服务标准化规范化便利化" * 40 + "。")
    chunks = chunk_document(doc, chunk_size=chunk_size, max_chars=max_chars)
    _assert_chunk_invariants(doc, chunks, max_chars=max_chars)
    multi = [c for c in chunks if c.end - c.start > min(chunk_size, max_chars)]
    # Only a single over-long sentence piece may pass chunk_size.
    for c in multi:
        assert "\n" not in c.text and c.text.count("。") <= 1
