"""Choosing the sentences to quote: never the same sentence twice."""
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


def test_overlapping_passages_do_not_quote_one_sentence_twice(word_tokenizer):
    # Two chunks of one speech sharing their middle sentence (the chunker's overlap).
    cut = SPEECH.index("常驻窗口人员的考核")
    end = SPEECH.index("中心要做好")
    first = _chunk("d1", SPEECH[:end], 0)
    second = _chunk("d1", SPEECH[cut:], cut)
    hits = [ScoredChunk(first, 0.9), ScoredChunk(second, 0.88)]
    quotes = select_quotes("常驻窗口人员的考核由谁负责？", hits, word_tokenizer, max_quotes=3)
    quoted = _quoted(quotes, hits)
    assert any("考核由中心负责" in q for q in quoted)
    assert len(quoted) == len(set(quoted))
    shared = "常驻窗口人员的考核由中心负责，考核结果作为评优依据。"
    assert sum(shared in q for q in quoted) == 1


def test_a_sentence_repeated_in_another_speech_is_quoted_once(word_tokenizer):
    sentence = "常驻窗口人员的考核由中心负责，考核结果作为评优依据。"
    hits = [ScoredChunk(_chunk("d1", sentence, 40), 0.9),
            ScoredChunk(_chunk("d2", " " + sentence, 10), 0.89)]
    quotes = select_quotes("常驻窗口人员的考核由谁负责？", hits, word_tokenizer, max_quotes=3)
    assert len(quotes) == 1 and quotes[0].hit == 0


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

