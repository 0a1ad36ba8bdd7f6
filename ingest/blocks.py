"""A Block is one paragraph of a loaded document before structure is recognised; blocks join into the body."""
from __future__ import annotations

from dataclasses import dataclass

BLOCK_SEPARATOR = "\n\n"


@dataclass
class Block:
    """One paragraph: its text, its markup heading depth (0 = none) and a role a loader already knows."""

    text: str
    depth: int = 0  # 1 for '#', 2 for '##', Heading 2 style… (0 = ordinary paragraph)
    role: str = ""  # "" | preamble | signature | title | note — set when a loader recognised a notice's parts


def join_blocks(blocks: list[Block]) -> tuple[str, list[tuple[int, int]]]:
    """The body text (blocks separated by a blank line) and each block's (start, end) offsets in it."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for i, block in enumerate(blocks):
        if i:
            parts.append(BLOCK_SEPARATOR)
            pos += len(BLOCK_SEPARATOR)
        parts.append(block.text)
        spans.append((pos, pos + len(block.text)))
        pos += len(block.text)
    return "".join(parts), spans
