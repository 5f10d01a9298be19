"""Attachments (scoped downloads, removal) and result reports."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from core.storage import private_file_response
from models_registry import rules, services
from models_registry.forms import ResultReportForm
from models_registry.models import Attachment
from models_registry.views.registrations import ScopedModelMixin


class AttachmentDownloadView(View):
    """Streams a file to someone who may see its model; anyone else gets a 404."""

    def get(self, request, pk):
        attachment = get_object_or_404(Attachment.objects.visible_to(request.user), pk=pk)
        return private_file_response(
            attachment.file,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )


class AttachmentDeleteView(View):
    """POST: remove a file from a registration still in the cadre's hands."""

    def post(self, request, pk):
        attachment = get_object_or_404(
            Attachment.objects.visible_to(request.user).select_related("model"), pk=pk
        )
        model = attachment.model
        if not rules.can_edit(request.user, model):
            raise PermissionDenied("Không xóa được tệp của mô hình này.")
        services.attachment_delete(attachment=attachment, by=request.user)
        messages.success(request, f"Đã xóa tệp “{attachment.original_name}”.")
        return redirect("models_registry:model_update", pk=model.pk)


class ResultReportCreateView(ScopedModelMixin, View):
    """A period's result report for a model being carried out."""

    template_name = "models_registry/result_report_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.model = self.get_model(kwargs["pk"])
        if not rules.can_report_results(request.user, self.model):
            raise PermissionDenied(
                "Chỉ cán bộ của đơn vị báo cáo kết quả cho mô hình đang thực hiện."
            )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        return render(
            request, self.template_name, {"model": self.model, "form": ResultReportForm()}
        )

    def post(self, request, pk):
        form = ResultReportForm(request.POST, request.FILES)
        lost = []
        if form.is_valid():
            try:
                services.result_report_create(
                    model=self.model,
                    by=request.user,
                    period_start=form.cleaned_data["period_start"],
                    period_end=form.cleaned_data["period_end"],
                    narrative=form.cleaned_data["narrative"],
                    values=form.values(),
                    uploads=form.cleaned_data["attachments"],
                )
            except ValidationError as error:
                if getattr(error, "code", None) == "already_reported":
                    messages.info(request, " ".join(error.messages))
                    return redirect(self.model)
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, "Đã lưu báo cáo kết quả.")
                return redirect(self.model)
        lost = [upload.name for upload in request.FILES.getlist("attachments")]
        context = {"model": self.model, "form": form, "lost_files": lost}
        return render(request, self.template_name, context, status=400)
