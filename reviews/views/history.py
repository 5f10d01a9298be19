"""Importing a commendation round of earlier years from its annex: form, preview, confirmation.

The preview checks the whole file and shows every row (or every error); a valid file is kept in
private storage under a random name that only this session's confirmation may claim, once. The
confirmation plans the file again under the import lock and writes it all or nothing.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from core import staging
from core.spreadsheets import SpreadsheetError, read_csv, read_xlsx
from core.uploads import safe_file_name
from organisations.selectors import user_roles
from reviews import services
from reviews.forms.history import HistoricalRoundForm
from reviews.resources import SHEET_TITLE, annex_template_workbook, preview_rows
from reviews.services.history import IMPORTER_ROLES, annex_planner
from reviews.views.rounds import XLSX_TYPE, show_errors

STAGED = "historical_round_imports"  # session key: token → the kept file
KEPT_PREVIEWS = 5
TEMPLATE_FILENAME = "mau-danh-sach-khen-thuong.xlsx"
NO_FILE = "Hãy chọn tệp danh sách kèm theo quyết định (.xlsx)."
EXPIRED = (
    "Không xác nhận được: lần xem trước này đã được xác nhận hoặc đã hết hạn, nên không có gì "
    "được ghi thêm. Hãy chọn tệp và xem trước lại."
)


def _require_importer(user) -> None:
    if not set(IMPORTER_ROLES) & user_roles(user):
        raise PermissionDenied("Chỉ quản trị mới nhập được đợt khen thưởng lịch sử.")


def read_annex(data: bytes, file_name: str):
    """The annex's rows: a CSV file by its name, else a workbook (its list sheet by title)."""
    if file_name.lower().endswith(".csv"):
        return read_csv(data)
    return read_xlsx(data, SHEET_TITLE)


class AnnexTemplateView(View):
    """The empty annex workbook: the list sheet, the guide and the drop-down lists."""

    def get(self, request):
        _require_importer(request.user)
        response = HttpResponse(annex_template_workbook(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_FILENAME}"'
        return response


class HistoricalRoundImportView(View):
    """GET: the form. POST: preview (``xem_truoc``) or confirmation (``xac_nhan`` + token)."""

    template_name = "reviews/round_import.html"

    def dispatch(self, request, *args, **kwargs):
        _require_importer(request.user)
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, form, *, status=200, **context):
        context.update(form=form, template_filename=TEMPLATE_FILENAME)
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_page(HistoricalRoundForm(user=request.user))

    def post(self, request):
        form = HistoricalRoundForm(request.POST, request.FILES, user=request.user)
        token = request.POST.get("token", "")
        if not form.is_valid():
            messages.error(request, "Chưa xem trước được: hãy sửa các ô được đánh dấu bên dưới.")
            return self.render_page(form, status=400, token=token if self._staged(token) else "")
        if "xac_nhan" in request.POST and not request.FILES.get("annex"):
            return self.confirm(form, token)
        return self.preview(form)

    # --- preview --------------------------------------------------------------------------

    def preview(self, form):
        upload = form.cleaned_data.get("annex")
        if upload is None:
            form.add_error("annex", NO_FILE)
            return self.render_page(form, status=400)
        if upload.size > settings.IMPORT_MAX_FILE_BYTES:
            form.add_error("annex", "Tệp quá lớn.")
            return self.render_page(form, status=400)
        data = upload.read()
        file_name = safe_file_name(upload.name, default="danh-sach.xlsx")
        try:
            dataset = read_annex(data, file_name)
            planner = annex_planner(
                by=self.request.user,
                fields=form.round_fields(),
                decision=form.decision(),
                dry_run=True,
            )
            plan = planner.plan_dataset(dataset)
        except SpreadsheetError as error:
            form.add_error("annex", str(error))
            return self.render_page(form, status=400)
        if plan.refused:
            messages.error(
                self.request,
                "Tệp có lỗi nên chưa nhập được; không có gì được ghi. Hãy sửa các dòng dưới đây "
                "rồi xem trước lại.",
            )
            return self.render_page(form, status=400, errors=plan.messages())
        rows = preview_rows(planner)
        return self.render_page(
            form,
            token=self._stage(data, file_name),
            file_name=file_name,
            rows=rows,
            collectives=sum(1 for row in rows if row["model"].actor != "individual"),
            individuals=sum(1 for row in rows if row["model"].actor == "individual"),
            created=sum(1 for row in rows if row["created"]),
        )

    def _stage(self, data: bytes, file_name: str) -> str:
        token = uuid.uuid4().hex
        stored = staging.stage(data, folder=staging.ROUND_IMPORTS)
        staged = self.request.session.get(STAGED, {})
        staged[token] = {"stored": stored, "file_name": file_name}
        for old in list(staged)[:-KEPT_PREVIEWS]:
            staging.discard(staged.pop(old)["stored"])
        self.request.session[STAGED] = staged
        return token

    def _staged(self, token: str) -> dict | None:
        return self.request.session.get(STAGED, {}).get(token)

    # --- confirmation ---------------------------------------------------------------------

    def confirm(self, form, token: str):
        staged = self.request.session.get(STAGED, {})
        kept = staged.pop(token, None) if token else None
        self.request.session[STAGED] = staged  # used up, whatever happens next
        data = staging.claim(kept["stored"]) if kept else None
        if data is None:
            messages.error(self.request, EXPIRED)
            return self.render_page(form, status=400)
        try:
            commendation_round = services.round_import_historical(
                by=self.request.user,
                fields=form.round_fields(),
                decision=form.decision(),
                dataset=read_annex(data, kept["file_name"]),
                file_name=kept["file_name"],
            )
        except services.AnnexRefused as refusal:
            messages.error(
                self.request,
                "Không nhập được tệp — chưa có dữ liệu nào được ghi: dữ liệu đã thay đổi từ lúc "
                "xem trước và tệp không còn hợp lệ (xem các lỗi bên dưới).",
            )
            return self.render_page(form, status=400, errors=refusal.plan.messages())
        except SpreadsheetError as error:
            form.add_error("annex", str(error))
            return self.render_page(form, status=400)
        except ValidationError as error:
            show_errors(form, error)
            messages.error(self.request, "Không nhập được tệp — chưa có dữ liệu nào được ghi.")
            return self.render_page(form, status=400)
        messages.success(
            self.request,
            f"Đã nhập đợt “{commendation_round.title}” với "
            f"{commendation_round.commendations.count()} khen thưởng và công bố theo quyết định "
            f"số {commendation_round.decision_number}.",
        )
        return redirect(commendation_round)
