"""Who must pass a second step at sign-in, and who must first set one up.

Anyone with a confirmed authenticator app enters its code after the password. Holders of the
roles in ``settings.OTP_REQUIRED_ROLES`` (superusers hold every role) must set an app up before
using the portal at all.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.two_factor import has_second_factor
from organisations.choices import Role
from organisations.selectors import user_roles


def required_roles() -> frozenset[str]:
    roles = frozenset(role.strip() for role in settings.OTP_REQUIRED_ROLES if role.strip())
    unknown = roles - set(Role.values)
    if unknown:
        raise ImproperlyConfigured(
            f"DJANGO_OTP_REQUIRED_ROLES names unknown roles {sorted(unknown)}; "
            f"the roles are {Role.values}."
        )
    return roles


def second_factor_required(user) -> bool:
    """Whether ``user``'s roles oblige them to have an authenticator app."""
    roles = required_roles()
    return bool(roles) and bool(roles & user_roles(user))


def second_factor_owed(user) -> str | None:
    """What this signed-in session still owes before the portal opens: "verify" (enter a code),
    "set_up" (set up an app first) or None."""
    if not user.is_authenticated or user.is_verified():
        return None
    if has_second_factor(user):
        return "verify"
    if second_factor_required(user):
        return "set_up"
    return None
