"""`zwqa serve` on 127.0.0.1: the official openai client and httpx against one live server
over a real index of the bundled corpus (real embedder, Chroma and BM25; no chat model)."""
from __future__ import annotations

import json
import socket
import subprocess
import time

import httpx
import pytest

pytestmark = pytest.mark.slow

API_KEY = "测试密钥-not-secret".encode().hex()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(bundled_index, zwqa_cli, tmp_path_factory):
    """Return the base URL of one `zwqa serve` child for the whole session."""
    port = free_port()
    env = zwqa_cli.env(bundled_index.index_dir)
    env.update(ZWQA_API_KEY=API_KEY, ZWQA_API_MAX_BODY_BYTES="4096", ZWQA_ALLOWED_HOSTS="zwqa.example.org",
               ZWQA_LLM_PATH=str(tmp_path_factory.mktemp("nollm") / "none.gguf"))
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([*zwqa_cli.command, "serve", "--port", str(port), "--no-llm"],
                                env=env, cwd=zwqa_cli_root(), stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:
            assert proc.poll() is None, log.read_text()[-3000:]
            try:
                if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def zwqa_cli_root():
    from tests.conftest import PROJECT_ROOT

    return PROJECT_ROOT


@pytest.fixture(scope="session")
def client(server):
    from openai import OpenAI

    return OpenAI(base_url=f"{server}/v1", api_key=API_KEY, max_retries=0, timeout=300)


@pytest.fixture(scope="session")
def http(server):
    with httpx.Client(base_url=server, headers={"Authorization": f"Bearer {API_KEY}"},
                      timeout=300) as c:
        yield c


@pytest.fixture(scope="session")
def speeches(bundled_index) -> dict[str, str]:
    from vectorstore.index import open_committed_index

    return {d.doc_id: d.text for d in open_committed_index(bundled_index.index_dir).documents()}


def test_openai_client_gets_an_answer_with_verbatim_citations(client, speeches):
    assert [m.id for m in client.models.list()] == ["zwqa-extractive"]
    r = client.chat.completions.create(
        model="zwqa-extractive", messages=[{"role": "user", "content": "321608审批机制是什么？"}])
    text = r.choices[0].message.content
    assert r.model == "zwqa-extractive" and r.refused is False
    assert r.citations and "[1]" in text
    for c in r.citations:
        assert c["text"] in speeches[c["doc_id"]]  # verbatim in the speech it names
        for a, b in c["highlights"]:
            assert 0 <= a < b <= len(c["text"])
    assert any("3个工作日完成企业开办" in c["text"] for c in r.citations)


def test_openai_client_streams_the_same_answer(client):
    question = [{"role": "user", "content": "哪篇讲话提到青松办？请给出原文"}]
    plain = client.chat.completions.create(model="zwqa-extractive", messages=question)
    chunks = list(client.chat.completions.create(model="zwqa-extractive", messages=question,
                                                 stream=True))
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    last = chunks[-1]
    assert streamed == plain.choices[0].message.content
    assert last.choices[0].finish_reason == "stop"
    assert last.model_extra["citations"] == plain.citations and last.model_extra["refused"] is False
    assert all(c.object == "chat.completion.chunk" for c in chunks)


def test_follow_up_uses_the_history(client):
    first = "“四强”党支部指的是哪四个方面强？"
    r1 = client.chat.completions.create(model="zwqa-extractive",
                                        messages=[{"role": "user", "content": first}])
    r2 = client.chat.completions.create(model="zwqa-extractive", messages=[
        {"role": "system", "content": "请用中文回答"},
        {"role": "user", "content": first},
        {"role": "assistant", "content": r1.choices[0].message.content},
        {"role": "user", "content": "那它的建设成效呢？"},
    ])
    assert r2.rewritten and "四强" in r2.rewritten
    assert r2.citations and not r2.refused


def test_a_question_the_speeches_do_not_answer_is_refused(client):
    r = client.chat.completions.create(model="zwqa-extractive",
                                       messages=[{"role": "user", "content": "明天会下雨吗？"}])
    assert r.refused is True and r.citations == []
    assert r.choices[0].message.content.startswith("资料中未找到")


def test_openai_client_sees_openai_shaped_errors(client):
    import openai

    with pytest.raises(openai.NotFoundError) as e:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "你好"}])
    assert "没有模型" in e.value.body["message"]
    with pytest.raises(openai.BadRequestError) as e:
        client.chat.completions.create(model="zwqa-llm", messages=[{"role": "user", "content": "你好"}])
    assert "大模型" in e.value.body["message"]


def test_search_lookup_terms_and_health(server, http, speeches):
    r = http.post("/v1/search", json={"query": "一窗受理", "k": 3,
                                      "filters": {"date_from": "2020"}}).json()
    assert 1 <= len(r["data"]) <= 3
    for hit in r["data"]:
        assert hit["text"] == speeches[hit["doc_id"]][hit["start"]:hit["end"]]
        assert hit["date"] >= "2020"
    look = http.get("/v1/lookup", params={"term": "一窗受理"}).json()
    assert look["total"] == sum(t.count("一窗受理") for t in speeches.values())
    assert http.get("/v1/lookup", params={"term": "321608"}).json()["definition"]
    terms = http.get("/v1/terms", params={"defined": "true"}).json()["data"]
    assert terms and all(t["definition"] for t in terms)
    health = httpx.get(f"{server}/healthz").json()  # no token needed
    assert health["status"] == "ok" and health["documents"] == len(speeches)


@pytest.mark.parametrize("body, status, words", [
    (b"{bad json", 400, "JSON"),
    (json.dumps({"model": "zwqa-extractive", "messages": [{"role": "user", "content": "问"}],
                 "foo": 1}).encode(), 400, "foo"),
    (json.dumps({"model": "zwqa-extractive", "messages": [{"role": "user", "content": "  "}]}).encode(),
     400, "不能为空"),
    (json.dumps({"model": "zwqa-extractive", "messages": [{"role": "user", "content": "🙂🙂"}]}).encode(),
     400, "问题"),
    (json.dumps({"model": "zwqa-extractive", "messages": [{"role": "assistant", "content": "好"}]}).encode(),
     400, "用户"),
    (json.dumps({"model": "zwqa-extractive", "messages": []}).encode(), 400, "messages"),
    (json.dumps({"model": "zwqa-extractive",
                 "messages": [{"role": "user", "content": "问" * 5000}]}).encode(), 413, "过大"),
])
def test_bad_requests_get_4xx_with_a_chinese_message(http, body, status, words):
    r = http.post("/v1/chat/completions", content=body, headers={"content-type": "application/json"})
    assert r.status_code == status
    error = r.json()["error"]
    assert words in error["message"] and error["type"] == "invalid_request_error"
    assert "Traceback" not in r.text


def test_other_errors_keep_the_shape(http):
    assert http.get("/v1/nothing").status_code == 404
    assert http.post("/v1/search", json={"query": " "}).status_code == 400
    assert http.post("/v1/search", json={"query": "政务", "k": 0}).json()["error"]["message"]
    assert http.get("/v1/lookup").json()["error"]["code"] == "empty_term"


def test_token_and_host_are_checked(server):
    r = httpx.get(f"{server}/v1/models")
    assert r.status_code == 401 and "密钥" in r.json()["error"]["message"]
    r = httpx.get(f"{server}/v1/models", headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401
    ok = {"Authorization": f"Bearer {API_KEY}"}
    assert httpx.get(f"{server}/v1/models", headers={**ok, "Host": "evil.example.com"}).status_code == 400
    assert httpx.get(f"{server}/v1/models", headers={**ok, "Host": "zwqa.example.org"}).status_code == 200
    assert httpx.get(f"{server}/v1/models", headers={**ok, "Host": "localhost:1"}).status_code == 200


def test_serve_refuses_a_public_address_without_a_key(zwqa_cli, tmp_path):
    proc = zwqa_cli.run(["serve", "--host", "0.0.0.0", "--port", "1"], tmp_path / "index", timeout=120)
    assert proc.returncode == 2 and "ZWQA_API_KEY" in proc.stderr
