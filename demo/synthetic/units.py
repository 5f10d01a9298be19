"""The owning units of synthetic models: the provinces, communes and residential areas, today's
and the former ones merged into them."""

from __future__ import annotations

from dataclasses import dataclass, field

from organisations.choices import OrganisationLevel
from organisations.models import Organisation


@dataclass
class Commune:
    """A commune, its mass organisations and its residential areas (primary keys); for one of
    today's, the former communes merged into it."""

    pk: int
    bodies: list[int] = field(default_factory=list)
    areas: list[int] = field(default_factory=list)
    predecessors: list[Commune] = field(default_factory=list)


@dataclass
class Province:
    """A province of today, its own bodies and its communes, and the former provinces merged
    into it with their bodies."""

    pk: int
    units: list[int] = field(default_factory=list)  # the province and its own bodies
    communes: list[Commune] = field(default_factory=list)
    commune_weights: list[float] = field(default_factory=list)  # cumulative
    former_units: list[int] = field(default_factory=list)  # former provinces and their bodies


def load_units(root: Organisation) -> list[Province]:
    """Today's provinces under ``root`` with their communes, bodies, residential areas and the
    former units merged into them (two queries)."""
    provinces: dict[str, Province] = {}
    former_provinces: dict[str, list[int]] = {}  # path → the province and its bodies
    districts: set[str] = set()
    communes: dict[str, Commune] = {}
    by_pk: dict[int, Commune] = {}
    former_by_pk: dict[int, list[int]] = {}
    step = Organisation.steplen
    rows = (
        Organisation.objects.filter(path__startswith=root.path, depth__gt=root.depth)
        .order_by("path")
        .values_list("pk", "path", "depth", "level", "valid_to")
    )
    for pk, path, depth, level, valid_to in rows.iterator(chunk_size=10_000):
        parent = path[:-step]
        if depth - root.depth == 1:
            if valid_to is None:
                provinces[path] = Province(pk=pk, units=[pk])
            else:
                former_provinces[path] = former_by_pk[pk] = [pk]
        elif parent in communes:
            commune = communes[parent]
            (commune.areas if level == OrganisationLevel.RESIDENTIAL else commune.bodies).append(pk)
        elif level == OrganisationLevel.DISTRICT and (
            parent in provinces or parent in former_provinces
        ):
            districts.add(path)
        elif level == OrganisationLevel.COMMUNE and (parent in provinces or parent in districts):
            communes[path] = by_pk[pk] = commune = Commune(pk=pk)
            if parent in provinces and valid_to is None:
                provinces[parent].communes.append(commune)
        elif parent in provinces:
            provinces[parent].units.append(pk)
        elif parent in former_provinces:
            former_provinces[parent].append(pk)
    successors = {province.pk: province for province in provinces.values()}
    links = Organisation.merged_from.through.objects.filter(
        from_organisation__path__startswith=root.path
    ).values_list("from_organisation_id", "to_organisation_id")
    for successor, predecessor in links.iterator(chunk_size=10_000):
        if successor in by_pk and predecessor in by_pk:
            by_pk[successor].predecessors.append(by_pk[predecessor])
        elif successor in successors and predecessor in former_by_pk:
            successors[successor].former_units.extend(former_by_pk[predecessor])
    return [province for province in provinces.values() if province.communes]
