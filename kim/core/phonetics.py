"""Name normalisation and the Kölner Phonetik (cologne phonetic code) for keyed name search.

Both are pure functions without keys; ``kim.core.crypto.search_tokens`` turns their output into
keyed hashes. Normalisation must stay stable: changing it changes every stored search token.
"""

from __future__ import annotations

import re
import unicodedata

# Applied after case folding (which already turns ß and ẞ into "ss") and before accents are
# stripped, so that "ü" becomes "ue" rather than "u".
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
# Letters that carry no decomposable accent in Unicode.
_UNDECOMPOSABLE = str.maketrans(
    {"æ": "ae", "ø": "oe", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
# Tokens are separated by anything that is not a letter or digit: spaces, hyphens, apostrophes,
# dots, commas.
_SEPARATORS = re.compile(r"[\W_]+")


def normalise_name(name: str) -> str:
    """Return ``name`` case-folded, with umlauts spelt out, ß as ss and accents stripped.

    1. NFC first, so that a decomposed "u + ¨" is treated like "ü".
    2. Case folding (ß → ss), then ä/ö/ü → ae/oe/ue.
    3. NFKD and removal of combining marks (é → e, ç → c), then letters without a
       decomposition (ø, ł, æ …) by table.
    """
    text = unicodedata.normalize("NFC", name).casefold().translate(_GERMAN)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text.translate(_UNDECOMPOSABLE)


def name_tokens(name: str) -> list[str]:
    """Split a normalised name into tokens at spaces, hyphens, apostrophes and punctuation."""
    return [token for token in _SEPARATORS.split(normalise_name(name)) if token]


_SIMPLE_CODES = {
    **dict.fromkeys("AEIJOUY", "0"),
    "B": "1",
    **dict.fromkeys("FVW", "3"),
    **dict.fromkeys("GKQ", "4"),
    "L": "5",
    **dict.fromkeys("MN", "6"),
    "R": "7",
    **dict.fromkeys("SZ", "8"),
}
_C_HARD_INITIAL = frozenset("AHKLOQRUX")
_C_HARD = frozenset("AHKOQUX")


def _letter_code(prev: str, letter: str, next_: str) -> str:
    """Code of one letter given its neighbours ("" at a word boundary); "" means no code."""
    if letter in _SIMPLE_CODES:
        return _SIMPLE_CODES[letter]
    if letter == "P":
        return "3" if next_ == "H" else "1"
    if letter in "DT":
        return "8" if next_ in ("C", "S", "Z") else "2"
    if letter == "X":
        return "8" if prev in ("C", "K", "Q") else "48"
    if letter == "C":
        if not prev:
            return "4" if next_ in _C_HARD_INITIAL else "8"
        if prev in ("S", "Z"):
            return "8"
        return "4" if next_ in _C_HARD else "8"
    return ""  # H and anything that is not a letter A–Z


def cologne_phonetic(text: str) -> str:
    """Return the Kölner Phonetik code of ``text`` (Postel 1969), e.g. "Wikipedia" → "3412".

    1. Normalise (umlauts become vowel pairs, ß becomes ss), upper-case.
    2. Code each letter A–Z by the rules for its neighbours; a non-letter is a word boundary.
    3. Collapse runs of equal codes, then drop every "0" except a leading one.
    Returns "" for text without Latin letters (e.g. a name in Cyrillic script).
    """
    upper = normalise_name(text).upper()
    codes: list[str] = []
    for i, letter in enumerate(upper):
        if not ("A" <= letter <= "Z"):
            continue
        prev = upper[i - 1] if i > 0 and "A" <= upper[i - 1] <= "Z" else ""
        next_ = upper[i + 1] if i + 1 < len(upper) and "A" <= upper[i + 1] <= "Z" else ""
        codes.append(_letter_code(prev, letter, next_))
    digits = "".join(codes)
    collapsed = "".join(d for i, d in enumerate(digits) if i == 0 or d != digits[i - 1])
    return collapsed[:1] + collapsed[1:].replace("0", "")
