"""Benchmarks of the organisation tree at national scale (150,000 units)."""

from __future__ import annotations

from bench.common import fresh, logged_in, page, plan, print_measures, timed, user, write_results
from organisations.choices import OrganisationLevel, Role
from organisations.models import Organisation


def run(root: Organisation, *, repeat: int, generated_in: float | None) -> dict:
    total = Organisation.objects.count()
    province = Organisation.objects.filter(path__startswith=root.path, depth=2).order_by("path")[0]
    commune = (
        Organisation.objects.filter(path__startswith=province.path, level=OrganisationLevel.COMMUNE)
        .order_by("path")
        .first()
    )

    reviewer = user("bench.thamdinh", province, Role.REVIEWER)
    cadre = user("bench.canbo", commune, Role.CADRE)
    national = user("bench.quantri", superuser=True)
    clients = {
        "reviewer": logged_in(reviewer),
        "cadre": logged_in(cadre),
        "national": logged_in(national),
    }

    province_units = Organisation.objects.visible_to(reviewer).count()
    figures = {
        "organisations": total,
        "province_subtree": province_units,
        "commune_subtree": Organisation.objects.visible_to(cadre).count(),
        "generated_in_s": generated_in,
        "measures": {},
    }
    measures = figures["measures"]

    measures["scope: count a province subtree (queries included)"] = timed(
        lambda: Organisation.objects.visible_to(fresh(reviewer)).count(), repeat
    )
    measures["scope: count the whole country (superuser)"] = timed(
        lambda: Organisation.objects.visible_to(national).count(), repeat
    )
    measures["page: tree, province reviewer"] = timed(page(clients["reviewer"], "/don-vi/"), repeat)
    measures["page: search 'tan hoa', province reviewer"] = timed(
        page(clients["reviewer"], "/don-vi/", q="tan hoa"), repeat
    )
    measures["page: search 'tan hoa', whole country"] = timed(
        page(clients["national"], "/don-vi/", q="tan hoa"), repeat
    )
    measures["page: province detail (children paginated)"] = timed(
        page(clients["reviewer"], f"/don-vi/{province.pk}/"), repeat
    )
    measures["fragment: expand a province"] = timed(
        page(clients["reviewer"], f"/don-vi/{province.pk}/don-vi-con/"), repeat
    )
    measures["page: commune detail, commune cadre"] = timed(
        page(clients["cadre"], f"/don-vi/{commune.pk}/"), repeat
    )

    plans = {
        "province subtree count": plan(
            Organisation.objects.visible_to(fresh(reviewer)).values("pk")
        ),
        "search in the whole country": plan(
            Organisation.objects.matching("tan hoa").order_by("depth", "name")[:51]
        ),
    }

    print("\n== Cây đơn vị ==")
    print(
        f"Organisations: {total:_} (province subtree {province_units:_}, "
        f"commune subtree {figures['commune_subtree']:_})".replace("_", ".")
    )
    if generated_in is not None:
        print(f"Generated in {generated_in} s")
    print_measures(measures)
    whole = measures["scope: count the whole country (superuser)"]["median_ms"]
    part = measures["scope: count a province subtree (queries included)"]["median_ms"]
    print(f"\nprovince subtree / whole-country count time: {part / whole:.2f}")
    for name, text in plans.items():
        print(f"\nPlan — {name}:\n{text}")

    figures["plans"] = plans
    write_results("organisations.json", figures)
    return figures
