from django.urls import path

from reports.views import jobs, records, report, snapshots

app_name = "reports"

urlpatterns = [
    path("", report.ReportView.as_view(), name="report"),
    path("ho-so/", records.RecordsView.as_view(), name="records"),
    path("ban-chot/", snapshots.SnapshotListView.as_view(), name="snapshot_list"),
    path("ban-chot/<int:pk>/", snapshots.SnapshotDetailView.as_view(), name="snapshot_detail"),
    path(
        "ban-chot/<int:pk>/excel/",
        snapshots.SnapshotFileView.as_view(part="workbook"),
        name="snapshot_workbook",
    ),
    path(
        "ban-chot/<int:pk>/du-thao/",
        snapshots.SnapshotFileView.as_view(part="narrative"),
        name="snapshot_narrative",
    ),
    path("yeu-cau/", jobs.JobCreateView.as_view(), name="job_create"),
    path("yeu-cau/<uuid:pk>/", jobs.JobStatusView.as_view(), name="job_status"),
    path("yeu-cau/<uuid:pk>/tai-ve/", jobs.JobDownloadView.as_view(), name="job_download"),
]
