"""Products with alike names: an inverted index of name words, weighed by their rarity (IDF).

Shops name a range's members alike ("Lunch bag red spot", "Lunch bag pink spot"), and a range
sells together. Co-purchase counts know that only once pairs have been bought; the names know it
from a product's first order, so a rarely bought product still has neighbours. The ranker takes
the similarity as one more feature of an item query and reaches a few alike products as
candidates.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

__all__ = ["NameIndex", "best_of", "words"]

#: a word: three or more letters of any script (digits, sizes and codes say little)
_WORD = re.compile(r"[^\W\d_]{3,}")
#: words indexed per name (its first ones): a name pasted with a whole description would
#: otherwise cost every query that reads it
MAX_WORDS = 12


def _best_first(pair: tuple[str, float]) -> tuple[float, str]:
    return -pair[1], pair[0]


def best_of(scores: dict[str, float], n: int) -> list[tuple[str, float]]:
    """The ``n`` best (product, score) pairs, best first, ties by product id.

    A cart's scores hold hundreds of products: the cut-off is found with a C-speed sort of
    bare floats, and only the pairs at or above it are sorted with the tie-breaking key.

    >>> best_of({"b": 0.5, "a": 0.5, "c": 0.9, "d": 0.1}, 3)
    [('c', 0.9), ('a', 0.5), ('b', 0.5)]
    """
    if n <= 0:
        return []
    chosen = scores.items()
    if len(scores) > n:
        cutoff = sorted(scores.values(), reverse=True)[n - 1]
        chosen = [pair for pair in chosen if pair[1] >= cutoff]
    return sorted(chosen, key=_best_first)[:n]


def words(name: str) -> tuple[str, ...]:
    """The first ``MAX_WORDS`` distinct words of a product name, case-folded, in the order
    they appear.

    >>> words("Lunch Bag RED Spot, red")
    ('lunch', 'bag', 'red', 'spot')
    >>> words("15cm 3-pack")
    ('pack',)
    >>> len(words(" ".join(f"word{chr(97 + i)}x" for i in range(20))))
    12
    """
    found = dict.fromkeys(w.casefold() for w in _WORD.findall(name))
    return tuple(found)[:MAX_WORDS]


class NameIndex:
    """Which products share which name words, and how rare each word is.

    Parameters
    ----------
    max_share
        A word in more than this share of the products (and more than ``min_common`` of them)
        is too common to tell products apart; it is left out of queries.
    max_postings
        A word in more products than this is left out all the same: it bounds a query's cost on
        a large catalogue (50,000 products would let 5 % be 2,500 per word, ~7 ms a query).

    Examples
    --------
    >>> index = NameIndex()
    >>> for pid, name in [("1", "Lunch bag red spot"), ("2", "Lunch bag pink spot"),
    ...                   ("3", "Tea cup red"), ("4", "Tea cup pink"), ("5", "Cake stand")]:
    ...     index.learn(pid, name)
    >>> [(p, round(s, 2)) for p, s in index.similar(["1"], 3)]
    [('2', 0.75), ('3', 0.25)]
    >>> index.closest("4", ["5", "3", "1"])
    '3'
    >>> index.learn("2", "Cake tin")
    >>> [p for p, _ in index.similar(["1"], 3)]
    ['3']
    """

    def __init__(
        self, max_share: float = 0.05, min_common: int = 50, max_postings: int = 250
    ) -> None:
        self.max_share = max_share
        self.min_common = min_common
        self.max_postings = max_postings
        self._name: dict[str, str] = {}
        self._words: dict[str, tuple[str, ...]] = {}
        self._postings: dict[str, dict[str, None]] = {}

    def __len__(self) -> int:
        return len(self._name)

    def learn(self, product_id: str, name: str) -> None:
        """Index (or re-index) a product under its current name; cheap when it is unchanged."""
        if self._name.get(product_id) == name:
            return
        self._unindex(product_id)
        self._name[product_id] = name
        found = words(name)
        self._words[product_id] = found
        for word in found:
            self._postings.setdefault(word, {})[product_id] = None

    def forget(self, product_id: str) -> None:
        self._unindex(product_id)
        self._name.pop(product_id, None)

    def _unindex(self, product_id: str) -> None:
        for word in self._words.pop(product_id, ()):
            posting = self._postings[word]
            del posting[product_id]
            if not posting:
                del self._postings[word]

    def _idf(self, word: str) -> float:
        """Rarity of a word; 0 for a word too common to use (see ``max_share``)."""
        posting = self._postings.get(word)
        if not posting:
            return 0.0
        held, total = len(posting), len(self._name)
        if held > self.max_postings or (held > self.min_common and held > self.max_share * total):
            return 0.0
        return math.log((1 + total) / held)

    def scores(self, anchors: Iterable[str]) -> dict[str, float]:
        """Every product whose name shares a usable word with an anchor's (anchors left out):
        per anchor, the IDF weight of the shared words over that of all the anchor's words,
        averaged over the anchors (so in [0, 1])."""
        anchors = list(dict.fromkeys(anchors))
        scores: dict[str, float] = {}
        for anchor in anchors:
            weights = {w: self._idf(w) for w in self._words.get(anchor, ())}
            total = sum(weights.values()) * len(anchors)
            if total <= 0:
                continue
            for word, weight in weights.items():
                if weight <= 0:
                    continue
                share = weight / total
                for product_id in self._postings[word]:
                    scores[product_id] = scores.get(product_id, 0.0) + share
        for anchor in anchors:
            scores.pop(anchor, None)
        return scores

    def similar(self, anchors: Iterable[str], limit: int) -> list[tuple[str, float]]:
        """The ``limit`` best of :meth:`scores`, best first (ties: by product id)."""
        return best_of(self.scores(anchors), limit)

    def closest(self, product_id: str, anchors: Iterable[str]) -> str | None:
        """The anchor whose name shares the most (IDF-weighed) words with the product's, or
        none that shares any (what a "similar to ..." reason names)."""
        own = set(self._words.get(product_id, ()))
        best, best_weight = None, 0.0
        for anchor in anchors:
            weight = sum(self._idf(w) for w in self._words.get(anchor, ()) if w in own)
            if weight > best_weight:
                best, best_weight = anchor, weight
        return best

    def __repr__(self) -> str:
        return f"NameIndex(products={len(self._name)}, words={len(self._postings)})"
