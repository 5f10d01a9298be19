"""Scoped reads of proposals, rounds and commendations; every review page starts here."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from models_registry.choices import Status
from organisations.choices import Role
from organisations.querysets import ScopedQuerySetMixin

# Who builds and publishes commendation rounds (and sees them while they are drafts).
ROUND_MANAGER_ROLES = (Role.REVIEWER, Role.ADMIN)


class RubricQuerySet(models.QuerySet):
    def active(self):
        """The rubric version new score sheets use."""
        return self.filter(is_active=True)


class ProposalQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Proposals of the models ``user`` may see."""
        from models_registry.models import DanVanModel

        return self.filter(model__in=DanVanModel.objects.visible_to(user).values("pk"))

    def open(self):
        """Proposals still being appraised: not concluded, and their model still proposed.

        A model discontinued while proposed leaves its proposal unconcluded (the registry does not
        know of proposals), and that proposal is no longer open.
        """
        return self.filter(closed_at__isnull=True, model__status=Status.PROPOSED)


class CommendationRoundQuerySet(ScopedQuerySetMixin, models.QuerySet):
    scope_path_lookup = "organising_unit__path"

    def visible_to(self, user, roles=None):
        """Rounds organised in ``user``'s subtrees; drafts only to reviewers and admins there."""
        visible = super().visible_to(user, roles)
        if not user or not user.is_authenticated or user.is_superuser:
            return visible
        managed = super().visible_to(user, ROUND_MANAGER_ROLES).values("pk")
        return visible.filter(Q(status="published") | Q(pk__in=managed))

    def managed_by(self, user):
        """Rounds ``user`` may build and publish: reviewers and admins of the organising unit."""
        return super().visible_to(user, ROUND_MANAGER_ROLES)

    def published(self):
        return self.filter(status="published")


class CommendationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Commendations of models ``user`` may see: published ones, and drafts of their rounds."""
        from models_registry.models import DanVanModel
        from reviews.models import CommendationRound

        return self.filter(
            Q(round__status="published")
            | Q(round__in=CommendationRound.objects.managed_by(user).values("pk")),
            model__in=DanVanModel.objects.visible_to(user).values("pk"),
        )

    def in_force(self):
        """Not revoked after publication."""
        return self.filter(revoked_at__isnull=True)
