"""Evaluation of zwqa: labelled questions, metrics, answer checks (above qa, never imported by it)."""
