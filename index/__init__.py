"""Stage 2: build an index folder from ingested documents (SQLite store, BM25, FAISS vectors, responsibility map)
and read it back as a KnowledgeBase doing plain retrieval; `index.ranking` ranks on top of it."""
