"""Compares answerability models by cross-validation on the tune split (nothing is written).

    python -m evaluation.gate_search
    python -m evaluation.gate_search --c 0.1 0.3 1 --features dense_max,slot_share agreement,…

The tune questions go through the fast Answerer (evaluation.fast_answerer) once; then, for
each feature set and regularisation strength C, stratified 5-fold cross-validation repeated
over three seeds: in every fold the model and its threshold (the highest refusal recall whose
false-refusal rate stays within the budget, as evaluation.fit_answerability chooses it) come
from the training folds only and decide the held-out questions. The held-out refusal recall
and false-refusal rates are what a model is expected to do on unseen questions, unlike the
in-sample figures fit_answerability prints. Pick the model here, then write it with
`python -m evaluation.fit_answerability --features … --c …`.
"""
from __future__ import annotations

import argparse
import pickle
import statistics
import sys
from pathlib import Path

from evaluation.fit_answerability import FEATURES, Row, collect, fit_signed, load_split
from qa.answerability import AnswerabilityModel, auroc


def _ruled(r: Row, hard_rules: bool) -> bool:
    return bool(r.place or hard_rules and r.foreign or r.redacted)


def fast_threshold(probs, rows: list[Row], hard_rules: bool, budget: float) -> float:
    """Return the threshold evaluation.fit_answerability.choose_threshold picks (the highest
    refusal recall within the false-refusal budget), computed on arrays."""
    import numpy as np

    p = np.asarray(probs)
    ruled = np.array([_ruled(r, hard_rules) for r in rows])
    pos = np.array([r.answerable for r in rows])
    u = np.unique(p)
    cands = (u[:-1] + u[1:]) / 2 if len(u) > 1 else np.array([0.5])
    refused = ruled[None, :] | (p[None, :] < cands[:, None])
    fr = refused[:, pos].mean(axis=1) if pos.any() else np.zeros(len(cands))
    recall = refused[:, ~pos].mean(axis=1) if (~pos).any() else np.zeros(len(cands))
    ok = fr <= budget
    key = [(bool(o), float(rc) if o else -float(f), -float(t))
           for o, rc, f, t in zip(ok, recall, fr, cands)]
    return float(cands[max(range(len(cands)), key=key.__getitem__)])


def model_of(rows: list[Row], features, c: float, budget: float, hard_rules: bool):
    """Return the AnswerabilityModel fitted on rows with its threshold chosen on them."""
    fitted = [r for r in rows if not _ruled(r, hard_rules)]
    lr, scaler, kept = fit_signed(fitted, features, c)
    model = AnswerabilityModel(kept, tuple(float(x) for x in lr.coef_[0]),
                               float(lr.intercept_[0]), 0.5,
                               tuple(float(m) for m in scaler.mean_),
                               tuple(float(s) for s in scaler.scale_), hard_rules)
    t = fast_threshold([model.probability(r.features) for r in rows], rows, hard_rules, budget)
    return AnswerabilityModel(model.features, model.coef, model.intercept, t, model.mean,
                              model.scale, hard_rules)


def refused(model: AnswerabilityModel, r: Row) -> bool:
    return _ruled(r, model.hard_rules) or model.probability(r.features) < model.threshold


def cross_validate(rows: list[Row], features, c: float, budget: float, hard_rules: bool,
                   seeds=(0, 1, 2), folds: int = 5) -> dict:
    """Return the held-out figures averaged over seeds."""
    from sklearn.model_selection import StratifiedKFold

    y = [int(r.answerable) for r in rows]
    out: dict[str, list[float]] = {"recall": [], "fr": [], "para_fr": [], "near": [], "auroc": []}
    for seed in seeds:
        decided: dict[int, bool] = {}
        probs: dict[int, float] = {}
        for train, held in StratifiedKFold(folds, shuffle=True, random_state=seed).split(rows, y):
            model = model_of([rows[i] for i in train], features, c, budget, hard_rules)
            for i in held:
                decided[i] = refused(model, rows[i])
                probs[i] = model.probability(rows[i].features)
        rate = lambda idx: statistics.fmean(decided[i] for i in idx) if idx else float("nan")  # noqa: E731
        neg = [i for i, r in enumerate(rows) if not r.answerable]
        pos = [i for i, r in enumerate(rows) if r.answerable]
        out["recall"].append(rate(neg))
        out["fr"].append(rate(pos))
        out["para_fr"].append(rate([i for i in pos if rows[i].type == "paraphrase"]))
        out["near"].append(rate([i for i in neg if rows[i].kind == "near_miss"]))
        model_rows = [i for i, r in enumerate(rows)
                      if not (r.place or hard_rules and r.foreign) and not r.redacted]
        out["auroc"].append(auroc([probs[i] for i in model_rows], [y[i] for i in model_rows]))
    return {k: statistics.fmean(v) for k, v in out.items()}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--questions", default="data/eval/questions.jsonl")
    p.add_argument("--c", type=float, nargs="*", default=[0.03, 0.1, 0.3, 1.0])
    p.add_argument("--features", nargs="*", default=[",".join(FEATURES)],
                   help="feature sets, each comma-separated")
    p.add_argument("--budget", type=float, nargs="*", default=[0.06],
                   help="false-refusal budgets for the in-fold threshold")
    p.add_argument("--rows", help="keep the tune features in this file and reuse them")
    p.add_argument("--hard-rules", choices=["on", "off", "both"], default="both")
    args = p.parse_args(argv)

    from evaluation.fast_answerer import fast_answerer
    from vectorstore.settings import Settings

    if args.rows and Path(args.rows).is_file():
        rows = pickle.loads(Path(args.rows).read_bytes())
    else:
        answerer, embedder = fast_answerer(Settings())
        rows = collect(answerer, load_split(Path(args.questions), "tune"), progress=False)
        embedder.save()
        if args.rows:
            Path(args.rows).write_bytes(pickle.dumps(rows))
    hard = {"on": [True], "off": [False], "both": [True, False]}[args.hard_rules]
    print(f"{len(rows)} tune questions; held-out figures (5-fold CV, 3 seeds)")
    print(f"{'features':<60} {'C':>5} {'hr':>3} {'budg':>5}  auroc  recall  FR     paraFR near")
    for features in args.features:
        names = tuple(f for f in features.split(",") if f)
        for h in hard:
            for budget in args.budget:
                for c in args.c:
                    f = cross_validate(rows, names, c, budget, h)
                    print(f"{features[:60]:<60} {c:>5g} {'on' if h else 'off':>3} {budget:>5g}  "
                          f"{f['auroc']:.3f}  {f['recall']:.3f}   {f['fr']:.3f}  "
                          f"{f['para_fr']:.3f}  {f['near']:.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
