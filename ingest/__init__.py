"""Stage 1: load policy documents and split them into citable clauses (no imports from later stages)."""
