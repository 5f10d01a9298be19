"""Load the demo organisation tree and demo users (idempotent: a second run changes nothing)."""

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from danvan.spreadsheets import parse_date
from organisations import services
from organisations.models import Organisation

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


def demo_password() -> str:
    return json.loads((FIXTURES / "demo_users.json").read_text("utf-8"))["password"]


def demo_logins() -> list[tuple[str, str]]:
    """(username, description) of every demo user, for the start-up banner."""
    from organisations.choices import Role

    data = json.loads((FIXTURES / "demo_users.json").read_text("utf-8"))
    names = dict(Organisation.objects.values_list("code", "name"))
    logins = []
    for user in data["users"]:
        if user.get("superuser"):
            logins.append((user["username"], "quản trị hệ thống (toàn quốc)"))
            continue
        roles = ", ".join(
            f"{Role(role).label} – {names.get(code, code)}" for code, role in user["memberships"]
        )
        logins.append((user["username"], roles))
    return logins


class Command(BaseCommand):
    help = "Nạp dữ liệu demo: cây đơn vị theo các bài báo nguồn và người dùng demo."

    @transaction.atomic
    def handle(self, *args, **options):
        tree = json.loads((FIXTURES / "demo_organisations.json").read_text("utf-8"))["tree"]
        created = self._load_nodes(tree, parent=None)
        merges = self._load_merges(tree)
        users = self._load_users()
        self.stdout.write(
            f"Dữ liệu demo: {created} đơn vị mới, {merges} quan hệ sáp nhập, "
            f"{users} người dùng mới."
        )

    def _load_nodes(self, nodes, parent) -> int:
        created = 0
        for node in nodes:
            unit = Organisation.objects.filter(code=node["code"]).first()
            if unit is None:
                unit = services.organisation_create(
                    parent=parent,
                    organisation=Organisation(
                        code=node["code"],
                        name=node["name"],
                        short_name=node.get("short_name", ""),
                        kind=node["kind"],
                        level=node["level"],
                        valid_from=parse_date(node.get("valid_from")),
                        valid_to=parse_date(node.get("valid_to")),
                    ),
                )
                created += 1
            created += self._load_nodes(node.get("children", []), parent=unit)
        return created

    def _load_merges(self, nodes) -> int:
        count = 0
        for node in nodes:
            if node.get("merged_from"):
                unit = Organisation.objects.get(code=node["code"])
                predecessors = list(Organisation.objects.filter(code__in=node["merged_from"]))
                if set(unit.merged_from.all()) != set(predecessors):
                    services.organisation_set_predecessors(
                        organisation=unit, predecessors=predecessors
                    )
                    count += len(predecessors)
            count += self._load_merges(node.get("children", []))
        return count

    def _load_users(self) -> int:
        data = json.loads((FIXTURES / "demo_users.json").read_text("utf-8"))
        User = get_user_model()
        created = 0
        for entry in data["users"]:
            user = User.objects.filter(username=entry["username"]).first()
            if user is None:
                user = User(
                    username=entry["username"],
                    # Vietnamese names put the family name first: keep the whole name in one
                    # field so get_full_name() reads it in the right order.
                    first_name=entry["full_name"],
                    is_superuser=entry.get("superuser", False),
                    is_staff=entry.get("superuser", False),
                )
                user.set_password(data["password"])
                user.save()
                created += 1
            for code, role in entry["memberships"]:
                services.membership_grant(
                    user=user, organisation=Organisation.objects.get(code=code), role=role
                )
        return created
