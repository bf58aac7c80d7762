from dataclasses import replace

from ingest.chunk import chunk_document
from ingest.repeats import merge_repeated
from ingest.speeches import load_speeches
from vectorstore.records import Chunk, SpeechDocument, stable_id
from vectorstore.settings import PROJECT_ROOT
from vectorstore.text import copy_key

CORPUS = PROJECT_ROOT / "data" / "corpus"

PASSAGE_A = "一是“一窗通办”提质增效。政务服务“简易办”改革圆满收官，审批效率实现赶超跨越。"
PASSAGE_B = "二是“一诺通办”惠企利企。企业投资项目承诺制直接落地，为助推经济发展注入新动能。"
PASSAGE_C = "三是“跨省通办”提速扩容。先后与四省十市签订“跨省通办”协议，逐步形成东融格局。"


def _chunk(doc_id: str, text: str, start: int = 0, title: str | None = None) -> Chunk:
    return Chunk(
        id=stable_id(doc_id, start, start + len(text)),
        doc_id=doc_id,
        title=title or f"讲话{doc_id}",
        section_path="",
        paragraph=0,
        start=start,
        end=start + len(text),
        text=text,
    )


TITLES = {"d12": "讲话（篇十二）", "d18": "讲话（篇十八）", "d6": "讲话（篇六）"}


def test_identical_chunks_are_kept_once_naming_the_other_speeches():
    chunks = [
        _chunk("d12", PASSAGE_A),
        _chunk("d12", PASSAGE_B, 50),
        _chunk("d18", PASSAGE_A, 7),
        _chunk("d6", PASSAGE_A, 9),
        _chunk("d18", PASSAGE_C, 60),
    ]
    kept, merged = merge_repeated(chunks, TITLES)
    assert merged == 2
    assert [c.text for c in kept] == [PASSAGE_A, PASSAGE_B, PASSAGE_C]
    first = kept[0]
    assert first.doc_id == "d12" and first.start == 0  # the first in input order
    assert first.also_in == ("讲话（篇十八）", "讲话（篇六）")
    assert first.also_in_ids == ("d18", "d6")
    assert kept[1].also_in == () and kept[2].also_in == ()
    # Apart from also_in the kept chunk is unchanged.
    assert replace(first, also_in=(), also_in_ids=()) == chunks[0]


def test_repeats_within_one_speech_do_not_name_it():
    chunks = [_chunk("d12", PASSAGE_A), _chunk("d12", PASSAGE_A, 100), _chunk("d18", PASSAGE_A)]
    chunks.append(_chunk("d18", PASSAGE_A, 200))
    kept, merged = merge_repeated(chunks, TITLES)
    assert merged == 3
    assert kept[0].also_in_ids == ("d18",)


def test_copies_differing_in_punctuation_and_placeholders_are_the_same_passage():
    a = "依托xx公共资源电子交易平台系统，打造“阳光审批·优质服务”品牌，节约资金xxx亿元。"
    b = "依托x公共资源电子交易平台系统，打造“阳光审批优质服务”品牌；节约资金×亿元。"
    assert copy_key(a) == copy_key(b)
    kept, merged = merge_repeated([_chunk("d12", a), _chunk("d18", b)], TITLES)
    assert merged == 1 and kept[0].also_in_ids == ("d18",)
    other_words = "依托x公共资源电子交易平台系统，打造“阳光审批优质服务”品牌；节约资金×万元。"
    assert merge_repeated([_chunk("d12", a), _chunk("d18", other_words)], TITLES)[1] == 0


def test_chunk_contained_in_a_longer_chunk_of_another_speech_is_merged_into_it():
    long_chunk = _chunk("d6", PASSAGE_A + "\n" + PASSAGE_B)
    chunks = [_chunk("d12", PASSAGE_B), _chunk("d12", PASSAGE_C, 80), long_chunk]
    kept, merged = merge_repeated(chunks, TITLES)
    assert merged == 1
    assert [c.doc_id for c in kept] == ["d12", "d6"]
    assert kept[1].text == long_chunk.text and kept[1].also_in_ids == ("d12",)
    assert kept[1].also_in == ("讲话（篇十二）",)
    # Containment inside the same speech (an overlap sentence) is not a repeat.
    same = [_chunk("d6", PASSAGE_B, 300), long_chunk]
    assert merge_repeated(same, TITLES)[1] == 0
    # Identical-only mode leaves it alone.
    assert merge_repeated(chunks, TITLES, contained=False)[1] == 0


def test_identical_copies_of_a_contained_chunk_follow_it_into_the_container():
    container = _chunk("d6", PASSAGE_A + PASSAGE_B + PASSAGE_C)
    chunks = [_chunk("d12", PASSAGE_B), _chunk("d18", PASSAGE_B), container]
    kept, merged = merge_repeated(chunks, TITLES)
    assert merged == 2
    assert kept == [replace(container, also_in=("讲话（篇十二）", "讲话（篇十八）"), also_in_ids=("d12", "d18"))]


def test_short_lines_merge_only_when_identical():
    container = _chunk("d6", "同志们：\n" + PASSAGE_A)
    kept, merged = merge_repeated([_chunk("d12", "同志们："), container], TITLES)
    assert merged == 0


def test_unknown_titles_fall_back_to_the_chunk_title():
    chunks = [_chunk("d12", PASSAGE_A), _chunk("x9", PASSAGE_A, title="另一篇讲话")]
    kept, _ = merge_repeated(chunks, TITLES)
    assert kept[0].also_in == ("另一篇讲话",)


def test_repeated_speech_chunks_merge_with_also_in():
    body = "\n".join(["同志们：", "一、2021年工作回顾", PASSAGE_A + PASSAGE_B, "（一）持续深化改革", PASSAGE_C * 3])
    inner = SpeechDocument("d12", TITLES["d12"], body, "004.txt")
    outer = SpeechDocument("d18", TITLES["d18"], "下面是小编为大家整理的，供大家参考。\n" + body, "004.txt")
    chunks = chunk_document(inner) + chunk_document(outer)
    kept, merged = merge_repeated(chunks, TITLES)
    assert merged >= 2
    repeated = [c for c in kept if c.doc_id == "d12" and c.section_path]
    assert repeated and all(c.also_in_ids == ("d18",) for c in repeated)


def test_real_corpus_repeats():
    docs = [d for f in sorted(CORPUS.glob("*.txt")) for d in load_speeches(f, CORPUS)]
    titles = {d.doc_id: d.title for d in docs}
    chunks = [c for d in docs for c in chunk_document(d)]
    kept, merged = merge_repeated(chunks, titles)
    identical = merge_repeated(chunks, titles, contained=False)[1]
    assert len(kept) + merged == len(chunks)
    assert identical >= 15 and merged >= identical + 25
    by_id = {c.id: c for c in kept}
    kept_keys = {c.id: copy_key(c.text) for c in kept}
    for c in chunks:
        if c.id not in by_id:
            # Every merged chunk's text is inside a kept chunk that names its speech.
            key = copy_key(c.text)
            holders = [k for k in kept if key in kept_keys[k.id]]
            assert any(k.doc_id == c.doc_id or c.doc_id in k.also_in_ids for k in holders), c.text
    for c in kept:
        assert c.doc_id not in c.also_in_ids
        assert len(set(c.also_in_ids)) == len(c.also_in_ids)
        assert c.also_in == tuple(titles[i] for i in c.also_in_ids)
    # 篇十八 repeats most of 篇十二.
    t12 = next(d.doc_id for d in docs if d.title.endswith("（篇十二）"))
    t18 = next(d.doc_id for d in docs if d.title.endswith("（篇十八）"))
    assert sum(1 for c in kept if c.doc_id == t12 and t18 in c.also_in_ids) >= 15
