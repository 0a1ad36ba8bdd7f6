"""Title matching for resolving 《…》 references to corpus documents, on top of the one title fold
(ingest.metadata.norm_title, which groups versions)."""
from __future__ import annotations

import re

from ingest.metadata import norm_title as fold_title

_REF_DROP = re.compile(r"[〈〉<>“”\"'（）()]")  # brackets and quotes a citing text may add around a title
_COUNTRY = "中华人民共和国"


def norm_title(title: str) -> str:
    """The folded title (NFKC, no white space or 《》) without brackets or quotes and without a leading
    中华人民共和国, so 《中华人民共和国未成年人保护法》 and 《未成年人保护法》 meet."""
    t = _REF_DROP.sub("", fold_title(title or ""))
    return t[len(_COUNTRY):] if t.startswith(_COUNTRY) and len(t) > len(_COUNTRY) else t
