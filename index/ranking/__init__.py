"""Ranking layered on the knowledge base: query analysis, the best pipeline's candidates and rerank, and the one
Ranker that the app, the CLI and the evaluation harness call."""
