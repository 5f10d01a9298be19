"""Prepare the provider's database: its tables, its people and the portal as a confidential
client. Run as ``python -m tests.oidc_provider.seed <redirect URI>``; prints each person's
subject ("sub") as JSON."""

import json
import sys

import django


def main(redirect_uri: str) -> None:
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    people = {}
    for username in ("nguoi.lien.ket", "nguoi.la", "nguoi.bi.khoa"):
        user = get_user_model().objects.create_user(username, password=PASSWORD)
        people[username] = str(user.pk)
    Application.objects.create(
        name="Cổng Dân vận khéo",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect_uri,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=False,
    )
    print(json.dumps(people))


PASSWORD = "mat-khau-mot-cua"  # noqa: S105
CLIENT_ID = "cong-dan-van-kheo"
CLIENT_SECRET = "bi-mat-cua-cong"  # noqa: S105

if __name__ == "__main__":
    main(sys.argv[1])
