"""Which models a unit's report counts, and in which row of its child-unit table each one falls.

A unit merged into another (the 2025 mergers) rolls up under its successor, wherever the two sit
in the tree. ``with_predecessors`` gives every subtree that may reach the unit; this module then
follows each merger to its successor so that a merged unit is counted once, under the unit that
took it over:

- an old commune C1 under a former district D, merged into a new commune N under the child X of
  the unit, is counted in X's row, not in D's, and not in D's own report either;
- a unit from outside merged into a grandchild is counted in the row of the child holding it;
- a unit merged straight into the unit is a row of its own ("sáp nhập vào");
- a unit under the unit merged into a unit outside it is counted there, not here.

So the rows of a unit's child table are exactly the drilled-down reports of those rows, and they
add up to the unit's report. The mergers of the unit itself and of its ancestors are not
followed: a merged-away unit's own report still shows what it held.

All of this is a handful of prefix rules on the owning unit's materialised path: the SQL filters
and groups by a nested ``CASE`` over them, nested by tree level so that each row is compared with
a few prefixes only, never with every merger of a province.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Case, CharField, Q, Value, When
from django.db.models.functions import Substr

from organisations.models import Organisation
from organisations.querysets import subtree_q, with_predecessors

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
    merged_rows: tuple[str, ...]  # units merged straight into the unit: rows of their own
    whole_tree: bool = False  # the unit is the tree's only root: its report counts every row

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


def report_scope(organisation: Organisation) -> ReportScope:
    """How ``organisation``'s report counts its subtree and the units merged into it (two
    queries: the subtrees that may reach it, and the mergers within them)."""
    own, step = organisation.path, organisation.steplen
    child_length = len(own) + step
    roots = tuple(with_predecessors([own]))
    links = (
        Organisation.merged_from.through.objects.filter(subtree_q(roots, "to_organisation__path"))
        .order_by("to_organisation__path", "from_organisation__path")
        .values_list("to_organisation__path", "from_organisation__path")
    )
    successor: dict[str, str] = {}
    for predecessor, heir in links:
        # The unit's own merger, and its ancestors', are not followed here: a merged-away
        # unit's report shows what it held. A unit split between several successors is
        # counted under the first of them, by path, so that it is counted once.
        if own.startswith(predecessor) or predecessor in successor:
            continue
        successor[predecessor] = heir

    def nearest_merged(path: str) -> str | None:
        for end in range(len(path), 0, -step):
            if path[:end] in successor:
                return path[:end]
        return None

    def row_after_merger(merged: str) -> str | None:
        seen = set()
        while True:
            seen.add(merged)
            heir = successor[merged]
            if heir == own:
                return merged
            if not heir.startswith(roots):
                return None
            following = nearest_merged(heir)
            if following is None or following in seen:
                return heir[:child_length] if heir.startswith(own) else None
            merged = following

    rules: list[tuple[str, str | None]] = []
    merged_rows = []
    for merged in sorted(successor):
        row = row_after_merger(merged)
        if row == merged:
            merged_rows.append(merged)
        enclosing = next((rule for rule in reversed(rules) if merged.startswith(rule[0])), None)
        if enclosing is not None:
            inherited = enclosing[1]
        elif merged.startswith(own):
            inherited = merged[:child_length]
        else:  # a unit from outside: a rule of its own, whatever its row
            rules.append((merged, row))
            continue
        if row != inherited:  # a rule that changes nothing is left out of the SQL
            rules.append((merged, row))
    whole_tree = organisation.depth == 1 and not (
        Organisation.objects.get_root_nodes().exclude(pk=organisation.pk).exists()
    )
    return ReportScope(own, child_length, roots, tuple(rules), tuple(merged_rows), whole_tree)
