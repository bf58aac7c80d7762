"""Benchmarks run on purpose (not tests): `.venv/bin/python -m bench.run` writes bench/results.md."""
