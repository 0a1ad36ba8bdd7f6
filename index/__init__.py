"""Stage 2: persist documents and clauses, embed them, and answer `search(query, k, filters) -> list[Hit]`."""
