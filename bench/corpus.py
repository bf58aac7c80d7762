"""Builds the grown corpora of the benchmark (1×, 10×, 100× the bundled corpus) as .txt files.

Growth uses real text read where it lies (the shared folder beside the repository,
evaluation.sources.EXTERNAL_DIR: CMRC 2018 and NCP policy QA contexts) and is written under
bench/out/ (gitignored), never into data/:

- 1×: the bundled corpus itself (data/corpus, read in place).
- 10×: the bundled files + external contexts, drawn at random from both sets in proportion to
  their sizes, until the corpus holds 10× the bundled characters. All text is real and distinct.
- 100×: the real external text runs out at about 12×, so the 100× corpus is the bundled files +
  every external context + "remixed" documents: real sentences of the external contexts drawn
  at random (seeded) and joined into new paragraphs, so every chunk text is new while words,
  sentence lengths and vocabulary stay those of real text. The report says so.
"""
from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from evaluation.sources import EXTERNAL_DIR

EXTERNAL_SETS = ("cmrc2018", "ncp_policy_qa")
REMIX_DOC_CHARS = 4000  # about a speech's length
REMIX_PARAGRAPH_SENTENCES = (2, 6)


@dataclass
class BuiltCorpus:
    """A corpus folder and what it is made of (characters per stratum)."""

    factor: int
    path: Path
    chars: dict  # stratum ("bundled", "cmrc2018", "ncp_policy_qa", "remix") -> characters
    files: dict  # stratum -> list of file paths

    @property
    def total_chars(self) -> int:
        return sum(self.chars.values())


def bundled_documents(corpus_dir: Path):
    """Return (files, SpeechDocuments) of the bundled corpus, loaded as ingest loads them."""
    from ingest.sources import expand_paths
    from ingest.speeches import load_speeches

    files, _ = expand_paths([corpus_dir])
    docs = [d for f in files for d in load_speeches(f, corpus_dir)]
    return files, docs


def external_documents(root: Path = EXTERNAL_DIR) -> dict:
    """Return set name -> SpeechDocuments of its contexts (evaluation.external.load_contexts)."""
    from evaluation.external import load_contexts

    return {name: load_contexts(root / name / "contexts.jsonl") for name in EXTERNAL_SETS}


def _file_text(doc) -> str:
    return f"{doc.title}\n{doc.text}\n" if not doc.text.startswith(doc.title) else doc.text + "\n"


def _write_doc(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    return path


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)[:80]


def remix_documents(docs, target_chars: int, seed: int = 0):
    """Yield (name, text) of new documents made of real sentences of docs shuffled into new
    paragraphs, until target_chars characters have been produced."""
    from vectorstore.sentences import sentence_spans

    sentences = [d.text[a:b].strip() for d in docs for a, b in sentence_spans(d.text)]
    sentences = [s for s in sentences if len(s) >= 8]
    rng = random.Random(seed)
    made = n = 0
    while made < target_chars:
        paragraphs, size = [], 0
        while size < REMIX_DOC_CHARS:
            p = "".join(rng.choice(sentences) for _ in range(rng.randint(*REMIX_PARAGRAPH_SENTENCES)))
            paragraphs.append(p)
            size += len(p)
        text = f"混编文本{n:05d}\n" + "\n".join(paragraphs) + "\n"
        made += len(text)
        yield f"remix-{n:05d}", text
        n += 1


def build_corpus(factor: int, out_root: Path, corpus_dir: Path, external: dict | None = None,
                 seed: int = 0) -> BuiltCorpus:
    """Return the corpus of `factor`× the bundled characters, written under out_root/<factor>x
    (factor 1 is the bundled folder itself, not copied)."""
    bundled_files, bundled_docs = bundled_documents(corpus_dir)
    bundled_chars = sum(len(d.text) for d in bundled_docs)
    if factor == 1:
        return BuiltCorpus(1, corpus_dir, {"bundled": bundled_chars},
                           {"bundled": [str(f) for f in bundled_files]})
    external = external if external is not None else external_documents()
    folder = out_root / f"corpus-{factor}x"
    shutil.rmtree(folder, ignore_errors=True)
    files = {"bundled": []}
    for f in bundled_files:
        dest = folder / "bundled" / Path(f).name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, dest)
        files["bundled"].append(str(dest))
    chars = {"bundled": bundled_chars}
    target = factor * bundled_chars
    available = {name: sum(len(d.text) for d in docs) for name, docs in external.items()}
    need = target - bundled_chars
    rng = random.Random(seed)
    for name, docs in external.items():
        share = need * available[name] / sum(available.values())
        order = list(docs)
        rng.shuffle(order)
        chars[name], files[name] = 0, []
        for d in order:
            if chars[name] >= share:
                break
            files[name].append(str(_write_doc(folder / name, _safe(d.doc_id), _file_text(d))))
            chars[name] += len(d.text)
    remaining = target - sum(chars.values())
    if remaining > 0.02 * target:
        pool = [d for docs in external.values() for d in docs]
        chars["remix"], files["remix"] = 0, []
        for name, text in remix_documents(pool, remaining, seed):
            files["remix"].append(str(_write_doc(folder / "remix", name, text)))
            chars["remix"] += len(text)
    return BuiltCorpus(factor, folder, chars, files)


def sample_corpus(corpus: BuiltCorpus, out_root: Path, chunks_per_stratum: int,
                  chars_per_chunk: float, seed: int = 1) -> BuiltCorpus:
    """Return a stratified sample of the corpus's added text: for each stratum other than the
    bundled one, files drawn at random until about chunks_per_stratum chunks' worth of text,
    copied to out_root/sample-<factor>x."""
    folder = out_root / f"sample-{corpus.factor}x"
    shutil.rmtree(folder, ignore_errors=True)
    rng = random.Random(seed)
    chars, files = {}, {}
    for stratum, paths in corpus.files.items():
        if stratum == "bundled":
            continue
        order = list(paths)
        rng.shuffle(order)
        chars[stratum], files[stratum] = 0, []
        for p in order:
            if chars[stratum] >= chunks_per_stratum * chars_per_chunk:
                break
            dest = folder / stratum / Path(p).name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(p, dest)
            files[stratum].append(str(dest))
            chars[stratum] += len(Path(p).read_text(encoding="utf-8"))
    return BuiltCorpus(corpus.factor, folder, chars, files)
