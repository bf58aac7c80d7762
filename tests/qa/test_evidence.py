import pytest

from qa.evidence import (
    SimpleTokenizer,
    content_tokens,
    passage_window,
    pinpoint,
    support_score,
)
from vectorstore.text import char_bigrams

TOK = SimpleTokenizer()

PASSAGE = (
    "组织党员立足岗位承诺践诺，设立“党员示范岗”28个、“党员责任区”15个，推动党员在审批服务中亮身份、作表率。"
    "县政务服务中心党员干部带头推行“321608”审批机制（3个工作日完成企业开办、2个工作日完成不动产登记、"
    "1个工作日完成施工许可、60分钟完成医保报销、8小时完成水电气报装），使企业开办全流程时限压缩至1个工作日，"
    "较2022年缩短80%。二是加强青年党员培养。"
)
OTHER = "2023年全县政务服务投诉中，涉及党员窗口的投诉占比达35%，反映出班子监督管理不到位。"


class JiebaLike:
    """Word-level tokens, split differently from the passage on purpose."""

    def tokens(self, text):
        words = ["321608", "审批", "机制", "是", "什么", "党员", "示范岗", "设立", "多少", "个"]
        out, i = [], 0
        while i < len(text):
            for w in words:
                if text.startswith(w, i):
                    out.append(w)
                    i += len(w)
                    break
            else:
                out.append(text[i])
                i += 1
        return out


def texts(spans, text=PASSAGE):
    return [text[a:b] for a, b in spans]


def test_pinpoint_finds_the_sentence_naming_the_topic(tokenizer):
    spans = pinpoint("321608审批机制是什么？", PASSAGE, tokenizer)
    assert len(spans) == 1
    assert texts(spans)[0].startswith("县政务服务中心党员干部带头推行“321608”审批机制")
    assert texts(spans)[0].endswith("较2022年缩短80%。")


def test_pinpoint_offsets_index_into_the_chunk_and_come_in_text_order(tokenizer):
    spans = pinpoint("党员示范岗和321608审批机制", PASSAGE, tokenizer, max_sentences=2)
    assert len(spans) == 2
    assert spans == tuple(sorted(spans))
    assert texts(spans)[0].startswith("组织党员立足岗位")
    for a, b in spans:
        assert 0 <= a < b <= len(PASSAGE)


def test_pinpoint_works_with_a_word_tokenizer():
    spans = pinpoint("党员示范岗设立了多少个？", PASSAGE, JiebaLike(), max_sentences=1)
    assert texts(spans) == [PASSAGE[: PASSAGE.index("。") + 1]]


def test_pinpoint_gives_nothing_when_nothing_matches():
    assert pinpoint("乡村振兴资金是多少？", OTHER, TOK) == ()
    assert pinpoint("321608审批机制", "", TOK) == ()
    assert pinpoint("321608审批机制", PASSAGE, TOK, max_sentences=0) == ()


def test_support_score_separates_supported_from_unsupported_claims(tokenizer):
    TOK = tokenizer
    quoted = "企业开办全流程时限压缩至1个工作日"
    paraphrase = "“321608”审批机制要求3个工作日完成企业开办、2个工作日完成不动产登记"
    made_up = "政务服务中心全面推行无纸化办公，群众满意度达到99%"
    assert support_score(quoted, PASSAGE, TOK) == pytest.approx(1.0)
    assert support_score(paraphrase, PASSAGE, TOK) > 0.8
    assert support_score(made_up, PASSAGE, TOK) < 0.35
    assert support_score("党员窗口投诉占比达35%", OTHER, TOK) > 0.8
    assert support_score("党员窗口投诉占比达35%", PASSAGE, TOK) < 0.35


def test_support_score_is_in_unit_range_and_zero_without_content():
    assert support_score("。！", PASSAGE, TOK) == 0.0
    assert support_score("", PASSAGE, TOK) == 0.0
    for claim in ("审批", "党员窗口投诉占比达35%", "完全无关的说法"):
        assert 0.0 <= support_score(claim, PASSAGE, TOK) <= 1.0


def test_helpers():
    assert content_tokens("321608审批机制是什么？", JiebaLike()) == ["321608", "审批", "机制"]
    assert char_bigrams("审批，机制") == {"审批", "机制"}


def test_passage_window_keeps_a_short_passage_whole():
    assert passage_window("321608审批机制", OTHER, TOK, 300) == OTHER


def test_passage_window_centres_on_the_best_sentence_and_cuts_at_sentence_ends():
    filler = "坚持以人民为中心的发展思想，持续优化营商环境。" * 12
    text = filler + PASSAGE + filler
    window = passage_window("“321608”审批机制是什么？", text, TOK, 200)
    assert len(window) <= 200 and window in text
    assert "321608" in window
    start = text.index(window)
    assert start == 0 or text[start - 1] in "。！？；\n"  # starts after a sentence end
    assert window.endswith(("。", "！", "？", "；"))



def _chunk(id: str, text: str):
    from vectorstore.records import Chunk

    return Chunk(id=id, doc_id="d", title="讲话", section_path="", paragraph=0, start=0,
                 end=len(text), text=text)


def test_the_model_reads_the_quoted_passage_first_around_its_quoted_sentence():
    from qa.evidence import model_passages
    from vectorstore.records import Answer, Citation, ScoredChunk

    filler = "坚持以人民为中心的发展思想，持续优化营商环境。" * 12
    names = _chunk("a", filler + "一是推进“三集中、两到位”管理模式。" + filler)
    defining = "“三集中、两到位”是指部门审批职能向一个科室集中、审批科室向政务中心集中。"
    defines = _chunk("b", filler + defining + filler)
    hits = [ScoredChunk(chunk=c, score=1.0) for c in (names, defines, _chunk("c", OTHER))]
    at = defines.text.index(defining)
    draft = Answer(question="“三集中、两到位”是什么意思？", text="",
                   citations=[Citation(n=1, chunk=defines, highlights=((at, at + len(defining)),))])

    chunks, windows = model_passages(draft.question, draft, hits, TOK, 1, 200)
    assert chunks == [defines] and defining in windows[0] and len(windows[0]) <= 200
    chunks, windows = model_passages(draft.question, draft, hits, TOK, 3, 200)
    assert [c.id for c in chunks] == ["b", "a", "c"]  # then the hits in their order
    assert "一是推进“三集中、两到位”" in windows[1] and windows[2] == OTHER
