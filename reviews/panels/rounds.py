"""A model's commendations across rounds, on its page."""

from __future__ import annotations

from core import hooks
from reviews.selectors.rounds import model_commendations


@hooks.register(hooks.MODEL_DETAIL)
def commendations_panel(request, model) -> hooks.Panel | None:
    """The commendations of the model that the user may see; no panel when there are none."""
    lines = model_commendations(request.user, model)
    if not lines:
        return None
    return hooks.Panel("reviews/partials/_commendations_panel.html", {"lines": lines}, order=200)
