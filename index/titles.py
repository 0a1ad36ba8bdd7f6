"""Title normalisation for resolving 《…》 references to corpus documents."""
from __future__ import annotations

import re
import unicodedata

_DROP = re.compile(r"[\s《》〈〉<>“”\"'（）()]")


def norm_title(title: str) -> str:
    """Fold a title for matching: NFKC, no brackets or white space, no leading 中华人民共和国."""
    t = _DROP.sub("", unicodedata.normalize("NFKC", title or ""))
    return t[len("中华人民共和国"):] if t.startswith("中华人民共和国") and len(t) > 7 else t
