"""The detail page reads a model in a fixed number of statements, whatever it holds."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from models_registry import services
from models_registry.choices import Status
from models_registry.models import Indicator, Theme
from organisations.mergers import current_merger_index
from tests.factories import DanVanModelFactory
from tests.models_registry.conftest import PDF, upload

# Session, user, scope; the model with the names and ids of its themes, territory and
# coordinating units; its origin and replicas; its result reports with their values; every file;
# the audit trail; the commendations panel; the workflow events.
DETAIL_STATEMENTS = 10


def statements(captured) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def rich_model(tree, cadre, size: int):
    """A model with ``size`` themes, territory units, replicas, result reports (each with
    values and a file) and files of its own."""
    origin = DanVanModelFactory(owning_unit=tree.ward, status=Status.RECOGNISED, name="Gốc")
    model = DanVanModelFactory(
        owning_unit=tree.ward,
        status=Status.DRAFT,
        replicated_from=origin,
        themes=list(Theme.objects.all()[:size]),
    )
    model.territory.set([tree.residential, tree.ward][:size])
    model.coordinating_units.set([tree.other_ward])
    services.attachment_add(
        model=model, by=cadre, uploads=[upload(f"tep-{n}.pdf", PDF) for n in range(size)]
    )
    model.status = Status.ACCEPTED
    model.save()
    for number in range(size):
        DanVanModelFactory(
            owning_unit=tree.ward,
            status=Status.ACCEPTED,
            replicated_from=model,
            name=f"Bản {number}",
        )
    indicators = list(Indicator.objects.all()[:size])
    for number in range(size):
        services.result_report_create(
            model=model,
            by=cadre,
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 6, 30),
            narrative=f"Kết quả {number}",
            values={indicator: Decimal("12.5") for indicator in indicators},
            uploads=[upload(f"minh-chung-{number}.pdf", PDF)],
        )
    return model


@pytest.mark.parametrize("size", [1, 3])
@pytest.mark.parametrize("who", ["cadre", "reviewer"])
def test_the_detail_page_costs_the_same_statements_whatever_it_holds(
    request, client_for, tree, cadre, size, who
):
    model = rich_model(tree, cadre, size)
    client = client_for(request.getfixturevalue(who))
    current_merger_index()  # read once a process after the tree changed, not once a request
    with CaptureQueriesContext(connection) as captured:
        response = client.get(model.get_absolute_url())
    assert response.status_code == 200
    assert len(statements(captured)) == DETAIL_STATEMENTS, statements(captured)
    page = response.content.decode()
    assert page.count("Bản ") >= size and "Gốc" in page
    assert all(f"tep-{n}.pdf" in page and f"minh-chung-{n}.pdf" in page for n in range(size))
    assert all(f"Kết quả {n}" in page for n in range(size))
    assert page.count("12,5") == size * size
    assert tree.other_ward.name in page and tree.residential.name in page
    assert all(theme.name in page for theme in Theme.objects.all()[:size])
    assert not any(sql.startswith(("UPDATE", "INSERT")) for sql in statements(captured))
