"""What every page needs to draw the navigation."""

from core.notifications import unread_count
from organisations.selectors import user_roles


def navigation(request):
    """The current user's roles, so the menu shows only what they may use, and the bell's count."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": frozenset(), "unread_notifications": 0}
    return {"nav_roles": user_roles(user), "unread_notifications": unread_count(user)}
