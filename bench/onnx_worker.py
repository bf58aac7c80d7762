"""ONNX int8 experiment for m3e-small: embedding speed and dev-set retrieval with each embedder.

    python -m bench.onnx_worker --texts chunks-1x-ours.jsonl --torch-index bench/out/index-1x-ours \
        --questions data/eval/dev.jsonl --corpus data/corpus --work bench/out/onnx --out r.json

Route "sentence-transformers" (what the task asks for): SentenceTransformer(path,
backend="onnx") + export_dynamic_quantized_onnx_model(..., "avx512_vnni"), which needs optimum's
ONNX Runtime support. When that is not installed, the route is reported as not run, and the
same model is exported and quantised without optimum when the `onnx` package can be imported
(route "onnxruntime"): torch.onnx.export of the BERT encoder, onnxruntime.quantization.
quantize_dynamic (int8 weights, per channel, as optimum's avx512_vnni dynamic config; also a
MatMul-only variant, and the unquantised fp32 file), run by onnxruntime with the model's own tokenizer, mean pooling and normalisation (what
sentence-transformers does for this folder, which has no modules.json).

Speed is passages/s on the same chunk texts (128 of the 1× chunks), torch and ONNX runs
interleaved in halves to share the machine's load. The torch vectors of all 1× chunks are the
ones the 1× ingest stored (--torch-vectors); the int8 model embeds all 1× chunks itself. Retrieval: each embedder embeds the 1× corpus (through the real ingest
pipeline, vectors from a table of that embedder's own vectors) and answers the dev questions
through qa.system.build_answerer; evaluation.runs.run_retriever scores hit@k.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SPEED_PASSAGES = 128
BATCH = 16
MAX_TOKENS = 512


def _has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ModuleNotFoundError, ValueError):
        return False


class OnnxEmbedder:
    """m3e-small through onnxruntime: tokenise, run, mean-pool, normalise (sentence-transformers'
    steps for this model), batches of texts of similar length as SentenceTransformer.encode."""

    def __init__(self, onnx_path: Path, model_dir: Path, name: str):
        import onnxruntime as ort
        from transformers import AutoTokenizer

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = os.cpu_count() or 1
        self.session = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
        self.model_name = name

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """Return one unit-length vector per text, in order."""
        import numpy as np

        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = [None] * len(texts)
        for lo in range(0, len(order), BATCH):
            idx = order[lo:lo + BATCH]
            enc = self.tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                                 max_length=MAX_TOKENS, return_tensors="np")
            feed = {k: v.astype("int64") for k, v in enc.items() if k in self.inputs}
            hidden = self.session.run(None, feed)[0]
            mask = enc["attention_mask"][..., None].astype("float32")
            pooled = (hidden * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
            pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
            for j, i in enumerate(idx):
                out[i] = pooled[j].astype("float32").tolist()
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def export_raw(model_dir: Path, work: Path) -> tuple[Path, Path, float]:
    """Return (fp32 .onnx, {variant: int8 .onnx}, seconds) exported from the local model folder
    offline; variants: every operator onnxruntime quantises dynamically (MatMul, Gather, ...),
    or MatMul only (embedding tables stay fp32)."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel, AutoTokenizer

    t = time.perf_counter()
    work.mkdir(parents=True, exist_ok=True)
    fp32 = work / "model.onnx"
    int8 = {"all": work / "model_qint8.onnx", "matmul": work / "model_qint8_matmul.onnx"}
    tok = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True,
                                      attn_implementation="eager").eval()
    enc = tok(["政务服务一网通办。", "示例"], padding=True, return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "sequence"} for n in names}
    axes["last_hidden_state"] = {0: "batch", 1: "sequence"}

    class Encoder(torch.nn.Module):  # positional inputs, one output: what the tracer wants
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids, return_dict=True).last_hidden_state

    with torch.no_grad():
        torch.onnx.export(Encoder(model), tuple(enc[n] for n in names), str(fp32),
                          input_names=names, output_names=["last_hidden_state"],
                          dynamic_axes=axes, opset_version=17, dynamo=False)
    quantize_dynamic(str(fp32), str(int8["all"]), weight_type=QuantType.QInt8, per_channel=True)
    quantize_dynamic(str(fp32), str(int8["matmul"]), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul"])
    return fp32, int8, time.perf_counter() - t


def export_st(model_dir: Path, work: Path) -> tuple[Path, Path, float]:
    """Return (model folder copy, int8 file name inside it, seconds), via sentence-transformers."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.backend import export_dynamic_quantized_onnx_model

    t = time.perf_counter()
    copy = work / "m3e-small"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(model_dir, copy)  # the export writes into the folder: never the installed one
    model = SentenceTransformer(str(copy), backend="onnx", local_files_only=True)
    model.save_pretrained(str(copy))
    export_dynamic_quantized_onnx_model(model, "avx512_vnni", str(copy))
    return copy, Path("onnx/model_qint8_avx512_vnni.onnx"), time.perf_counter() - t


class STOnnxEmbedder:
    """SentenceTransformer(backend="onnx") with a given ONNX file."""

    def __init__(self, folder: Path, file_name: str, name: str):
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(folder), backend="onnx", local_files_only=True,
                                         model_kwargs={"file_name": str(file_name)})
        self.model.max_seq_length = MAX_TOKENS
        self.model_name = name

    def embed_documents(self, texts):
        vecs = self.model.encode(list(texts), batch_size=BATCH, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)
        return vecs.astype("float32").tolist()

    def embed_query(self, text):
        return self.embed_documents([text])[0]


def interleaved_speed(embedders: dict, texts: Sequence[str]) -> dict:
    """Return name -> passages/s, each embedder timed on the same texts in two interleaved halves."""
    halves = [texts[: len(texts) // 2], texts[len(texts) // 2:]]
    seconds = {n: 0.0 for n in embedders}
    for half in halves:
        for name, emb in embedders.items():
            t = time.perf_counter()
            emb.embed_documents(half)
            seconds[name] += time.perf_counter() - t
    return {n: len(texts) / s for n, s in seconds.items()}


def retrieval_scores(embedder, vectors_by_text: dict, corpus: Path, index_dir: Path,
                     questions) -> dict:
    """Return summarise() of the dev questions over a 1× index whose vectors are the embedder's."""
    from bench.vectors import VectorTable, text_key
    from ingest.pipeline import run_ingest
    from evaluation.metrics import summarise
    from evaluation.runs import run_retriever
    from ingest.options import ingest_options
    from qa.system import build_answerer, build_stores
    from vectorstore.settings import Settings

    import numpy as np

    settings = Settings(index_dir=index_dir, corpus_dir=corpus)
    shutil.rmtree(index_dir, ignore_errors=True)
    table = VectorTable({text_key(t): np.asarray(v, dtype="float32") for t, v in vectors_by_text.items()},
                        pool=np.asarray(next(iter(vectors_by_text.values())))[None, :],
                        model_name=embedder.model_name)
    stores = build_stores(settings, table)
    run_ingest([corpus], ingest_options(settings, rebuild=True), table, stores)
    if table.perturbed:
        raise RuntimeError(f"{table.perturbed} chunks lacked a vector of {embedder.model_name}")
    answerer = build_answerer(settings, embedder, build_stores(settings, embedder))
    run = run_retriever(embedder.model_name, answerer.retriever, questions)
    return {k: v for k, v in summarise(run.scores).items() if k in ("n", "answerable", "hit@1", "hit@3", "hit@5", "mrr@10")}


def main(argv=None) -> int:
    import numpy as np

    from bench.embed_worker import read_texts
    from bench.ingest_worker import maxrss_mb
    from evaluation.runs import load_eval_questions
    from vectorstore.embeddings import Embedder, m3e_small_path

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--texts", required=True)
    p.add_argument("--questions", required=True)
    p.add_argument("--corpus", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--torch-vectors", required=True,
                   help="the 1× chunks' vectors as the torch model stored them (.npz)")
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    texts = read_texts(Path(args.texts))
    questions, _ = load_eval_questions(Path(args.questions))
    model_dir = m3e_small_path()
    notes, runs = [], {}
    result = {"notes": notes, "runs": runs}

    st_ready = _has("optimum.onnxruntime")
    raw_ready = _has("onnx") and _has("onnxruntime")
    if not st_ready:
        notes.append(
            "Route asked for (SentenceTransformer(path, backend=\"onnx\") + "
            "export_dynamic_quantized_onnx_model) **not run**: it needs optimum's ONNX Runtime "
            "support, which is not installed, and installing it would change pinned packages. "
            "sentence-transformers 6.2's `[onnx]` extra is optimum-onnx[onnxruntime]; its only "
            "release (0.1.0) requires transformers<4.58, so pip would install transformers 4.57.6 "
            "(from 5.23.0), huggingface_hub 0.36.2 (from 2.4.0), tokenizers 0.22.2 (from 0.23.3) "
            "with optimum 2.1.0 and onnx 1.23.2; `optimum[onnxruntime]==1.27.0` would bring "
            "transformers 4.53.3. Stopped there as instructed (checked with `pip install --dry-run`).")
    torch_emb = Embedder(model_dir)
    torch_emb.embed_documents(texts[:16])  # load + warm up
    embedders = {"torch (sentence-transformers)": torch_emb}
    export_s = None
    if st_ready:
        folder, file_name, export_s = export_st(model_dir, work)
        embedders["onnx int8 (sentence-transformers backend)"] = STOnnxEmbedder(
            folder, file_name, "m3e-small-onnx-int8")
    elif raw_ready:
        fp32, int8, export_s = export_raw(model_dir, work / "raw")
        notes.append(
            "Route run instead (no new package in .venv; `onnx` 1.23.2 and ml_dtypes 0.6.0 were "
            "pip-installed with --no-deps into bench/out/pydeps, put on PYTHONPATH for this step "
            "only): the encoder exported with torch.onnx.export (TorchScript exporter, opset 17), "
            "quantised by onnxruntime.quantization.quantize_dynamic (QInt8 weights, per channel; "
            "once with every operator it quantises, once with MatMul only), "
            f"run by onnxruntime {_version('onnxruntime')} (already installed as a chromadb "
            "dependency) with mean pooling + normalisation. Export + quantisation took "
            f"{export_s:.0f} s, offline, from {model_dir}. Files: fp32 "
            f"{fp32.stat().st_size / 2**20:.0f} MiB, int8 {int8['all'].stat().st_size / 2**20:.0f} MiB, "
            f"int8 MatMul-only {int8['matmul'].stat().st_size / 2**20:.0f} MiB.")
        embedders["onnx fp32 (onnxruntime)"] = OnnxEmbedder(fp32, model_dir, "m3e-small-onnx-fp32")
        embedders["onnx int8 (onnxruntime)"] = OnnxEmbedder(int8["all"], model_dir, "m3e-small-onnx-int8")
        embedders["onnx int8, MatMul only (onnxruntime)"] = OnnxEmbedder(
            int8["matmul"], model_dir, "m3e-small-onnx-int8mm")
        result["files"] = {"onnx fp32 (onnxruntime)": str(fp32), "onnx int8 (onnxruntime)": str(int8["all"]),
                           "onnx int8, MatMul only (onnxruntime)": str(int8["matmul"])}
    else:
        notes.append("No ONNX route could run: neither optimum.onnxruntime nor onnx is importable.")
    for emb in embedders.values():
        emb.embed_documents(texts[:16])  # warm up every session before timing
    speed_texts = texts[:SPEED_PASSAGES]
    speeds = interleaved_speed(embedders, speed_texts)

    from bench.vectors import load_vectors, text_key

    stored = dict(zip(*load_vectors(Path(args.torch_vectors))))
    torch_vectors = np.asarray([stored[text_key(t)] for t in texts])  # KeyError: not the same run
    for name, emb in embedders.items():
        row = {"passages": len(speed_texts), "passages_per_s": speeds[name]}
        torch_run = name.startswith("torch")
        vecs = torch_vectors.tolist() if torch_run else emb.embed_documents(texts)
        if not torch_run:
            mine = np.asarray(vecs)
            row["cosine_to_torch"] = float(np.mean(np.sum(mine * torch_vectors, axis=1)))
        row.update(retrieval_scores(emb, dict(zip(texts, vecs)), Path(args.corpus),
                                    work / f"index-{emb.model_name}", questions))
        runs[name] = row
    result["export_seconds"] = export_s
    base = runs["torch (sentence-transformers)"]
    verdicts = []
    best = None
    for name, row in runs.items():
        if name.startswith("torch"):
            continue
        drop = (base["hit@5"] - row["hit@5"]) * 100
        speedup = row["passages_per_s"] / base["passages_per_s"]
        ok = drop <= 1.0 and speedup > 1.0
        verdicts.append(f"{name}: {speedup:.2f}× torch's passages/s, dev hit@5 {row['hit@5']:.3f} vs "
                        f"{base['hit@5']:.3f} ({drop:+.1f} points lost) → "
                        + ("within the rule" if ok else "outside the rule (hit@5 drop > 1 point or not faster)"))
        if ok and (best is None or speedup > runs[best]["passages_per_s"] / base["passages_per_s"]):
            best = name
    if verdicts:
        result["verdict"] = "; ".join(verdicts) + ". " + (
            f"**Adopt: {best}** (the fastest within the 1-point rule)." if best else "**Do not adopt.**")
        result["adopt"] = best
        result["route"] = "sentence-transformers" if st_ready else "onnxruntime"
    result["maxrss_mb"] = maxrss_mb()
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def _version(pkg: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return "?"


if __name__ == "__main__":
    raise SystemExit(main())
