"""The organisation tree and a unit's page, both limited to the user's scope."""

from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views import View
from django.views.generic import DetailView, TemplateView

from core.text import whole_number
from organisations import selectors
from organisations.choices import Role
from organisations.models import Membership, Organisation

SEARCH_RESULTS_SHOWN = 50
PICKER_RESULTS = 20
CHILDREN_PER_PAGE = 100


class ScopedOrganisationMixin:
    """Looks the unit up among those the user may see: anything else is a 404."""

    def get_queryset(self):
        return Organisation.objects.visible_to(self.request.user)


class OrganisationTreeView(TemplateView):
    """The tree, lazily expanded node by node, and a search box that ignores diacritics."""

    template_name = "organisations/organisation_tree.html"

    def is_search_fragment(self) -> bool:
        """htmx asks for the results only, as the user types."""
        return bool(self.request.headers.get("HX-Request")) and "q" in self.request.GET

    def get_template_names(self):
        if self.is_search_fragment():
            return ["organisations/partials/_search_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        query = self.request.GET.get("q", "").strip()
        context["query"] = query
        if query:
            results = selectors.organisation_search(user, query, limit=SEARCH_RESULTS_SHOWN + 1)
            context["results"] = results[:SEARCH_RESULTS_SHOWN]
            context["results_truncated"] = len(results) > SEARCH_RESULTS_SHOWN
        if not self.is_search_fragment():
            context["roots"] = selectors.tree_roots(user)
        return context


class OrganisationPickerView(View):
    """The unit pickers' suggestions, as JSON: units in the user's scope whose name matches the
    text with or without diacritics, each with its parent's name to say where it sits;
    ``under`` keeps to one unit's subtree (a round's organising unit, say), ``role`` to the
    units where the user holds that role."""

    def get(self, request):
        text = request.GET.get("q", "").strip()[:100]
        under = None
        if "under" in request.GET:
            # Only under a unit the user can see; any other is not found.
            pk = whole_number(request.GET["under"])
            under = get_object_or_404(Organisation.objects.visible_to(request.user), pk=pk or 0)
        # "role" (repeated): only the units where the user holds one of these roles.
        roles = [role for role in request.GET.getlist("role") if role in Role.values] or None
        units = (
            selectors.organisation_search(
                request.user, text, PICKER_RESULTS, under=under, roles=roles
            )
            if text
            else []
        )
        results = [
            {"value": unit.pk, "text": unit.name, "context": unit.parent_name or ""}
            for unit in units
        ]
        return JsonResponse({"results": results})


class OrganisationChildrenView(ScopedOrganisationMixin, DetailView):
    """The children of one node: the fragment the tree loads when a node is expanded."""

    template_name = "organisations/partials/_tree_children.html"
    context_object_name = "parent"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["children"] = selectors.tree_children(self.request.user, self.object)
        return context


class OrganisationDetailView(ScopedOrganisationMixin, DetailView):
    """One unit: its data, its place in the tree, mergers, children and members."""

    template_name = "organisations/organisation_detail.html"
    context_object_name = "organisation"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        organisation = self.object
        visible = Organisation.objects.visible_to(user)
        context["ancestors"] = selectors.visible_ancestors(user, organisation)
        context["merged_from"] = visible.filter(merged_into=organisation).order_by("name")
        context["merged_into"] = visible.filter(merged_from=organisation).order_by("name")
        children = selectors.tree_children(user, organisation)
        context["children_page"] = Paginator(children, CHILDREN_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        context["can_see_members"] = selectors.has_role_on(user, organisation, [Role.ADMIN])
        if context["can_see_members"]:
            context["members"] = (
                Membership.objects.filter(organisation=organisation)
                .select_related("user")
                .order_by("role", "user__username")
            )
        return context
