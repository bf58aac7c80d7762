"""Tokenizer and policy-term extraction: policy phrases must survive jieba as one token."""
from pathlib import Path

import pytest

from vectorstore.policy_terms import extract_policy_terms, quoted_terms
from vectorstore.tokenize import Tokenizer

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"


def test_quoted_terms_take_whole_quotes_and_listed_parts():
    text = "深化“放管服”改革，推行“一窗受理、集成服务”和“一窗受理·一次办好”，加快“互联网+政务服务”。"
    terms = quoted_terms(text)
    for t in ["放管服", "一窗受理", "集成服务", "一次办好", "互联网+政务服务"]:
        assert t in terms
    # A quote holding a punctuated list is not itself a term.
    assert "一窗受理、集成服务" not in terms


def test_quoted_terms_ignore_long_clauses_and_single_chars():
    text = "他说“好”，又说“我们一定要把这项工作做好做实做细，让群众真正满意，决不辜负期望”。"
    assert quoted_terms(text) == []


def test_numbered_formulas_need_two_occurrences_unless_quoted():
    texts = ["落实三会一课制度。", "坚持三会一课，做到六个坚持。", "牢记六个坚持。", "一次提出五个必须。"]
    terms = extract_policy_terms(texts)
    assert "三会一课" in terms
    assert "六个坚持" in terms
    assert "五个必须" not in terms  # once, unquoted
    assert extract_policy_terms(["只提一次“五个必须”。"]) == ["五个必须"]


def test_numbered_formulas_skip_ordinary_numeral_words():
    texts = ["一是要进一步加强服务。"] * 3 + ["一个窗口，一些部门，一次办好"] * 3
    assert extract_policy_terms(texts) == []


@pytest.fixture(scope="module")
def corpus_tokenizer():
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    return Tokenizer(extract_policy_terms(texts))


def test_corpus_terms_include_known_slogans():
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    terms = set(extract_policy_terms(texts))
    for t in ["一窗受理", "最多跑一次", "不见面审批", "放管服", "四强", "三会一课", "六个坚持", "一网通办"]:
        assert t in terms, t


@pytest.mark.parametrize(
    "text, term",
    [
        ("各地要推行一窗受理模式", "一窗受理"),
        ("实现群众办事最多跑一次", "最多跑一次"),
        ("大力推广不见面审批", "不见面审批"),
        ("持续深化放管服改革", "放管服"),
        ("创建四强党支部", "四强"),
        ("严格执行三会一课", "三会一课"),
        ("始终做到六个坚持", "六个坚持"),
        ("全面推进一网通办", "一网通办"),
    ],
)
def test_jieba_keeps_policy_terms_whole(corpus_tokenizer, text, term):
    assert term in corpus_tokenizer.tokens(text)


def test_without_terms_jieba_splits_them():
    # Why the user dictionary exists at all.
    assert "最多跑一次" not in Tokenizer().tokens("实现群众办事最多跑一次")


def test_tokens_drop_punctuation_whitespace_and_stopwords():
    toks = Tokenizer(["放管服"]).tokens("我们的  “放管服”改革，是在 全县 推进的！ ABC")
    assert "放管服" in toks and "改革" in toks and "全县" in toks
    assert "abc" in toks  # lower-cased
    for t in ["的", "是", "在", "我们", "“", "，", "！", " ", ""]:
        assert t not in toks


def test_full_width_forms_match_ascii():
    tk = Tokenizer(["12345热线"])
    assert tk.tokens("拨打１２３４５热线") == tk.tokens("拨打12345热线")


def test_private_dictionary_leaves_global_jieba_alone():
    import jieba

    Tokenizer(["最多跑一次"]).tokens("最多跑一次")
    assert "最多跑一次" not in jieba.lcut("实现最多跑一次")


def test_char_bigrams_match_across_different_segmentations():
    from vectorstore.tokenize import CharBigramTokenizer

    tok = CharBigramTokenizer()
    assert tok.tokens("企业开办") == ["企业", "业开", "开办"]
    assert "企业" in tok.tokens("开办企业")
    assert tok.tokens("ＡＢ角，x") == ["ab", "b角", "x"]
