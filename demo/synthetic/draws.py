"""Fast weighted draws for synthetic data."""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterable


class FastRandom(random.Random):
    """``random.Random`` whose choice, randrange and sample scale one float.

    The standard methods draw unbiased integers bit by bit, which is most of the time spent
    making a million rows; the bias of scaling a float does not matter for made-up data.
    """

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randrange(self, start, stop=None, step=1):
        if stop is None:
            start, stop = 0, start
        return start + int(self.random() * (stop - start))

    def sample(self, population, k, *, counts=None):
        pool = list(population)
        size = len(pool)
        for index in range(k):
            other = index + int(self.random() * (size - index))
            pool[index], pool[other] = pool[other], pool[index]
        return pool[:k]


def cumulative(weights: Iterable[float]) -> list[float]:
    """Running totals of ``weights``, for ``pick``."""
    total, cumulative = 0.0, []
    for weight in weights:
        total += weight
        cumulative.append(total)
    return cumulative


def pick(cumulative: list[float], rng: random.Random) -> int:
    """An index drawn in proportion to the weights behind ``cumulative``."""
    return bisect.bisect(cumulative, rng.random() * cumulative[-1])


def apportion(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders), summing exactly."""
    whole = sum(weights)
    shares = [total * weight / whole for weight in weights]
    counts = [int(share) for share in shares]
    order = sorted(range(len(weights)), key=lambda i: counts[i] - shares[i])
    for index in order[: total - sum(counts)]:
        counts[index] += 1
    return counts
