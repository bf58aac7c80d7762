"""Which files an evaluation reads: a question file with optional contexts, or an external
data set read in place from the shared folder beside the repository (never copied in).

    sources = find_sources(questions="data/eval/questions.jsonl")
    sources = find_sources(dataset="ncp")      # EXTERNAL_DIR/ncp_policy_qa/{questions,contexts}.jsonl
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vectorstore.settings import PROJECT_ROOT

# The shared folder beside the repository (CI clones main with shared/ next to it).
EXTERNAL_DIR = PROJECT_ROOT.parent / "shared" / "data" / "external"
DATASETS = {"cmrc2018": "cmrc2018", "ncp": "ncp_policy_qa"}


class EvalRefused(ValueError):
    """An evaluation that cannot start (a missing file, an empty selection, no chat model);
    str(e) says why, in Chinese."""


@dataclass(frozen=True)
class EvalSources:
    """The question file, the contexts file (None: the committed index) and the question type
    given to lines that carry none."""

    questions: Path
    contexts: Path | None
    default_type: str


def find_sources(questions: str | Path | None = None, contexts: str | Path | None = None,
                 dataset: str | None = None, external_dir: str | Path = EXTERNAL_DIR) -> EvalSources:
    """Return the files an evaluation reads. Raises EvalRefused when a file is missing or no
    question file is named."""
    if dataset:
        folder = Path(external_dir) / DATASETS[dataset]
        questions = Path(questions) if questions else folder / "questions.jsonl"
        contexts = folder / "contexts.jsonl"
        for p in (questions, contexts):
            if not p.is_file():
                raise EvalRefused(f"找不到数据文件：{p}（可用 --external-dir 指定外部数据目录）")
        return EvalSources(questions, contexts, dataset)
    if not questions:
        raise EvalRefused("请给出问题文件，或用 --dataset 选择外部数据集")
    questions = Path(questions)
    if not questions.is_file():
        raise EvalRefused(f"问题文件不存在：{questions}")
    contexts = Path(contexts) if contexts else None
    if contexts is not None and not contexts.is_file():
        raise EvalRefused(f"段落文件不存在：{contexts}")
    return EvalSources(questions, contexts, questions.stem if contexts else "")
