"""Evaluation of zwqa, above qa and never imported by it: `zwqa eval` (evaluate), question runs,
metrics and reports, baseline retrievers, external data sets, the labelled questions' split, the
answerability fit, answer checks."""
