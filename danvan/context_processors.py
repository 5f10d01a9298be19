"""What every page needs to draw the navigation."""

from organisations.selectors import user_roles


def navigation(request):
    """The current user's roles, so the menu shows only what they may use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": frozenset()}
    return {"nav_roles": user_roles(user)}
