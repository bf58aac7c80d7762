"""`zwqa ask` and `zwqa eval` end to end, in child processes, on a real index of the bundled corpus."""
import json
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow

DEV = PROJECT_ROOT / "data" / "eval" / "dev.jsonl"
LINE_KEYS = {"id", "question", "answer", "refused", "rewritten", "citations", "retrieved",
             "timings_ms"}
CITATION_KEYS = {"n", "doc_id", "title", "section_path", "text", "highlights"}
RETRIEVED_KEYS = {"doc_id", "title", "section_path", "text", "score"}


def dev_questions():
    return {q["id"]: q for q in map(json.loads, DEV.read_text(encoding="utf-8").splitlines())}


def check_answer_line(line: dict) -> None:
    assert set(line) == LINE_KEYS
    assert len(line["retrieved"]) >= 10
    for r in line["retrieved"]:
        assert set(r) == RETRIEVED_KEYS and r["text"]
    for c in line["citations"]:
        assert set(c) == CITATION_KEYS
        for a, b in c["highlights"]:
            assert 0 <= a < b <= len(c["text"])
    assert [c["n"] for c in line["citations"]] == sorted(c["n"] for c in line["citations"])


def test_ask_json_gives_the_cited_passage(zwqa_cli, bundled_index):
    q = dev_questions()["dev-001"]
    proc = zwqa_cli.run(["ask", "--json", q["question"]], bundled_index.index_dir)
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = json.loads(proc.stdout)
    check_answer_line(line)
    assert line["id"] is None and line["question"] == q["question"]
    assert not line["refused"] and line["citations"]
    assert any(q["keywords"][0] in c["text"] for c in line["citations"])
    assert line["timings_ms"]["total"] > 0


def test_ask_prints_answer_then_numbered_sources(zwqa_cli, bundled_index):
    question = dev_questions()["dev-001"]["question"]
    as_json = json.loads(zwqa_cli.run(["ask", "--json", question], bundled_index.index_dir).stdout)
    proc = zwqa_cli.run(["ask", question], bundled_index.index_dir)
    assert proc.returncode == 0, proc.stderr[-2000:]
    answer, _, sources = proc.stdout.partition("\n来源：\n")
    assert answer.strip() == as_json["answer"].strip()
    expected = [f"[{c['n']}] " + " > ".join(p for p in (c["title"], c["section_path"]) if p)
                for c in as_json["citations"]]
    assert expected and [x for x in sources.splitlines() if x.startswith("[")] == expected


def test_ask_rejects_an_empty_question(zwqa_cli, bundled_index):
    proc = zwqa_cli.run(["ask", "？？？"], bundled_index.index_dir)
    assert proc.returncode == 2
    assert "没有可以检索的文字" in proc.stderr and proc.stdout == ""


def test_batch_skips_corrupt_lines_and_answers_the_rest(zwqa_cli, bundled_index, tmp_path):
    dev = dev_questions()
    lines = [
        json.dumps({"id": "dev-002", "question": dev["dev-002"]["question"], "type": "fact"},
                   ensure_ascii=False),
        '{"id": "broken", "question": "少了右括号"',
        json.dumps({"id": "no-question"}),
        json.dumps({"id": "emoji", "question": "🙂🙂"}, ensure_ascii=False),
        "",
        json.dumps({"id": 35, "question": dev["dev-035"]["question"]}, ensure_ascii=False),
    ]
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "a.jsonl"
    proc = zwqa_cli.run(["ask", "--batch", str(questions), "--out", str(out)],
                        bundled_index.index_dir)
    assert proc.returncode == 1  # some lines were skipped
    assert "第 2 行" in proc.stderr and "第 3 行" in proc.stderr and "question" in proc.stderr
    answers = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [a["id"] for a in answers] == ["dev-002", "emoji", "35"]
    for a in (answers[0], answers[2]):
        check_answer_line(a)
        assert not a["refused"]
    assert answers[0]["question"] == dev["dev-002"]["question"]
    invalid = answers[1]
    assert invalid["refused"] and "没有可以检索的文字" in invalid["answer"]
    assert invalid["retrieved"] == [] and invalid["citations"] == []


def test_eval_on_a_dev_subset(zwqa_cli, bundled_index, tmp_path):
    dev = dev_questions()
    subset = [dev[i] for i in ("dev-001", "dev-020", "dev-035", "dev-052", "dev-064")]
    questions = tmp_path / "dev5.jsonl"
    questions.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in subset) + "\n",
                         encoding="utf-8")
    out = tmp_path / "answers.jsonl"
    proc = zwqa_cli.run(["eval", str(questions), "--json", "--out", str(out)],
                        bundled_index.index_dir)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    zwqa = report["systems"]["zwqa"]
    assert zwqa["overall"]["n"] == 5 and zwqa["overall"]["answerable"] == 4
    assert set(zwqa["by_type"]) == {"fact", "concept", "paraphrase", "where", "unanswerable"}
    for metric in ("hit@1", "hit@5", "mrr@10", "false_refusal", "keyword_coverage"):
        assert 0.0 <= zwqa["overall"][metric] <= 1.0
    assert zwqa["overall"]["hit@1"] <= zwqa["overall"]["hit@5"]
    assert zwqa["by_type"]["unanswerable"]["hit@1"] is None
    assert zwqa["ms_per_question"] > 0
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == [q["id"] for q in subset]
    # The report's hit@5 is what the written ranks say.
    ranks = [x["score"]["rank"] for x in lines if x["score"]["type"] != "unanswerable"]
    assert zwqa["overall"]["hit@5"] == pytest.approx(
        sum(1 for r in ranks if r is not None and r <= 5) / len(ranks))


# Contexts written for this test (external data sets stay outside the repository).
CONTEXTS = [
    ("C1", "青松办", "“青松办”是某市推出的政务服务手机应用。市民通过“青松办”可以在线办理社保查询、公积金提取等事项。"
                   "该应用于2021年上线，目前已接入三百多项便民服务。"),
    ("C2", "一窗受理", "一窗受理是指在政务服务大厅设置综合窗口，统一收件、分类审批、统一出件。"
                     "实行一窗受理后，群众办事不再需要在多个部门窗口之间来回奔波。"),
    ("C3", "不动产登记", "不动产登记是指不动产登记机构依法将不动产权利归属和其他法定事项记载于不动产登记簿的行为。"
                       "许多地方已将不动产登记办理时限压缩到两个工作日以内。"),
    ("C4", "帮办代办", "帮办代办服务由专门人员为企业提供项目审批全流程代办，企业无需反复跑腿。"
                     "重点项目实行“一对一”专人负责。"),
]
CONTEXT_QUESTIONS = [
    ("k1", "青松办手机应用是哪一年上线的？", "C1"),
    ("k2", "什么是一窗受理？", "C2"),
    ("k3", "不动产登记现在多久能办完？", "C3"),
]


def test_eval_on_external_contexts_with_baselines_reuses_its_cache(zwqa_cli, bundled_index,
                                                                    tmp_path):
    contexts = tmp_path / "contexts.jsonl"
    contexts.write_text("\n".join(json.dumps({"context_id": c, "title": t, "text": x},
                                             ensure_ascii=False) for c, t, x in CONTEXTS) + "\n",
                        encoding="utf-8")
    questions = tmp_path / "questions.jsonl"
    questions.write_text("\n".join(json.dumps({"id": i, "question": q, "context_id": c},
                                              ensure_ascii=False)
                                   for i, q, c in CONTEXT_QUESTIONS) + "\n", encoding="utf-8")
    cache = tmp_path / "cache"
    args = ["eval", str(questions), "--contexts", str(contexts), "--baseline", "--json",
            "--cache-dir", str(cache)]
    first = zwqa_cli.run(args, bundled_index.index_dir)
    assert first.returncode == 0, first.stderr[-2000:]
    report = json.loads(first.stdout)
    assert set(report["systems"]) == {"zwqa", "langchain-tutorial", "chatchat-ensemble", "bm25"}
    for name, system in report["systems"].items():
        assert system["overall"]["answerable"] == 3, name
        assert system["overall"]["hit@5"] == 1.0, name
        assert 0.0 <= system["overall"]["mrr@10"] <= 1.0, name
    # Each question names its context's subject: our hybrid search puts it first.
    assert report["systems"]["zwqa"]["overall"]["hit@1"] == 1.0
    assert "本次嵌入 0 块" not in report["meta"]["段落"]
    # The contexts were indexed in the cache folder, not in the bundled index.
    assert any(p.name == "bm25.json" for p in cache.rglob("bm25.json"))
    assert any(cache.rglob("sentences.npz"))  # sentence search, as over an ingested corpus
    assert not any(Path(bundled_index.index_dir).rglob("*contexts*"))

    second = zwqa_cli.run(args[:-3] + ["--cache-dir", str(cache)], bundled_index.index_dir)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "本次嵌入 0 块、0 句" in second.stdout  # the table run reuses every stored vector
    assert "检索对比" in second.stdout and "chatchat-ensemble" in second.stdout
