"""Every merger link of the tree, kept in memory between requests and read again only after the
tree changed.

Scoping a user or a report follows the links from a unit to the units merged into anything under
it, transitively. A province holds hundreds of links since the 2025 mergers (a few per new
commune), so following them in SQL meant joining the province's whole subtree to the links on
every request (hundreds of milliseconds at national scale). The links themselves are few (about
10,000 for the country), so each process keeps them, by successor path, and follows them with a
binary search.

The database says when they are stale: a statement-level trigger on the units and on the links
sets ``organisations_treeversion.version`` to a new value of a sequence whenever a unit is added,
removed or moved, its dates change or a link changes (migrations 0006 and 0011). The row is
transactional: other transactions see the new version when the change commits, and a rolled-back
change leaves the old version, whose cached links are still right (a sequence value is never handed
out twice, so a version seen inside a rolled-back transaction can never name other links later).
Without the row (after a truncation) nothing is cached. Bulk loaders that bypass the triggers call
``tree_changed``.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connections

# The version and every link, from one snapshot.
_LINKS_SQL = """
SELECT (SELECT version FROM organisations_treeversion WHERE id = 1), successor.path,
       predecessor.path
FROM organisations_organisation_merged_from link
JOIN organisations_organisation successor ON successor.id = link.from_organisation_id
JOIN organisations_organisation predecessor ON predecessor.id = link.to_organisation_id
UNION ALL
SELECT (SELECT version FROM organisations_treeversion WHERE id = 1), NULL, NULL
"""
VERSION_SQL = "SELECT version FROM organisations_treeversion WHERE id = 1"
_BUMP_SQL = """
INSERT INTO organisations_treeversion (id, version)
VALUES (1, nextval('organisations_treeversion_seq'))
ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version
"""


@dataclass(frozen=True)
class MergerIndex:
    """The links by successor path, sorted, so the successors under a path are one range."""

    successors: tuple[str, ...]
    predecessors: tuple[tuple[str, ...], ...]

    def merged_under(self, path: str) -> Iterator[str]:
        """The predecessors of every unit under ``path`` (itself included)."""
        index = bisect.bisect_left(self.successors, path)
        while index < len(self.successors) and self.successors[index].startswith(path):
            yield from self.predecessors[index]
            index += 1

    def widened(self, seeds: Iterable[tuple[str, str]]) -> list[tuple[str, str, bool]]:
        """``(role, path, direct)`` for each seed ``(role, path)`` (direct) and, transitively,
        for each unit merged into anything under a path found (with the seed's role)."""
        found: dict[tuple[str, str, bool], None] = {}
        waiting = []
        for role, path in seeds:
            found.setdefault((role, path, True), None)
            waiting.append((role, path))
        while waiting:
            role, path = waiting.pop()
            for predecessor in self.merged_under(path):
                row = (role, predecessor, False)
                if row not in found:  # a cycle of mergers ends here
                    found[row] = None
                    waiting.append((role, predecessor))
        return list(found)


_cache: dict[str, tuple[int, MergerIndex]] = {}
_lock = threading.Lock()


def merger_index(version: int | None, using: str = "default") -> MergerIndex:
    """The links as of ``version`` (read with ``VERSION_SQL`` by the caller, usually along with
    something it needed anyway): from memory when that version is cached, else from the
    database."""
    key = connections[using].settings_dict["NAME"]
    cached = _cache.get(key)
    if version is not None and cached is not None and cached[0] == version:
        return cached[1]
    with connections[using].cursor() as cursor:
        cursor.execute(_LINKS_SQL)
        rows = cursor.fetchall()
    read_version = next(row[0] for row in rows if row[1] is None)
    by_successor: dict[str, list[str]] = {}
    for _, successor, predecessor in rows:
        if successor is not None:
            by_successor.setdefault(successor, []).append(predecessor)
    successors = sorted(by_successor)  # Python's order, whatever the database's collation
    predecessors = [sorted(by_successor[successor]) for successor in successors]
    index = MergerIndex(tuple(successors), tuple(tuple(group) for group in predecessors))
    if read_version is not None:
        with _lock:
            _cache[key] = (read_version, index)
    return index


def tree_version(using: str = "default") -> int | None:
    """The tree's version now (None: unknown, so nothing kept under it may serve)."""
    with connections[using].cursor() as cursor:
        cursor.execute(VERSION_SQL)
        row = cursor.fetchone()
    return row[0] if row else None


def current_merger_index(using: str = "default") -> MergerIndex:
    return merger_index(tree_version(using), using)


def tree_changed(using: str = "default") -> None:
    """Mark the tree changed, for writers that bypass the triggers (bulk loads in replica mode)."""
    with connections[using].cursor() as cursor:
        cursor.execute(_BUMP_SQL)
