"""The HTTP API of `zwqa serve`: OpenAI-compatible chat with citations, search, lookup, terms."""
