"""Choose a list that covers more baskets: a greedy, soft max-coverage re-ranking.

A hit rate asks whether *any* item of the list is in the next basket, and a ranker that scores
items one at a time fills the top with items that are bought together: when one misses, the others
miss with it. The baskets that the query is about (the anchor's recent baskets, the customer's own
recent baskets, or for a customer with none the shop's latest first orders) tell which items go
together. Each basket starts with weight 1; picking an item
multiplies the weight of every basket holding it by ``1 - discount``. An item's value is its
ranking score plus ``weight * log((left + s) / (held + s))``, where ``held`` is the number of
those baskets holding it, ``left`` their weight still uncovered and ``s`` is ``SMOOTHING``: an
item whose baskets are all covered by the picks above it moves down, an item that reaches other
baskets keeps its score. Items in none of the baskets keep their score.

Values only fall as picks are made, so a lazy greedy (a heap of stale upper bounds, re-checked at
the top) picks exactly what re-scoring every candidate each round would, in a few hundred
operations: the 10 or 20 picks of a query cost far less than building its candidates.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from itertools import repeat

__all__ = ["cover", "cover_held"]

#: keeps log((left + SMOOTHING) / (held + SMOOTHING)) finite; small, so that an item held in one
#: or two of the baskets still moves down once they are covered (full UCI year, against 0.5, with
#: 100 uncapped baskets per product: next-basket HitRate@10 0.6892 -> 0.6914, bought-together
#: 0.6887 -> 0.6892)
SMOOTHING = 0.1
#: the default weight of every basket no pick has covered (``map(dict.get, keys, _ONES)``)
_ONES = repeat(1.0)


def cover(
    ranked: Iterable[tuple[float, str]],
    baskets: Sequence[Collection[str]],
    *,
    weight: float,
    discount: float,
) -> Iterator[tuple[float, str]]:
    """(value, item) in greedy order, from ``ranked`` (score, item) pairs best first.

    Ties keep the order of ``ranked``. With no baskets, or ``weight`` 0, it yields ``ranked``
    unchanged; every item is yielded once, so a caller takes as many as it needs.

    Examples
    --------
    Both ``tea`` and ``cup`` were in the same two baskets, ``jam`` in the third: once ``tea``
    is picked, ``jam`` reaches a basket that ``cup`` cannot.

    >>> ranked = [(3.0, "tea"), (2.9, "cup"), (2.5, "jam")]
    >>> baskets = [("tea", "cup"), ("tea", "cup"), ("jam",)]
    >>> [item for _, item in cover(ranked, baskets, weight=1.0, discount=0.5)]
    ['tea', 'jam', 'cup']
    >>> [item for _, item in cover(ranked, baskets, weight=0.0, discount=0.5)]
    ['tea', 'cup', 'jam']
    >>> [(round(v, 3), item) for v, item in cover(ranked, [], weight=1.0, discount=0.5)]
    [(3.0, 'tea'), (2.9, 'cup'), (2.5, 'jam')]
    """
    ranked = list(ranked)
    if not baskets or weight <= 0:
        yield from ranked
        return
    pool = {item for _, item in ranked}
    # per candidate the baskets holding it (a C-speed intersection per basket: baskets are often
    # long and the candidates in each few)
    holding: dict[str, list[int]] = {}
    for index, basket in enumerate(baskets):
        for item in pool.intersection(basket):
            holding.setdefault(item, []).append(index)
    yield from cover_held(ranked, holding, weight=weight, discount=discount)


def cover_held(
    ranked: Iterable[tuple[float, str]],
    holding: Mapping[str, Collection[int]],
    *,
    weight: float,
    discount: float,
) -> Iterator[tuple[float, str]]:
    """:func:`cover` with the baskets given as an index: ``holding[item]`` = the numbers of the
    baskets holding it (items in none left out). For baskets an index is kept for as they are
    learned (:class:`~online_models.recommend.first_baskets.FirstBaskets`): reading a
    thousand baskets per query would cost more than the whole query.

    >>> ranked = [(3.0, "tea"), (2.9, "cup"), (2.5, "jam")]
    >>> held = {"tea": [7, 8], "cup": [7, 8], "jam": [9]}
    >>> [item for _, item in cover_held(ranked, held, weight=1.0, discount=0.5)]
    ['tea', 'jam', 'cup']
    """
    ranked = list(ranked)
    if not holding or weight <= 0:
        yield from ranked
        return
    score = {item: value for value, item in ranked}
    #: the weight left of each basket a pick covered (1 for the others, not stored: an index
    #: can name a thousand baskets, and a query picks ten items)
    uncovered: dict[int, float] = {}
    weight_of = uncovered.get
    keep = 1.0 - discount

    def value(item: str) -> float:
        indices = holding.get(item)
        if indices is None:
            return score[item]
        left = sum(map(weight_of, indices, _ONES))
        return score[item] + weight * math.log((left + SMOOTHING) / (len(indices) + SMOOTHING))

    # (-value bound, position in ranked, item): the position breaks ties as ``ranked`` did
    heap = [(-given, position, item) for position, (given, item) in enumerate(ranked)]
    heapq.heapify(heap)
    while heap:
        _, position, item = heapq.heappop(heap)
        current = (-value(item), position)
        if heap and current > heap[0][:2]:
            heapq.heappush(heap, (current[0], position, item))
            continue
        yield -current[0], item
        for index in holding.get(item, ()):
            uncovered[index] = weight_of(index, 1.0) * keep
