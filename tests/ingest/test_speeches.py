from pathlib import Path

import pytest

from ingest.clean import PIECE_HEADING, CleanedText, clean_text
from ingest.speeches import load_speeches, split_speeches
from vectorstore.records import SpeechDocument, stable_id

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"
CORPUS_FILES = sorted(CORPUS.glob("*.txt"))
NUMERALS = "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八 十九 二十".split()


@pytest.fixture(scope="module")
def corpus_docs() -> dict[str, list[SpeechDocument]]:
    return {p.name[:3]: load_speeches(p, CORPUS) for p in CORPUS_FILES}


def test_bundle_gives_twenty_titled_speeches(corpus_docs: dict[str, list[SpeechDocument]]) -> None:
    docs = corpus_docs["004"]
    assert [d.title for d in docs] == [f"在县政务服务中心工作会议上讲话（篇{n}）" for n in NUMERALS]
    assert docs[0].text.startswith("同志们：\n这次会议是县委、县政府同意召开的。")
    assert docs[-1].text.startswith("同志们：。\n我们这次全市政务信息工作会议筹划已久了")
    for d in docs:
        assert not PIECE_HEADING.search(d.text), d.title
        assert d.source == CORPUS_FILES[4].name


def test_whole_corpus(corpus_docs: dict[str, list[SpeechDocument]]) -> None:
    docs = [d for file_docs in corpus_docs.values() for d in file_docs]
    assert len(docs) >= 24
    assert len({d.title for d in docs}) == len(docs)
    assert len({d.doc_id for d in docs}) == len(docs)
    for d in docs:
        assert d.text.strip(), d.title
        assert d.text == d.text.strip()
        assert "\n\n" not in d.text


def test_single_speech_titles(corpus_docs: dict[str, list[SpeechDocument]]) -> None:
    (d001,) = corpus_docs["001"]
    assert d001.title == "行政审批局党的二十大专题学习班个人研讨发言提纲"
    assert d001.text.startswith("同志们，今天借着这次机会")
    (d002,) = corpus_docs["002"]
    assert d002.title == "在2022年度市区政务服务工作暨党风廉政建设会议上的讲话"
    assert d002.text.startswith("同志们：\n今天，我们召开")
    (d000,) = corpus_docs["000"]
    assert d000.title == "学习党的二十大精神心得体会"
    assert d000.text.startswith("10月16日上午")


def test_003_title_once_date_and_rebased_truncations(corpus_docs: dict[str, list[SpeechDocument]]) -> None:
    (doc,) = corpus_docs["003"]
    assert doc.title == "在全县政务服务系统“四强”党支部建设推进会议上的讲话"
    assert doc.title not in doc.text.split("\n")  # the page printed it twice; neither is body
    assert doc.text.startswith("同志们：\n今天，我们在这里召开")
    assert doc.date == "2025-07-02"
    first, last = doc.truncated_at
    assert doc.text[:first].endswith("直接关系到党和政府在群")
    assert doc.text[first:].startswith("\n一是压实党建工作责任")
    assert last == len(doc.text)


def test_doc_ids_are_stable_across_text_edits() -> None:
    raw = "标题甲篇一\n第一篇正文。\n标题甲篇二\n第二篇正文。"
    docs = split_speeches(clean_text(raw), "b.txt")
    edited = split_speeches(clean_text(raw.replace("第二篇正文。", "第二篇改过的正文。")), "b.txt")
    assert [d.doc_id for d in docs] == [d.doc_id for d in edited]
    assert [d.doc_id for d in docs] == [stable_id("b.txt", 0), stable_id("b.txt", 1)]
    other = split_speeches(clean_text(raw), "c.txt")
    assert not {d.doc_id for d in docs} & {d.doc_id for d in other}


def test_bundle_truncations_rebased_into_each_piece() -> None:
    text = "会议讲话篇一\n甲。\n会议讲话篇二\n乙被截断\n丙。"
    cut = text.index("乙被截断") + len("乙被截断")
    docs = split_speeches(CleanedText(text=text, truncated_at=(cut,)), "x.txt")
    assert [d.title for d in docs] == ["会议讲话（篇一）", "会议讲话（篇二）"]
    assert [d.text for d in docs] == ["甲。", "乙被截断\n丙。"]
    assert docs[0].truncated_at == ()
    assert docs[1].truncated_at == (len("乙被截断"),)
    assert docs[1].text[: docs[1].truncated_at[0]] == "乙被截断"


def test_text_before_the_first_piece_is_kept() -> None:
    text = "今天召开全市政务公开工作会议，讲三点。\n会议讲话篇一\n甲。\n会议讲话篇二\n乙。"
    docs = split_speeches(CleanedText(text=text), "x.txt")
    assert [d.title for d in docs] == ["在全市政务公开工作会议上的讲话", "会议讲话（篇一）", "会议讲话（篇二）"]
    assert docs[0].text == "今天召开全市政务公开工作会议，讲三点。"


def test_repeated_piece_titles_are_made_unique() -> None:
    text = "会议讲话篇一\n甲。\n会议讲话篇一\n乙。"
    docs = split_speeches(CleanedText(text=text), "x.txt")
    assert [d.title for d in docs] == ["会议讲话（篇一）", "会议讲话（篇一）（2）"]


def test_untitled_speech_falls_back_to_the_file_stem() -> None:
    (doc,) = split_speeches(CleanedText(text="同志们：\n大家辛苦了。"), "speeches/讲话稿.txt")
    assert doc.title == "讲话稿"
    assert doc.text == "同志们：\n大家辛苦了。"


def test_a_single_heading_line_is_not_a_bundle() -> None:
    (doc,) = split_speeches(CleanedText(text="开启新篇章的讲话\n正文说到篇一的事。"), "a.txt")
    assert doc.title == "开启新篇章的讲话"


def test_empty_text_gives_no_documents() -> None:
    assert split_speeches(CleanedText(text=""), "a.txt") == []


def test_load_speeches_source_is_relative_posix(tmp_path: Path) -> None:
    folder = tmp_path / "corpus" / "2025"
    folder.mkdir(parents=True)
    path = folder / "讲话.txt"
    path.write_bytes("在全县政务服务工作会议上的讲话\n同志们:\n今天开会。".encode("gbk"))
    (doc,) = load_speeches(path, tmp_path / "corpus")
    assert doc.source == "2025/讲话.txt"
    assert doc.doc_id == stable_id("2025/讲话.txt", 0)
    assert doc.title == "在全县政务服务工作会议上的讲话"
    assert doc.text == "同志们：\n今天开会。"


# --- a file joined from several pages: nothing after a truncation note is lost -------------


def test_joined_bundle_keeps_every_speech_of_the_separate_files(tmp_path):
    separate = [d for p in CORPUS_FILES for d in load_speeches(p, CORPUS)]
    joined = tmp_path / "joined.txt"
    joined.write_text("\n".join(p.read_text(encoding="utf-8") for p in CORPUS_FILES), encoding="utf-8")
    together = load_speeches(joined, tmp_path)
    total = sum(len(d.text) for d in separate)
    kept = sum(len(d.text) for d in separate if any(d.text in t.text for t in together))
    assert kept >= 0.99 * total, f"{kept}/{total}"
    # 003's 未完 note ends 003's speech; 004's twenty speeches follow, each under its own title.
    titles = [d.title for d in together]
    assert sum("（篇" in t for t in titles) == 20
    cut = next(d for d in together if d.truncated_at)
    assert cut.text.endswith("导致创新能力不足，")
    assert len(cut.text) == cut.truncated_at[-1]


def test_text_after_an_unfinished_note_is_a_speech_of_its_own(tmp_path):
    path = tmp_path / "两篇.txt"
    path.write_text("在甲会议上的讲话\n同志们：第一篇正文。……(未完,全文共6001字,当前仅显示2766字,请阅读下面提示信息。"
                    "收藏《甲》\n在乙会议上的讲话\n同志们：第二篇正文。\n", encoding="utf-8")
    first, second = load_speeches(path, tmp_path)
    assert (first.title, first.text) == ("在甲会议上的讲话", "同志们：第一篇正文。")
    assert first.truncated_at == (len(first.text),)
    assert (second.title, second.text) == ("在乙会议上的讲话", "同志们：第二篇正文。")
    assert second.truncated_at == () and first.doc_id != second.doc_id


def test_ingest_names_a_file_that_cleaning_cut_down(tmp_path):
    from ingest.pipeline import IngestOptions
    from ingest.sources import read_file_entry

    opts = IngestOptions(index_dir=tmp_path / "index", corpus_dir=tmp_path, collection="speeches",
                         chunk_size=300, chunk_overlap=1)
    ad = "下面是小编为大家整理的讲话稿范文，欢迎阅读参考，更多精彩内容请关注本站。" * 3
    path = tmp_path / "广告多.txt"
    path.write_text("在丙会议上的讲话\n" + "\n".join([ad] * 6) + "\n同志们：正文只有这一句。\n",
                    encoding="utf-8")
    removed: list[dict] = []
    read_file_entry(path, "sha", opts, removed)
    (row,) = removed
    assert row["file"] == str(path) and row["chars"] > 500 and row["share"] > 0.9
    plain = tmp_path / "正常.txt"
    plain.write_text("在丁会议上的讲话\n同志们：今天讲三点意见。\n", encoding="utf-8")
    read_file_entry(plain, "sha", opts, removed)
    assert len(removed) == 1
