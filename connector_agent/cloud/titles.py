"""Title and category normalisation for cross-store keys, and the title similarity used in mapping.

The normalisation must equal the cloud's (``cloud_api.fallbacks``; a contract test checks it):
NFKC, case-folded, punctuation removed, tokens sorted — so case and word order never matter.
Similarity is the Dice coefficient of the titles' character trigrams, taken per token so word
order does not matter either, and a small typo costs only a few trigrams.
"""

from __future__ import annotations

import re
import unicodedata

_PUNCT = re.compile(r"[^\w\s]|_", re.UNICODE)


def normalise_title(text: str) -> str:
    """``"Mug, Enamel WHITE"`` -> ``"enamel mug white"``."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(sorted(_PUNCT.sub(" ", folded).split()))


def normalise_category(path: list[str]) -> str:
    """``["Home", " Kitchen "]`` -> ``"home > kitchen"``."""
    return " > ".join(" ".join(part.casefold().split()) for part in path if part.strip())


def trigrams(title: str) -> frozenset[str]:
    """Character trigrams of each token of a normalised title, padded so short words count.

    >>> sorted(trigrams("mug"))
    [' mu', 'g  ', 'mug', 'ug ']
    """
    grams: set[str] = set()
    for token in title.split():
        padded = f" {token}  "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """2·|a ∩ b| / (|a| + |b|), in 0..1.

    >>> round(dice(trigrams("enamel mug white"), trigrams("enamel mug whte")), 2)
    0.85
    """
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))
