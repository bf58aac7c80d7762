from qa.rerank import CoverageReranker, TermWeights, best_window, term_weights
from vectorstore.records import Chunk, ScoredChunk
from vectorstore.tokenize import CharBigramTokenizer


def chunk(i, text):
    return Chunk(id=i, doc_id="d", title="t", section_path="", paragraph=0, start=0, end=len(text), text=text)


def test_coverage_weighs_rare_words_more():
    w = TermWeights(words={"青松办": 5.0, "政务": 0.5}, pairs={})
    assert w.coverage("青松办设在大厅") > w.coverage("政务服务")
    assert w.coverage("") == 0.0


def test_best_window_finds_the_sentences_that_answer():
    text = "政务服务很重要。今年开展多项工作。青松办负责帮办代办。另有培训。"
    w = TermWeights(words={"青松办": 5.0, "帮办": 2.0}, pairs={})
    cov, window = best_window(w, text)
    assert cov == 1.0 and "青松办负责帮办代办" in window


def test_term_weights_use_idf_over_the_index(word_tokenizer):
    df = {"政务": 100, "青松办": 1}.get
    w = term_weights("青松办和政务", word_tokenizer, CharBigramTokenizer(),
                     lambda t: df(t, 0), lambda t: 0, 200)
    assert w.words["青松办"] > w.words["政务"]


class Fixed:
    def __init__(self, hits):
        self.hits = hits

    def retrieve(self, query, k, filters=None):
        return self.hits[:k]


def test_reranker_moves_the_passage_that_answers_to_the_top():
    vague = ScoredChunk(chunk=chunk("v", "政务服务工作要提高效率。各部门要加强协作。"), score=1.0)
    exact = ScoredChunk(chunk=chunk("e", "大厅设立青松办，专门负责帮办代办。"), score=0.6)
    w = TermWeights(words={"青松办": 5.0, "政务": 0.3}, pairs={})
    r = CoverageReranker(Fixed([vague, exact]), lambda q: w)
    assert [h.chunk.id for h in r.retrieve("青松办是什么", 2)] == ["e", "v"]


def test_reranker_uses_dense_similarity_when_given():
    a = ScoredChunk(chunk=chunk("a", "甲。"), score=1.0)
    b = ScoredChunk(chunk=chunk("b", "乙。"), score=1.0)
    w = TermWeights(words={}, pairs={})
    r = CoverageReranker(Fixed([a, b]), lambda q: w, similarity=lambda q, hits: [0.1, 0.9])
    assert [h.chunk.id for h in r.retrieve("问", 2)] == ["b", "a"]
