"""A form posted twice (a double click, a resent page) records its result once."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from demo.files import pdf_bytes
from models_registry.choices import EventAction, Status
from models_registry.models import Attachment
from tests.factories import DanVanModelFactory


def test_a_result_report_posted_twice_is_recorded_once(client_for, tree, cadre):
    model = DanVanModelFactory(owning_unit=tree.ward, status=Status.ACCEPTED)
    client = client_for(cadre)
    url = reverse("models_registry:result_report_create", args=[model.pk])

    def post():
        evidence = SimpleUploadedFile(
            "bien-ban.pdf", pdf_bytes("Bien ban", ["Nghiem thu"]), "application/pdf"
        )
        data = {
            "period_start": "01/01/2025",
            "period_end": "30/06/2025",
            "narrative": "Vận động 120 hộ hiến 1.500 m² đất.",
            "indicator_households": "120",
            "attachments": [evidence],
        }
        return client.post(url, data, follow=True)

    first, second = post(), post()
    assert first.status_code == second.status_code == 200
    assert model.result_reports.count() == 1
    assert Attachment.objects.filter(model=model).count() == 1
    assert model.events.filter(action=EventAction.RESULT_REPORTED).count() == 1
    said = [str(message) for message in second.context["messages"]]
    assert any("đã được lưu" in message for message in said), said

    # Another report of the same period, with other content, is still recorded.
    client.post(
        url,
        {"period_start": "01/01/2025", "period_end": "30/06/2025", "narrative": "Bổ sung."},
    )
    assert model.result_reports.count() == 2


def test_submit_and_discontinue_posted_twice_say_it_is_done_already(client_for, tree, cadre):
    model = DanVanModelFactory(owning_unit=tree.ward, created_by=cadre)
    client = client_for(cadre)
    submit = reverse("models_registry:model_submit", args=[model.pk])
    client.post(submit)
    second = client.post(submit, follow=True)
    said = " ".join(str(message) for message in second.context["messages"])
    assert "đã ở trạng thái “Chờ duyệt đăng ký”" in said, said
    assert model.events.filter(action=EventAction.SUBMITTED).count() == 1

    model.refresh_from_db()
    model.status = Status.ACCEPTED
    model.save()
    stop = reverse("models_registry:model_discontinue", args=[model.pk])
    client.post(stop, {"reason": "Địa bàn sáp nhập."})
    second = client.post(stop, {"reason": "Địa bàn sáp nhập."}, follow=True)
    assert second.redirect_chain == [(model.get_absolute_url(), 302)]
    said = " ".join(str(message) for message in second.context["messages"])
    assert "đã ở trạng thái “Dừng thực hiện”" in said, said
    assert model.events.filter(action=EventAction.DISCONTINUED).count() == 1
