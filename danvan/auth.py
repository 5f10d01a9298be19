"""The authentication backend: Django's, with the bell's unread count read with the user."""

from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from accounts.models import AccountProfile
from core.models import Notification


class PortalBackend(ModelBackend):
    """Loads the signed-in user, their unread notifications and whether they must change their
    password (``accounts.middleware``) in the same query.

    Every page shows the count on the bell; reading it here keeps pages at the query counts
    they had before notifications existed.
    """

    def get_user(self, user_id):
        unread = (
            Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
            .order_by()
            .values("recipient")
            .annotate(total=Count("*"))
            .values("total")
        )
        user = (
            self.user_model_queryset()
            .annotate(
                unread_notifications=Coalesce(Subquery(unread), 0, output_field=IntegerField()),
                must_change_password=Exists(
                    AccountProfile.objects.filter(user=OuterRef("pk"), must_change_password=True)
                ),
            )
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None

    def user_model_queryset(self):
        from django.contrib.auth import get_user_model

        return get_user_model()._default_manager.all()
