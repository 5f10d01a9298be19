"""Which models a unit's report counts, and in which row of its child-unit table each one falls.

A report for a period counts every unit where it stood at the end of that period (the "structure
date"): the tree as it is, with only the mergers that had taken effect by then followed. A merger
link (predecessor → successor, ``merged_from``) takes effect the day after the predecessor's
``valid_to``, or on the successor's ``valid_from`` when the predecessor has no end date; a link
with neither date is in effect for every period. So:

- a merged-away unit's report for a period that ended before its merger shows everything it held
  then, its descendants since merged elsewhere included (a former city for 2023 counts its old
  wards, which now belong to new wards under another unit);
- for a period after a merger the merged unit counts under its successor: an old commune C1
  under a former district D, merged into a new commune N under the child X of the unit, is
  counted in X's row, not in D's, and not in D's own report either; a unit under the unit
  merged into a unit outside it is counted there, not here;
- a successor's report includes each of its predecessors exactly once, as a row of its own,
  whether the merger had taken effect by the structure date (the predecessor's subtree, less
  what had left it) or not (everything the predecessor held then, its own predecessors of the
  time included) — so a province's report for 2023 shows the province merged into it in 2025 as
  a row "(cũ)", and a new ward's report for 2023 shows the old wards it was formed from;
- a predecessor of a unit *below* the unit, not yet merged at the structure date, is counted
  where it stood then (in another row, or in another unit's report), never twice.

The rows of a unit's child table add up to its report; a row is the drilled-down report of its
unit, except for a unit that took predecessors in after the structure date (its own report adds
them as rows of its own, which this report counts where they stood). The mergers of the unit
itself and of its ancestors are not followed: a merged-away unit's own report shows what it held.

The previous period of a report is counted with the same structure (like with like).

All of this is a handful of prefix rules on the owning unit's materialised path: the SQL filters
and groups by a nested ``CASE`` over them, nested by tree level so that each row is compared with
a few prefixes only, never with every merger of a province.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Case, CharField, Q, Value, When
from django.db.models.functions import Substr

from organisations.mergers import tree_version
from organisations.models import Organisation
from organisations.querysets import subtree_q, with_predecessors

_PATH = re.compile(r"[0-9A-Z]*")
GROUPED_ABOVE = 8  # more sibling rules than this get an intermediate prefix level in the CASE


@dataclass
class _Node:
    path: str
    row: str | None  # the row's unit path; None: counted outside this report
    children: list[_Node] = field(default_factory=list)


@dataclass(frozen=True)
class ReportScope:
    """The models of a unit's report and their child-table rows, as SQL on a path lookup."""

    path: str
    child_length: int
    roots: tuple[str, ...]  # the subtrees that may reach the unit (``with_predecessors``)
    rules: tuple[tuple[str, str | None], ...]  # (unit path, row or None), in path order
    # The unit's predecessors, rows of their own: (path, the day the merger took effect or None)
    predecessor_rows: tuple[tuple[str, date | None], ...]
    as_of: date | None  # the structure date: the tree as it stood at the end of that day
    whole_tree: bool = False  # the unit is the tree's only root: its report counts every row
    # What the methods below derived from the rules, kept with the scope (``report_scope``
    # keeps scopes between requests).
    _derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def q(self, path_lookup: str) -> Q:
        """A filter for the rows whose owning unit counts in this report."""
        if self.whole_tree:
            # Nothing to filter: the national report's queries need not join every row to its
            # unit (the indicator sums of a year took a quarter of a second doing so).
            return Q()
        inside = subtree_q(self.roots, path_lookup)
        exceptions = _exceptions(self._tree(), True, path_lookup)
        return inside if exceptions is None else inside & ~exceptions

    def row_key(self, path_lookup: str):
        """A SQL expression naming a counted row's child-table row (a unit's path)."""
        default = Substr(path_lookup, 1, self.child_length)
        return _case(self._grouped(self._tree()), path_lookup, default)

    @property
    def prefix_length(self) -> int:
        """A length of path prefix that no rule cuts across: every model with the same prefix of
        this length falls in the same row, so models can be grouped by it first."""
        return max([self.child_length, *(len(path) for path, _ in self.rules)])

    @property
    def filter_length(self) -> int:
        """The longest path that ``q`` compares: whether a model counts is decided the same on
        any prefix of its unit's path at least this long."""
        if "filter_length" not in self._derived:
            paths = (*self.roots, *_exception_paths(self._tree(), True))
            self._derived["filter_length"] = max(len(path) for path in paths)
        return self._derived["filter_length"]

    def prefix_key(self, path_lookup: str):
        return Substr(path_lookup, 1, self.prefix_length)

    def row_sql(self, column: str) -> str:
        """``row_key`` as SQL over a column holding ``prefix_key``'s value, for a query that has
        grouped its rows by prefix first (the CASE then runs once a group, not once a row).
        Paths are written in as literals: they are treebeard's digits and capitals only, and a
        province's hundreds of placeholders cost more to parse than the query to run."""
        key = ("row_sql", column)
        if key not in self._derived:
            self._derived[key] = self._row_sql(column)
        return self._derived[key]

    def _row_sql(self, column: str) -> str:
        def literal(path: str, pattern: str = "") -> str:
            if not _PATH.fullmatch(path):
                raise ValueError(f"not a tree path: {path!r}")
            return f"'{path}{pattern}'"

        def case(nodes, default: str) -> str:
            if not nodes:
                return default
            whens = " ".join(
                f"WHEN {column} LIKE {literal(node.path, '%%')} "
                f"THEN {case(node.children, literal(node.row or ''))}"
                for node in nodes
            )
            return f"CASE {whens} ELSE {default} END"

        return case(self._grouped(self._tree()), f"substr({column}, 1, {self.child_length})")

    def row_of(self, path: str) -> str | None:
        """The same, in Python, for one owning unit's path (None: not in this report)."""
        if not any(path.startswith(root) for root in self.roots):
            return None
        for prefix, row in reversed(self.rules):
            if path.startswith(prefix):
                return row
        return path[: self.child_length]

    def _tree(self) -> list[_Node]:
        top: list[_Node] = []
        stack: list[_Node] = []
        for path, row in self.rules:
            node = _Node(path, row)
            while stack and not path.startswith(stack[-1].path):
                stack.pop()
            (stack[-1].children if stack else top).append(node)
            stack.append(node)
        return top

    def _grouped(self, nodes: list[_Node]) -> list[_Node]:
        """The rules under the unit itself grouped by child, so that a row's ``CASE`` first
        picks its child, then a merger within it (the child is the row when none matches)."""
        by_child: dict[str, list[_Node]] = {}
        result = []
        for node in nodes:
            if node.path.startswith(self.path) and len(node.path) > self.child_length:
                by_child.setdefault(node.path[: self.child_length], []).append(node)
            else:
                result.append(_deepened(node, self.step))
        for child, members in by_child.items():
            group = _Node(child, child, members)
            result.append(_deepened(group, self.step))
        return result

    @property
    def step(self) -> int:
        return Organisation.steplen


def _deepened(node: _Node, step: int) -> _Node:
    """``node`` with many rules below it grouped by the next tree level, recursively."""
    if len(node.children) > GROUPED_ABOVE:
        groups: dict[str, list[_Node]] = {}
        for child in node.children:
            groups.setdefault(child.path[: len(node.path) + step], []).append(child)
        if len(groups) < len(node.children):
            node = _Node(
                node.path,
                node.row,
                [
                    members[0] if len(members) == 1 else _Node(prefix, node.row, members)
                    for prefix, members in groups.items()
                ],
            )
    node.children = [_deepened(child, step) for child in node.children]
    return node


def _exceptions(nodes: list[_Node], included: bool, lookup: str) -> Q | None:
    """The paths under ``nodes`` whose inclusion is not ``included`` (their parent's)."""
    parts = []
    for node in nodes:
        own = node.row is not None
        inner = _exceptions(node.children, own, lookup)
        if own == included:
            if inner is not None:
                parts.append(inner)
            continue
        condition = Q(**{f"{lookup}__startswith": node.path})
        parts.append(condition if inner is None else condition & ~inner)
    return reduce(or_, parts) if parts else None


def _exception_paths(nodes: list[_Node], included: bool):
    """The paths ``_exceptions`` compares."""
    for node in nodes:
        own = node.row is not None
        if own != included:
            yield node.path
        yield from _exception_paths(node.children, own)


def _case(nodes: list[_Node], lookup: str, default):
    if not nodes:
        return default
    whens = [
        When(
            **{f"{lookup}__startswith": node.path},
            then=_case(node.children, lookup, Value(node.row or "")),
        )
        for node in nodes
    ]
    return Case(*whens, default=default, output_field=CharField())


def merger_date(predecessor_end: date | None, successor_start: date | None) -> date | None:
    """The day a merger takes effect: after the predecessor's last day, or the successor's first
    day; None when neither is known (the merger then counts for every period)."""
    if predecessor_end is not None:
        return predecessor_end + timedelta(days=1)
    return successor_start


# The scopes computed, by (database, tree version, unit path, structure date): a scope depends on
# the tree alone, and the whole country's reads its ten thousand merger links (50 ms).
_scopes: dict[tuple, ReportScope] = {}
_scopes_lock = threading.Lock()
SCOPES_KEPT = 256  # a province's scope is some 50 KB in memory, the country's less (few rules)


def report_scope(organisation: Organisation, as_of: date | None = None) -> ReportScope:
    """How ``organisation``'s report counts its subtree and its predecessors, with the tree as it
    stood at the end of ``as_of`` (None: every merger followed, as for today's structure).

    Kept in memory under the tree's version (``organisations.mergers``), which moves on with
    every change to units, their dates or merger links: one small query when kept, else the
    merger links within the subtrees that may reach the unit too.
    """
    version = tree_version()
    key = (connection.settings_dict["NAME"], version, organisation.path, as_of)
    if version is not None and (kept := _scopes.get(key)) is not None:
        return kept
    scope = _report_scope(organisation, as_of, version)
    if version is not None:
        with _scopes_lock:
            if len(_scopes) >= SCOPES_KEPT:
                _scopes.clear()  # the old versions' scopes, mostly; counted again when asked
            _scopes[key] = scope
    return scope


def _report_scope(organisation: Organisation, as_of: date | None, version: int | None):
    own, step = organisation.path, organisation.steplen
    child_length = len(own) + step
    roots = tuple(with_predecessors([own], version=version))
    links = (
        Organisation.merged_from.through.objects.filter(subtree_q(roots, "to_organisation__path"))
        .order_by("to_organisation__path", "from_organisation__path")
        .values_list(
            "to_organisation__path",
            "from_organisation__path",
            "to_organisation__valid_to",
            "from_organisation__valid_from",
        )
    )
    in_effect: dict[str, str] = {}  # predecessor → successor, mergers done by ``as_of``
    to_come: dict[str, list[str]] = {}  # successor → predecessors merged into it after ``as_of``
    merged_on: dict[str, date | None] = {}  # the unit's own predecessors → their merger's date
    for predecessor, heir, ended, began in links:
        if own.startswith(predecessor):
            # The unit's own merger, and its ancestors', are not followed: a merged-away unit's
            # report shows what it held.
            continue
        when = merger_date(ended, began)
        if heir == own:
            merged_on.setdefault(predecessor, when)
        if as_of is None or when is None or when <= as_of:
            # A unit split between several successors is counted under the first of them, by
            # path, so that it is counted once.
            in_effect.setdefault(predecessor, heir)
        else:
            to_come.setdefault(heir, []).append(predecessor)

    # The unit's predecessors not merged yet at ``as_of``, and theirs (transitively): each counts
    # in the row of the unit's direct predecessor it leads to.
    earlier: dict[str, str] = {}
    waiting = [(predecessor, predecessor) for predecessor in to_come.get(own, [])]
    while waiting:
        predecessor, row = waiting.pop()
        if predecessor in earlier or predecessor in in_effect or predecessor.startswith(own):
            continue  # counted already, or where its own merger or its place in the tree puts it
        earlier[predecessor] = row
        waiting.extend((older, row) for older in to_come.get(predecessor, []))

    def nearest(table, path: str) -> str | None:
        for end in range(len(path), 0, -step):
            if path[:end] in table:
                return path[:end]
        return None

    def row_for(path: str) -> str | None:
        """The row counting a unit's models (None: not in this report), following the mergers
        in effect from the unit up to where it stood at ``as_of``."""
        seen = set()
        while (merged := nearest(in_effect, path)) is not None:
            if merged in seen:
                return None  # a cycle of mergers reaches nothing
            seen.add(merged)
            heir = in_effect[merged]
            if heir == own:
                return merged  # merged straight into the unit: a row of its own
            path = heir
        if path.startswith(own):
            return path[:child_length]
        before = nearest(earlier, path)
        return earlier[before] if before is not None else None

    rules: list[tuple[str, str | None]] = []
    enclosing: list[tuple[str, str | None]] = []  # the rules above the unit, innermost last
    for unit in sorted({*in_effect, *earlier, *roots} - {own}):
        row = row_for(unit)
        # In path order, a rule's subtree is a run of units: once left, it encloses no other.
        while enclosing and not unit.startswith(enclosing[-1][0]):
            enclosing.pop()
        outside = not enclosing and not unit.startswith(own)
        inherited = enclosing[-1][1] if enclosing else unit[:child_length]
        # A unit from outside is a rule of its own, whatever its row; a rule that changes nothing
        # is left out of the SQL.
        if outside or row != inherited:
            rules.append((unit, row))
            enclosing.append((unit, row))
    predecessor_rows = tuple(
        (path, merged_on[path]) for path in sorted(merged_on) if row_for(path) == path
    )
    whole_tree = organisation.depth == 1 and not (
        Organisation.objects.get_root_nodes().exclude(pk=organisation.pk).exists()
    )
    return ReportScope(own, child_length, roots, tuple(rules), predecessor_rows, as_of, whole_tree)
