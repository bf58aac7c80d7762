"""Choosing the sentences to quote: one passage, retrieval's first or the one holding the asked
value, its sentences in text order."""
from __future__ import annotations

from qa.extractive import QUOTES_HEADER, quote_answer, select_quotes
from vectorstore.records import Chunk, ScoredChunk

SPEECH = ("各部门要选派业务骨干常驻窗口，常驻窗口人员实行统一管理。"
          "常驻窗口人员的考核由中心负责，考核结果作为评优依据。"
          "中心要做好后勤保障工作。")


def _chunk(doc_id: str, text: str, start: int) -> Chunk:
    return Chunk(id=f"{doc_id}-{start}", doc_id=doc_id, title="在县政务服务中心工作会议上的讲话",
                 section_path="二、强化窗口管理", paragraph=0, start=start,
                 end=start + len(text), text=text)


def _quoted(quotes, hits) -> list[str]:
    return [hits[q.hit].chunk.text[q.start:q.end] for q in quotes]


def test_only_the_first_ranked_passage_is_quoted_though_a_lower_one_shares_more_words(
        word_tokenizer):
    # Retrieval ranked the answer (worded differently) first; the second passage repeats the
    # question's words without answering it.
    answer = _chunk("d1", "窗口人员的年度评定由中心组织实施，结果作为评优依据。", 0)
    lure = _chunk("d2", "常驻窗口人员的考核要加强，常驻窗口人员要服从管理。", 0)
    hits = [ScoredChunk(answer, 0.9), ScoredChunk(lure, 0.88)]
    quotes = select_quotes("常驻窗口人员的考核由谁负责？", hits, word_tokenizer, max_quotes=3)
    assert quotes and {q.hit for q in quotes} == {0}
    assert "由中心组织实施" in "".join(_quoted(quotes, hits))


def test_the_passage_holding_the_asked_value_leads_and_its_sentence_is_quoted(word_tokenizer):
    from qa.slots import SlotMatch, asked_slot

    question = "常驻窗口人员每年考核几次？"
    first = _chunk("d1", "常驻窗口人员的考核要加强。常驻窗口人员要服从管理。", 0)
    second_text = "中心要做好后勤保障工作。对常驻窗口人员每年考核两次，结果作为评优依据。"
    second = _chunk("d2", second_text, 0)
    hits = [ScoredChunk(first, 0.9), ScoredChunk(second, 0.88)]
    start = second_text.index("对常驻")
    match = SlotMatch(text=1, start=start, end=len(second_text), value="两次", binding=1.0)
    quotes = select_quotes(question, hits, word_tokenizer, slot=asked_slot(question), match=match)
    assert {q.hit for q in quotes} == {1}
    assert any("每年考核两次" in q for q in _quoted(quotes, hits))
    # Without the match the first-ranked passage is quoted.
    plain = select_quotes(question, hits, word_tokenizer, slot=asked_slot(question))
    assert {q.hit for q in plain} == {0}


def test_a_passage_is_quoted_in_text_order_without_repeating_a_sentence(word_tokenizer):
    hits = [ScoredChunk(_chunk("d1", SPEECH, 0), 0.9)]
    quotes = select_quotes("常驻窗口人员的考核由谁负责？常驻窗口人员怎么管理？", hits,
                           word_tokenizer, max_quotes=3)
    starts = [q.start for q in quotes]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert any("考核由中心负责" in q for q in _quoted(quotes, hits))


def test_quote_answer_numbers_the_quoted_passages_under_the_header(word_tokenizer):
    hits = [ScoredChunk(_chunk("d1", SPEECH, 0), 0.9)]
    quoted = quote_answer("常驻窗口人员的考核由谁负责？", hits, word_tokenizer)
    assert quoted.text.startswith(QUOTES_HEADER + "：\n“")
    assert [c.n for c in quoted.citations] == [1]
    assert all(line.endswith("[1]") for line in quoted.lines)
    assert "考核由中心负责" in quoted.cited_text()


def test_quote_answer_falls_back_to_the_opening_sentence_of_the_best_passage(word_tokenizer):
    hits = [ScoredChunk(_chunk("d1", SPEECH, 0), 0.9)]
    quoted = quote_answer("乡村振兴", hits, word_tokenizer)
    first = SPEECH[: SPEECH.index("。") + 1]
    assert quoted.lines == (f"“{first}”[1]",)
    assert quoted.citations[0].highlights == ((0, len(first)),)



def test_which_speeches_mention_a_term_quotes_each_speech_that_holds_it(word_tokenizer):
    question = "哪些讲话提到“常驻窗口”？请给出原文"
    hits = [ScoredChunk(_chunk("d1", SPEECH, 0), 0.9),
            ScoredChunk(_chunk("d2", "中心要做好后勤保障工作。", 0), 0.85),  # no mention
            ScoredChunk(_chunk("d3", "要做好保障。常驻窗口实行ab角制度。", 0), 0.8)]
    quoted = quote_answer(question, hits, word_tokenizer)
    assert [c.chunk.doc_id for c in quoted.citations] == ["d1", "d3"]
    assert quoted.lines[1] == "“常驻窗口实行ab角制度。”[2]"
    # A second passage of a speech already quoted is not quoted again.
    same = [hits[0], ScoredChunk(_chunk("d1", "常驻窗口人员要服从管理。", 200), 0.85), hits[2]]
    assert [c.chunk.doc_id for c in quote_answer(question, same, word_tokenizer).citations] == [
        "d1", "d3"]
    # Asked for one speech, one passage is quoted.
    one = quote_answer("哪篇讲话提到“常驻窗口”？请给出原文", hits, word_tokenizer)
    assert [c.chunk.doc_id for c in one.citations] == ["d1"]
