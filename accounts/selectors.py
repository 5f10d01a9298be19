"""Whose accounts an admin manages, and where they may grant roles.

An admin manages a person iff every membership of that person lies in the subtrees the admin
holds the admin role on (a person with no membership belongs to nobody's subtree). Superuser
accounts are never managed here, whoever asks: they are the system's own, kept in the admin site.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat

from core.text import search_text
from organisations.choices import Role
from organisations.models import Membership, Organisation, SearchText
from organisations.pickers import unit_options
from organisations.querysets import scope_paths, subtree_q, with_predecessors
from organisations.selectors import nearby_units


def may_manage_accounts(user) -> bool:
    """Whether ``user`` has the account pages at all: an admin of some unit, or a superuser."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(scope_paths(user, [Role.ADMIN]))


def manageable_units(by) -> QuerySet[Organisation]:
    """The units ``by`` may give roles on: their admin subtrees (with units merged into them)."""
    return Organisation.objects.visible_to(by, [Role.ADMIN])


def manageable_accounts(by) -> QuerySet:
    """The accounts ``by`` manages (see the module's docstring), with their profiles."""
    accounts = get_user_model().objects.filter(is_superuser=False)
    if not by.is_authenticated or not by.is_active:
        return accounts.none()
    if not by.is_superuser:
        paths = scope_paths(by, [Role.ADMIN])
        if not paths:
            return accounts.none()
        inside = subtree_q(paths, "organisation__path")
        person_memberships = Membership.objects.filter(user=OuterRef("pk"))
        accounts = accounts.filter(Exists(person_memberships.filter(inside))).exclude(
            Exists(person_memberships.exclude(inside))
        )
    return accounts.select_related("account_profile")


def account_search(accounts: QuerySet, text: str) -> QuerySet:
    """``accounts`` whose name, username, e-mail or phone contains ``text``, diacritics and case
    ignored (the database's ``danvan_search_text`` is the same normalisation as ``search_text``).
    """
    needle = search_text(text)
    if not needle:
        return accounts
    phone_digits = "".join(ch for ch in needle if ch.isdigit())
    condition = Q(searchable__contains=needle)
    if phone_digits and len(phone_digits) >= 3:
        condition |= Q(account_profile__phone__contains=phone_digits)
    return accounts.annotate(
        searchable=SearchText(
            Concat(
                "first_name",
                Value(" "),
                "last_name",
                Value(" "),
                "username",
                Value(" "),
                "email",
                Value(" "),
                "account_profile__phone",
                output_field=TextField(),
            )
        )
    ).filter(condition)


def account_list(by, *, text: str = "", unit=None, role: str = "", active: str = "") -> QuerySet:
    """The list page's accounts: searched, filtered by a unit's subtree (with the units merged
    into it) and a role held there, and by state ("1" active, "0" locked); with their roles."""
    accounts = account_search(manageable_accounts(by), text)
    if unit is not None or role:
        memberships = Membership.objects.all()
        if unit is not None:
            paths = with_predecessors([unit.path])
            memberships = memberships.filter(subtree_q(paths, "organisation__path"))
        if role:
            memberships = memberships.filter(role=role)
        accounts = accounts.filter(pk__in=memberships.values("user_id"))
    if active in ("0", "1"):
        accounts = accounts.filter(is_active=active == "1")
    return accounts.order_by("first_name", "username", "pk").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("organisation").order_by(
                "organisation__path", "role"
            ),
        )
    )


def unit_choices(by, include=()) -> list[tuple[int, str]]:
    """The unit picker's options: the top of ``by``'s admin scope and two levels below."""
    return unit_options(nearby_units(by, [Role.ADMIN], levels=2, include=include))
