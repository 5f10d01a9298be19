"""The admin's "view on site" redirect (``/quan-tri/r/<content type>/<id>/``) answers for what
the admin may see, and 404 for anything else, exactly as for an id that does not exist."""

import datetime
import uuid

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile

from core.models import (
    EmailDelivery,
    ImportJob,
    Notification,
    NotificationPreference,
    PasswordChangeFailure,
    SavedFilter,
)
from models_registry.choices import ExportFormat
from models_registry.models import (
    Attachment,
    CreationToken,
    DanVanModel,
    ExportJob,
    Indicator,
    ResultReport,
    ResultValue,
    Theme,
    WorkflowEvent,
)
from organisations.choices import Role
from organisations.models import Membership, Organisation
from reports.models import Period, ReportJob, ReportSnapshot
from reviews.models import (
    Appraisal,
    AppraisalScore,
    Commendation,
    CommendationRound,
    Proposal,
    RoundEvent,
    Rubric,
    RubricBand,
    RubricCriterion,
)
from tests.factories import user_with_role

# National lists, the same for every admin: not owned by any unit.
NATIONAL = {Theme, Indicator, Rubric, RubricCriterion, RubricBand, Period}


def view_on_site(obj) -> str:
    content_type = ContentType.objects.get_for_model(obj)
    return f"/quan-tri/r/{content_type.pk}/{obj.pk}/"


@pytest.fixture
def province_objects(tree, cadre, reviewer, published_round):
    """One object of every kind with a page, all belonging to the first province."""
    model = DanVanModel.objects.get(commendations__round=published_round)
    report = ResultReport.objects.filter(model=model).first()
    indicator = Indicator.objects.first()
    value = ResultValue.objects.create(report=report, indicator=indicator, value=12)
    attachment = Attachment(
        model=model,
        original_name="anh.pdf",
        extension="pdf",
        content_type="application/pdf",
        size=4,
        uploaded_by=cadre,
    )
    attachment.file.save("anh.pdf", ContentFile(b"%PDF"), save=True)
    snapshot = ReportSnapshot.objects.create(
        organisation=tree.province,
        period_name="Năm 2025",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        version=1,
        figures={},
    )
    report_job = ReportJob.objects.create(
        requested_by=reviewer,
        organisation=tree.province,
        kind="workbook",
        period_name="Năm 2025",
        period_kind="year",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )
    notification = Notification.objects.create(
        recipient=cadre,
        kind="accepted",
        title="Đăng ký được duyệt",
        url=model.get_absolute_url(),
    )
    return {
        Organisation: tree.ward,
        Membership: Membership.objects.get(user=cadre),
        DanVanModel: model,
        ResultReport: report,
        CreationToken: CreationToken.objects.create(
            token=uuid.uuid4(), model=model, created_by=cadre
        ),
        ResultValue: value,
        Attachment: attachment,
        WorkflowEvent: WorkflowEvent.objects.filter(model=model).first(),
        Proposal: Proposal.objects.get(model=model),
        Appraisal: Appraisal.objects.filter(proposal__model=model).first(),
        AppraisalScore: AppraisalScore.objects.filter(appraisal__proposal__model=model).first(),
        CommendationRound: published_round,
        Commendation: Commendation.objects.get(round=published_round),
        RoundEvent: RoundEvent.objects.filter(round=published_round).first(),
        ReportSnapshot: snapshot,
        ReportJob: report_job,
        ExportJob: ExportJob.objects.create(requested_by=reviewer, format=ExportFormat.XLSX),
        Notification: notification,
        NotificationPreference: NotificationPreference.objects.create(user=cadre),
        EmailDelivery: EmailDelivery.objects.create(notification=notification),
        PasswordChangeFailure: PasswordChangeFailure.objects.create(user=cadre),
        ImportJob: ImportJob.objects.create(
            requested_by=reviewer, kind="models", title="Nhập mô hình", file_name="mo-hinh.xlsx"
        ),
        # Its owner's only, even to the admin of the same province.
        SavedFilter: SavedFilter.objects.create(
            user=cadre, page="hang-cho", name="Chờ duyệt", query="status=submitted"
        ),
    }


@pytest.fixture
def other_admin(tree):
    """The admin of the other province: staff in the admin site, limited to that province."""
    return user_with_role(tree.other_province, Role.ADMIN, username="quantri.hanoi")


def test_every_kind_with_a_page_is_covered():
    """A new kind with a page must be added to the test below (or be a national list)."""
    project_apps = {"danvan", "organisations", "models_registry", "reviews", "reports"}
    with_pages = {
        model
        for model in apps.get_models()
        if model._meta.app_label in project_apps and hasattr(model, "get_absolute_url")
    }
    covered = set(KINDS) | NATIONAL
    assert with_pages - covered == set()


KINDS = [
    Organisation,
    Membership,
    DanVanModel,
    ResultReport,
    ResultValue,
    Attachment,
    CreationToken,
    WorkflowEvent,
    Proposal,
    Appraisal,
    AppraisalScore,
    CommendationRound,
    Commendation,
    RoundEvent,
    ReportSnapshot,
    ReportJob,
    ExportJob,
    Notification,
    NotificationPreference,
    EmailDelivery,
    PasswordChangeFailure,
    ImportJob,
    SavedFilter,
]


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
def test_out_of_scope_object_answers_like_a_missing_one(
    client_for, province_objects, other_admin, kind
):
    obj = province_objects[kind]
    assert obj is not None
    client = client_for(other_admin)
    missing = view_on_site(obj).replace(f"/{obj.pk}/", "/987654321/")
    if kind in (ExportJob, ReportJob, ImportJob, CreationToken):  # uuid keys
        missing = view_on_site(obj).replace(str(obj.pk), "00000000-0000-0000-0000-000000000000")
    assert client.get(missing).status_code == 404
    response = client.get(view_on_site(obj))
    assert response.status_code == 404 and not response.has_header("Location")


def test_the_admins_own_objects_still_open_on_the_site(
    client_for, tree, admin_user, province_objects
):
    client = client_for(admin_user)
    for kind in (Organisation, Membership, DanVanModel, ReportSnapshot, ResultReport):
        obj = province_objects[kind]
        response = client.get(view_on_site(obj))
        assert response.status_code == 302, kind
        assert response["Location"].endswith(obj.get_absolute_url())


def test_a_saved_filter_opens_for_its_owner_only(client_for, admin_user, province_objects):
    # The province's own admin sees the cadre's models, not the cadre's saved filters.
    saved = province_objects[SavedFilter]
    assert client_for(admin_user).get(view_on_site(saved)).status_code == 404


def test_ids_of_no_kind_and_of_the_wrong_shape_are_404(client_for, admin_user, tree):
    client = client_for(admin_user)
    unit = ContentType.objects.get_for_model(Organisation)
    assert client.get(f"/quan-tri/r/{unit.pk}/abc/").status_code == 404
    assert client.get(f"/quan-tri/r/987654/{tree.ward.pk}/").status_code == 404


def test_cadres_are_sent_to_the_login_page(client_for, cadre, tree):
    unit = ContentType.objects.get_for_model(Organisation)
    response = client_for(cadre).get(f"/quan-tri/r/{unit.pk}/{tree.ward.pk}/")
    assert response.status_code == 302 and "/quan-tri/login/" in response["Location"]
