"""No GET parameter of any page answers 500: every list, filter, report and admin changelist is
walked with hostile values, as a superuser and as a cadre."""

from __future__ import annotations

import datetime
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.contrib import admin
from django.shortcuts import resolve_url
from django.urls import reverse

from models_registry.filters import DanVanModelFilter
from reviews.filters import ReviewQueueFilter
from tests.factories import DanVanModelFactory

# Already percent-encoded, so that bytes no form would send (NUL, invalid UTF-8, a lone
# surrogate) reach the server as an attacker would send them.
HOSTILE_VALUES = [
    "abc%00def",
    quote("99999999999999999999"),
    "-1",
    "0",
    "9999",
    "1e400",
    quote("x" * 5000),
    quote("2024-02-30"),
    quote("0001-01-01"),
    "%FF%FE" + quote("\u202e\U0001f4a9\u0301'; --"),
    # Digits to str.isdigit() that int() refuses: superscript two, circled one.
    quote("\u00b2"),
    quote("1\u2460"),
]

GENERIC_PARAMS = ["page", "q", "sort", "o", "p"]


def _params_of(filterset_class) -> list[str]:
    return list(filterset_class.base_filters)


def _pages(model_pk: int, unit_pk: int, round_pk: int) -> list[tuple[str, dict, list[str]]]:
    """(path, valid base parameters, parameter names to attack) for every GET page that reads
    its query string."""
    pages = [
        (reverse("organisations:organisation_tree"), {}, ["q", "page"]),
        (reverse("organisations:organisation_detail", args=[unit_pk]), {}, ["page"]),
        (reverse("organisations:organisation_children", args=[unit_pk]), {}, ["page"]),
        (reverse("organisations:organisation_picker"), {"q": "a"}, ["q", "under", "role"]),
        (reverse("models_registry:model_list"), {}, [*_params_of(DanVanModelFilter), "page"]),
        (
            reverse("models_registry:model_export"),
            {"format": "xlsx"},
            [*_params_of(DanVanModelFilter), "format"],
        ),
        (reverse("models_registry:model_picker"), {}, ["q", "exclude"]),
        (reverse("models_registry:model_detail", args=[model_pk]), {}, ["page"]),
        (reverse("reviews:queue"), {}, [*_params_of(ReviewQueueFilter), "page"]),
        (reverse("reviews:round_list"), {}, ["page", "q"]),
        (reverse("reviews:round_detail", args=[round_pk]), {}, ["q", "page"]),
        (reverse("reports:report"), {"don_vi": str(unit_pk)}, ["don_vi", "ky"]),
        (reverse("reports:snapshot_list"), {"don_vi": str(unit_pk)}, ["don_vi", "ky", "page"]),
        (
            reverse("reports:records"),
            {"don_vi": str(unit_pk), "ky": "2025", "chi_tieu": "active"},
            [
                *("don_vi", "ky", "chi_tieu", "linh_vuc", "loai", "dong", "ky_truoc"),
                *("hinh_thuc", "chu_the", "chi_so", "page"),
            ],
        ),
        (
            reverse("reviews:round_bulk_nominate", args=[round_pk]),
            {"don_vi": str(unit_pk), "tu_ngay": "01/01/2025", "den_ngay": "31/12/2025"},
            ["don_vi", "tu_ngay", "den_ngay", "loai"],
        ),
        (reverse("accounts:account_list"), {}, ["q", "unit", "role", "active", "page"]),
        (reverse("notification_list"), {}, ["page"]),
        (reverse("home"), {}, ["page"]),
    ]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        names = ["q", "o", "p"]
        for item in model_admin.list_filter:
            if isinstance(item, str):
                names += [f"{item}__exact"]
        if model_admin.date_hierarchy:
            field = model_admin.date_hierarchy
            names += [f"{field}__year", f"{field}__month", f"{field}__day"]
        pages.append((url, {}, names))
    return pages


def _query(base: dict, name: str | None = None, value: str = "", repeat: int = 1) -> str:
    """The base parameters, with ``name`` (if given) set to ``value``, ``repeat`` times."""
    parts = [f"{quote(key)}={quote(val)}" for key, val in base.items() if key != name]
    if name is not None:
        parts += [f"{quote(name)}={value}"] * repeat
    return "&".join(parts)


@pytest.fixture
def walk_data(tree, cadre):
    from reviews.models import CommendationRound

    model = DanVanModelFactory(owning_unit=tree.ward, created_by=cadre)
    commendation_round = CommendationRound.objects.create(
        title="Sơ kết 2025",
        kind="interim",
        organising_unit=tree.province,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        held_on=datetime.date(2025, 12, 20),
    )
    return _pages(model.pk, tree.ward.pk, commendation_round.pk)


def _sent_to_log_in(response) -> bool:
    """Refused before any view runs: the admin site sends whoever is not staff to its log-in."""
    return response.status_code == 302 and urlsplit(response["Location"]).path in {
        reverse("admin:login"),
        resolve_url(settings.LOGIN_URL),
    }


def _walk(client, pages) -> list[str]:
    failures = []

    def attack(path, base, name) -> list:
        answers = []
        for value in HOSTILE_VALUES:
            query = _query(base, name, value)
            response = client.get(path, QUERY_STRING=query)
            answers.append(response)
            if response.status_code >= 500:
                failures.append(f"{path}?{query[:120]} → {response.status_code}")
        # The same parameter many times over.
        query = _query(base, name, "2", repeat=50)
        response = client.get(path, QUERY_STRING=query)
        answers.append(response)
        if response.status_code >= 500:
            failures.append(f"{path}?{name}=2 ×50 → {response.status_code}")
        return answers

    for path, base, names in pages:
        names = list(dict.fromkeys(names))
        plain = client.get(path, QUERY_STRING=_query(base))
        if plain.status_code >= 500:
            failures.append(f"{path}?{_query(base)} → {plain.status_code}")
        if _sent_to_log_in(plain):
            # The page is not this user's (an admin changelist for a cadre): no view reads its
            # parameters, so every hostile value goes once, in one of them (the log-in's
            # ``next`` still carries it). Should any answer be other than the log-in or a 400
            # (a NUL byte is refused before any view), every parameter is attacked after all.
            answers = attack(path, base, names[0])
            if all(_sent_to_log_in(answer) or answer.status_code == 400 for answer in answers):
                continue
            names = names[1:]
        for name in names:
            attack(path, base, name)
    return failures


@pytest.mark.parametrize("who", ["superuser", "cadre"])
def test_no_get_parameter_answers_500(who, request, client, walk_data):
    client.raise_request_exception = False
    client.force_login(request.getfixturevalue(who))
    failures = _walk(client, walk_data)
    assert not failures, "\n".join(failures)


def test_a_nul_byte_in_a_search_is_a_vietnamese_400(client, cadre, tree):
    client.force_login(cadre)
    response = client.get(reverse("organisations:organisation_tree"), QUERY_STRING="q=%00")
    assert response.status_code == 400
    assert "ký tự không hợp lệ" in response.content.decode()


@pytest.mark.parametrize("year", ["0", "-1", "99999999999999999999", "1989", "9999"])
def test_a_year_outside_the_range_is_ignored_not_an_error(client, cadre, tree, year):
    DanVanModelFactory(owning_unit=tree.ward, created_by=cadre, name="Nuôi Dê")
    client.force_login(cadre)
    response = client.get(reverse("models_registry:model_list"), {"year": year})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Năm bắt đầu" in page and "Nuôi Dê" in page
