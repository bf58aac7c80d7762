"""Shared record types, settings, tokenising, embeddings and the two indexes (Chroma, BM25)."""
