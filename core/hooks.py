"""Extension points: an app adds panels to the pages of apps it depends on, never the reverse.

The registry's model page and the home page call ``panels(...)``; the reviews app registers what
it shows there (review actions, appraisals, commendations, the reviewer's queue counters) when
it is loaded. So dependencies keep pointing one way (Wagtail's hooks, in small).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

MODEL_DETAIL = "model_detail"  # called with (request, model)
HOME = "home"  # called with (request,)


@dataclass
class Panel:
    """A template to include and its context; lower ``order`` shows first."""

    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


_registry: dict[str, list[Callable[..., Panel | None]]] = defaultdict(list)


def register(hook: str):
    """Decorator: ``fn(request, *args) -> Panel | None`` is called for every ``hook`` page."""

    def decorate(fn):
        _registry[hook].append(fn)
        return fn

    return decorate


def panels(hook: str, request, *args) -> list[Panel]:
    """The panels every registered app gives for this page, in order."""
    found = [fn(request, *args) for fn in _registry[hook]]
    return sorted((panel for panel in found if panel is not None), key=lambda p: p.order)
