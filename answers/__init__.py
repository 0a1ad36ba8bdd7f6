"""Stage 3: answers built from ranked clauses — the answer card, reply drafts and their .docx, "which document
mandates" — each quoting the clauses it rests on."""
