"""Drawing helpers: escaping, highlighting, [n] links, cards, the full-speech page, examples."""
from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

from ui.chat import answers as chat_answers
from ui.chat import corpus_facts, render
from vectorstore.records import Answer, Chunk, Citation, SpeechDocument

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def make_chunk(text: str, **kw) -> Chunk:
    fields = dict(id="c1", doc_id="d1", title="在全县政务服务工作会议上的讲话", section_path="一、总体要求",
                  paragraph=0, start=0, end=len(text), text=text)
    fields.update(kw)
    return Chunk(**fields)


class TagCollector(HTMLParser):
    """Collects the tags and the text of an HTML fragment, as a browser would parse it."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def parse(fragment: str) -> TagCollector:
    p = TagCollector()
    p.feed(fragment)
    p.close()
    return p


def test_highlight_marks_exactly_the_spans():
    text = "第一句。第二句要落实。第三句。"
    out = render.highlight_html(text, [(4, 11)])
    assert out == "第一句。<mark class=\"zwqa-hl\">第二句要落实。</mark>第三句。"


def test_highlight_escapes_document_text_inside_and_outside_marks():
    text = f"前文{EVIL}。支持句<b>粗</b>。"
    start = text.index("支持句")
    out = render.highlight_html(text, [(start, len(text))])
    parsed = parse(out)
    assert parsed.tags == ["mark"]  # the only live tag is ours
    assert "".join(parsed.text) == text  # and the reader sees the characters as written
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_highlight_clamps_merges_and_drops_bad_spans():
    text = "abcdefghij"
    assert render.normalise_spans([(8, 20), (2, 4), (3, 6), (5, 5), (-3, 1)], len(text)) == [
        (0, 1), (2, 6), (8, 10)]
    out = render.highlight_html(text, [(8, 20), (2, 4), (3, 6)])
    assert out.count("<mark") == 2
    assert re.sub(r"<[^>]+>", "", out) == text


def test_answer_markers_link_to_their_cards_and_text_is_escaped():
    text = "审批时限压缩一半[1]，实行<联审>[2][3]。没有的编号[9]。"
    out = render.answer_html(text, 4, cited=[1, 2, 3])
    for n in (1, 2, 3):
        assert f'href="#{render.anchor_id(4, n)}"' in out
    assert "#zwqa-cite-4-9" not in out and "[9]" in out  # no card, no link
    assert "&lt;联审&gt;" in out
    assert parse(out).tags == ["div", "a", "a", "a"]


def test_answer_group_marker_becomes_one_link_per_number():
    out = render.answer_html("两项都有[1，2]。", 0, cited=[1, 2])
    assert out.count("<a ") == 2
    assert "[1]" in out and "[2]" in out


def test_answer_marker_with_script_lookalike_is_not_live():
    out = render.answer_html(f"模型说{EVIL}[1]", 0, cited=[1])
    assert parse(out).tags == ["div", "a"]


def test_citation_card_shows_title_section_date_highlight_and_also_in():
    chunk = make_chunk("开头。要压缩审批时限。结尾。", date="2025-07-02",
                       also_in=("在市政务服务工作会议上的讲话",), also_in_ids=("d2",))
    card = render.citation_card_html(Citation(n=2, chunk=chunk, highlights=((3, 11),)), 1)
    assert 'id="zwqa-cite-1-2"' in card
    assert "[2]" in card and "《在全县政务服务工作会议上的讲话》" in card
    assert "一、总体要求" in card and "发表于2025年7月2日" in card
    assert '<mark class="zwqa-hl">要压缩审批时限。</mark>' in card
    assert "也见于：《在市政务服务工作会议上的讲话》" in card


def test_card_escapes_title_section_and_also_in():
    chunk = make_chunk("正文", title=EVIL, section_path="<i>节</i>", also_in=(EVIL,))
    card = render.passage_card_html(chunk, (), "1.")
    assert set(parse(card).tags) == {"div", "span", "details", "summary"}
    assert "<script>" not in card and "<img" not in card


def test_card_without_date_or_section():
    card = render.passage_card_html(make_chunk("正文", section_path=""))
    assert "（开篇）" in card and "年" not in card.split("zwqa-meta")[1].split("</div>")[0]


def test_speech_page_marks_the_passage_and_scrolls_to_it():
    text = "标题之后的开头。" * 30 + "引用的段落，其中支持句在此。" + "后文。" * 30
    start = text.index("引用的段落")
    end = start + len("引用的段落，其中支持句在此。")
    doc = SpeechDocument(doc_id="d1", title="讲话", text=text, source="a.txt")
    passage = text[start:end]
    a = passage.index("支持句")
    page = render.speech_html(doc, start, end, highlights=((a, len(passage)),))
    hit = re.search(r'<span id="zwqa-hit" class="chunk">(.*?)</span>', page).group(1)
    assert html.unescape(re.sub(r"<[^>]+>", "", hit)) == text[start:end]
    assert "<mark class=\"hl\">支持句在此。</mark>" in hit
    assert 'getElementById("zwqa-hit")' in page and "scrollTo" in page
    body = page.split('<div class="text">')[1].split("</div>")[0]
    assert html.unescape(re.sub(r"<[^>]+>", "", body)) == text  # the whole speech, in order


def test_speech_page_escapes_a_script_in_the_speech():
    text = f"开头{EVIL}结尾"
    doc = SpeechDocument(doc_id="d1", title="讲话", text=text, source="a.txt")
    page = render.speech_html(doc, 0, 2)
    assert page.count("<script>") == 1  # only our own scroll script
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_md_literal_escapes_every_ascii_punctuation_and_keeps_the_text():
    raw = "**粗** [链接](http://x) ![图](y) <b>h</b> $x$ :red[红] # 标题\n第二行"
    out = render.md_literal(raw)
    left = re.sub(r"\\[!-/:-@\[-`{-~]", "", out)  # drop the escaped pairs
    assert not re.search(r"[!-/:-@\[-`{-~]", left)  # nothing unescaped is left
    assert re.sub(r"\\(.)", r"\1", out).replace("  \n", "\n") == raw
    assert "  \n" in out  # the line break stays a line break


def test_format_date_and_ingest_time():
    assert render.format_date("2025-07-02") == "2025年7月2日"
    assert render.format_date("2025-07") == "2025年7月"
    assert render.format_date(None) == ""
    assert render.format_ingested_at("2026-11-23T13:44:18+00:00") == "2026-11-23 13:44"
    assert render.format_ingested_at("") == "未知"


def test_answer_footer_lists_mode_time_and_notes():
    a = Answer(question="问", text="答", mode="llm", timings_ms={"total": 2345.0},
               notes=["已删除 1 处无法核实的引用"])
    assert chat_answers.answer_footer(a) == "生成回答 · 用时 2.3 秒 · 已删除 1 处无法核实的引用"


def test_examples_take_types_in_turn_and_skip_unanswerable_and_unindexed():
    rows = [
        {"type": "fact", "question": "事实一", "source_file": "a.txt"},
        {"type": "fact", "question": "事实二", "source_file": "a.txt"},
        {"type": "where", "question": "出处一", "source_file": "a.txt"},
        {"type": "unanswerable", "question": "答不了", "source_file": "a.txt"},
        {"type": "concept", "question": "别的语料", "source_file": "b.txt"},
    ]
    assert corpus_facts.example_questions(rows, {"a.txt"}, n=5) == ["事实一", "出处一", "事实二"]
    assert corpus_facts.example_questions(rows, {"a.txt"}, n=2) == ["事实一", "出处一"]
    assert corpus_facts.example_questions(rows, set()) == []


def test_examples_from_the_dev_set_are_answerable_questions_of_the_bundled_corpus():
    rows = corpus_facts.load_dev_questions(Path(__file__).resolve().parents[2] / "data" / "eval" / "dev.jsonl")
    sources = {r["source_file"] for r in rows}
    examples = corpus_facts.example_questions(rows, sources)
    assert 4 <= len(examples) <= 6
    by_question = {r["question"]: r for r in rows}
    assert all(by_question[q]["type"] != "unanswerable" for q in examples)
    assert len({by_question[q]["type"] for q in examples}) >= 3


def test_speech_options_and_date_bounds():
    docs = [SpeechDocument("d1", "甲", "t", "a.txt", date="2025-07-02"),
            SpeechDocument("d2", "乙", "t", "b.txt"),
            SpeechDocument("d3", "丙", "t", "c.txt", date="2023-01-05")]
    assert corpus_facts.speech_options(docs) == {"d1": "甲", "d2": "乙", "d3": "丙"}
    assert corpus_facts.date_bounds(docs) == ("2023-01-05", "2025-07-02")
    assert corpus_facts.date_bounds(docs[1:2]) is None
    assert corpus_facts.date_bounds(docs[:2]) is None  # one date: a range of one day filters nothing


def test_short_titles_keep_what_tells_speeches_apart():
    titles = [f"在县政务服务中心工作会议上讲话（篇{n}）" for n in ("一", "十一", "二十")]
    short = [corpus_facts.short_title(t) for t in titles]
    assert short == ["县政务服务中心工作会议（篇一）", "县政务服务中心工作会议（篇十一）",
                     "县政务服务中心工作会议（篇二十）"]
    long = corpus_facts.short_title("在全县政务服务系统“四强”党支部建设推进会议上的讲话")
    assert long.startswith("全县政务服务系统") and long.endswith("…")
    assert len(long) <= corpus_facts.FILTER_TITLE_CHARS
    assert corpus_facts.short_title("学习党的二十大精神心得体会") == "学习党的二十大精神心得体会"


def test_conversation_history_pairs_questions_with_answer_texts():
    answers = [Answer(question="甲？", text="一"), Answer(question="那乙呢？", text="二", rewritten="甲的乙？")]
    assert chat_answers.conversation_history(answers) == [("甲？", "一"), ("那乙呢？", "二")]


def test_interrupted_answer_keeps_the_quotes_or_the_text_written_so_far():
    chunk = make_chunk("推行“321608”审批机制，提升审批效率。")
    draft = Answer(question="321608审批机制是什么？", text="讲话原文中的相关表述：…[1]",
                   citations=[Citation(n=1, chunk=chunk, highlights=((0, 12),))], mode="llm")
    kept = chat_answers.interrupted_answer("321608审批机制是什么？", "llm", draft, "321608是")
    assert kept.citations == draft.citations and kept.text == draft.text
    assert chat_answers.is_interrupted(kept) and chat_answers.INTERRUPTED in chat_answers.answer_footer(kept)
    assert not chat_answers.is_interrupted(draft)  # the draft itself is not changed

    partial = chat_answers.interrupted_answer("青松办是什么？", "llm", None, "青松办是一支")
    assert partial.question == "青松办是什么？" and partial.text == "青松办是一支"
    assert chat_answers.is_interrupted(partial) and not partial.citations

    nothing = chat_answers.interrupted_answer("青松办是什么？", "extractive", None, "")
    assert nothing.text == "（回答未完成）" and chat_answers.is_interrupted(nothing)


def test_closed_card_shows_only_the_highlighted_sentences():
    text = "开头一句。要压缩审批时限。中间一句。要推行帮办代办。结尾一句。"
    spans = [(text.index("要压缩"), text.index("中间")), (text.index("要推行"), text.index("结尾"))]
    card = render.passage_card_html(make_chunk(text), spans, "[1]")
    summary = card.split("<summary")[1].split("</summary>")[0]
    assert "要压缩审批时限。…要推行帮办代办。" in summary
    assert "开头一句" not in summary and "中间一句" not in summary
    body = card.split("</summary>")[1].split("</details>")[0]
    assert body == render.highlight_html(text, spans)  # the whole paragraph once opened
    plain = render.passage_card_html(make_chunk("没有高亮的段落" * 20), ())
    assert "没有高亮的段落" in plain.split("</summary>")[0] and "…" in plain.split("</summary>")[0]


def test_sources_label_counts_the_cited_passages():
    cites = [Citation(n=i, chunk=make_chunk("正文。"), highlights=()) for i in (1, 2)]
    assert render.sources_label(cites).startswith("来源：引用 2 段")


def test_nothing_internal_reaches_the_page():
    shown = render.answer_html("资料编号=1：企业开办压缩到1个工作日[1]。", 0, [1])
    assert "资料编号" not in shown and "企业开办压缩到1个工作日" in shown
    answer = Answer(question="问？", text="答。", mode="llm",
                    notes=["来源[1]不足以支持这句话，已删除这句话", "已按侧栏的检索范围筛选"])
    footer = chat_answers.answer_footer(answer)
    assert "已按侧栏的检索范围筛选" in footer and not re.search(r"\d\.\d\d", footer)


def test_copy_button_carries_the_text_exactly_and_inertly():
    text = '答案[^1-1]。\n\n[^1-1]: 《讲话》：“<script>alert(1)</script>” & "引号"'
    button = render.copy_button_html(text)
    parsed = parse(button)
    assert parsed.tags == ["button"] and "<script>" not in button
    attrs = re.search(r'data-text="([^"]*)"', button).group(1)
    assert json.loads(html.unescape(attrs)) == text
