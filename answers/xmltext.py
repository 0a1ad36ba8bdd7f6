"""Text that XML (hence .docx) can hold: the characters XML 1.0 forbids, and a function removing them."""
from __future__ import annotations

import re

# C0 controls other than tab/newline/carriage return (\f as pdftotext leaves it, \v, NUL), lone UTF-16 surrogates
# (JSON "\ud800" decodes to one) and the non-characters U+FFFE/U+FFFF.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` with every XML-illegal character replaced by a space (python-docx raises on them)."""
    return XML_ILLEGAL.sub(" ", text)
