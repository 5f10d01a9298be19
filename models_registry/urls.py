from django.urls import path

from models_registry.views import exports, files, printouts, registrations

app_name = "models_registry"

urlpatterns = [
    path("", registrations.ModelListView.as_view(), name="model_list"),
    path("them/", registrations.ModelFormView.as_view(), name="model_create"),
    path("tu-dong-luu/", registrations.ModelAutosaveView.as_view(), name="model_autosave_new"),
    path("chon/", registrations.ModelPickerView.as_view(), name="model_picker"),
    path("<int:pk>/", registrations.ModelDetailView.as_view(), name="model_detail"),
    path("<int:pk>/sua/", registrations.ModelFormView.as_view(), name="model_update"),
    path("<int:pk>/tu-dong-luu/", registrations.ModelAutosaveView.as_view(), name="model_autosave"),
    path("<int:pk>/xoa/", registrations.ModelDeleteDraftView.as_view(), name="model_delete"),
    path("<int:pk>/gui-duyet/", registrations.ModelSubmitView.as_view(), name="model_submit"),
    path(
        "<int:pk>/dung-thuc-hien/",
        registrations.ModelDiscontinueView.as_view(),
        name="model_discontinue",
    ),
    path(
        "<int:pk>/phieu-dang-ky.pdf",
        printouts.RegistrationPrintView.as_view(extension="pdf"),
        name="model_print_pdf",
    ),
    path(
        "<int:pk>/phieu-dang-ky.docx",
        printouts.RegistrationPrintView.as_view(extension="docx"),
        name="model_print_docx",
    ),
    path(
        "<int:pk>/bao-cao-ket-qua/",
        files.ResultReportCreateView.as_view(),
        name="result_report_create",
    ),
    path("tep/<int:pk>/", files.AttachmentDownloadView.as_view(), name="attachment_download"),
    path("tep/<int:pk>/xoa/", files.AttachmentDeleteView.as_view(), name="attachment_delete"),
    path("xuat/", exports.ExportView.as_view(), name="model_export"),
    path("xuat/<uuid:pk>/", exports.ExportStatusView.as_view(), name="export_status"),
    path("xuat/<uuid:pk>/tai-ve/", exports.ExportDownloadView.as_view(), name="export_download"),
]
