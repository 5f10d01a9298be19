"""Figures kept in the cache under a version that every write moves on.

A version is a database sequence moved on by a statement trigger of the tables a figure is counted
from (``nextval`` is never rolled back: a write moves it whether it commits or not). A figure kept
under the version read at the start of the request is counted again after any write; the scope in
the key keeps each user's figures apart, and the time bounds only what the version cannot see (a
write committed while the figure was being counted).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection

T = TypeVar("T")


def sequence_version(sequence: str) -> int:
    """The last value a sequence gave (0 before its first), without moving it."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT last_value, is_called FROM "{sequence}"')
        value, called = cursor.fetchone()
    return value if called else 0


def kept(name: str, version: int, scope: str, count: Callable[[], T], seconds: int) -> T:
    """``count()``, kept for ``seconds`` under ``name``, ``version`` and ``scope`` (the user's
    reach, as text: users of different scopes never share a figure)."""
    digest = hashlib.sha256(scope.encode()).hexdigest()
    return cache.get_or_set(f"{name}:{version}:{digest}", count, seconds)
