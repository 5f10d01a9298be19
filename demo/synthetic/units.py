"""The owning units of synthetic models: the provinces, communes and residential areas."""

from __future__ import annotations

from dataclasses import dataclass, field

from organisations.choices import OrganisationLevel
from organisations.models import Organisation


@dataclass
class Commune:
    """A commune, its mass organisations and its residential areas (primary keys)."""

    pk: int
    bodies: list[int] = field(default_factory=list)
    areas: list[int] = field(default_factory=list)


@dataclass
class Province:
    """A province, its own bodies and its communes."""

    pk: int
    units: list[int] = field(default_factory=list)  # the province and its own bodies
    communes: list[Commune] = field(default_factory=list)
    commune_weights: list[float] = field(default_factory=list)  # cumulative


def load_units(root: Organisation) -> list[Province]:
    """The provinces under ``root`` with their communes, bodies and residential areas."""
    provinces: dict[str, Province] = {}
    communes: dict[str, Commune] = {}
    step = Organisation.steplen
    rows = (
        Organisation.objects.filter(path__startswith=root.path, depth__gt=root.depth)
        .order_by("path")
        .values_list("pk", "path", "depth", "level")
    )
    for pk, path, depth, level in rows.iterator(chunk_size=10_000):
        relative = depth - root.depth
        if relative == 1:
            provinces[path] = Province(pk=pk, units=[pk])
            continue
        province = provinces.get(path[: (root.depth + 1) * step])
        if province is None:
            continue
        if relative == 2:
            if level == OrganisationLevel.COMMUNE:
                communes[path] = commune = Commune(pk=pk)
                province.communes.append(commune)
            else:
                province.units.append(pk)
            continue
        commune = communes.get(path[: (root.depth + 2) * step])
        if commune is None:
            province.units.append(pk)
        elif level == OrganisationLevel.RESIDENTIAL:
            commune.areas.append(pk)
        else:
            commune.bodies.append(pk)
    return [province for province in provinces.values() if province.communes]
