from django.urls import path

from reviews.views import history, nomination, review, rounds

app_name = "reviews"

urlpatterns = [
    # --- registration review, proposal, appraisal, recognition (reviews/views/review.py) ---
    path("", review.QueueView.as_view(), name="queue"),
    path("duyet-nhieu/", review.BulkAcceptView.as_view(), name="bulk_accept"),
    path(
        "mo-hinh/<int:pk>/duyet/",
        review.RegistrationAcceptView.as_view(),
        name="registration_accept",
    ),
    path(
        "mo-hinh/<int:pk>/tra-lai/",
        review.RegistrationReturnView.as_view(),
        name="registration_return",
    ),
    path(
        "mo-hinh/<int:pk>/khong-duyet/",
        review.RegistrationRejectView.as_view(),
        name="registration_reject",
    ),
    path(
        "mo-hinh/<int:pk>/de-nghi-cong-nhan/",
        review.ModelProposeView.as_view(),
        name="model_propose",
    ),
    path("mo-hinh/<int:pk>/cham-diem/", review.ModelAppraiseView.as_view(), name="model_appraise"),
    path(
        "mo-hinh/<int:pk>/cong-nhan/", review.ModelRecogniseView.as_view(), name="model_recognise"
    ),
    path(
        "mo-hinh/<int:pk>/khong-cong-nhan/",
        review.ModelNotRecogniseView.as_view(),
        name="model_not_recognise",
    ),
    path(
        "mo-hinh/<int:pk>/bo-sung-minh-chung/",
        review.ModelReturnForEvidenceView.as_view(),
        name="model_return_for_evidence",
    ),
    path(
        "mo-hinh/<int:pk>/tieu-bieu/",
        review.ModelOutstandingView.as_view(),
        name="model_outstanding",
    ),
    # --- commendation rounds (reviews/views/rounds.py) ---
    path("dot-khen-thuong/", rounds.RoundListView.as_view(), name="round_list"),
    path("dot-khen-thuong/them/", rounds.RoundFormView.as_view(), name="round_create"),
    path(
        "dot-khen-thuong/nhap-dot-lich-su/",
        history.HistoricalRoundImportView.as_view(),
        name="round_import",
    ),
    path(
        "dot-khen-thuong/nhap-dot-lich-su/mau-nhap/",
        history.AnnexTemplateView.as_view(),
        name="round_import_template",
    ),
    path("dot-khen-thuong/<int:pk>/", rounds.RoundDetailView.as_view(), name="round_detail"),
    path("dot-khen-thuong/<int:pk>/sua/", rounds.RoundFormView.as_view(), name="round_update"),
    path(
        "dot-khen-thuong/<int:pk>/tim-mo-hinh/",
        rounds.RoundNomineesView.as_view(),
        name="round_nominees",
    ),
    path(
        "dot-khen-thuong/<int:pk>/them-hang-loat/",
        nomination.RoundBulkNominateView.as_view(),
        name="round_bulk_nominate",
    ),
    path(
        "dot-khen-thuong/<int:pk>/dua-vao-danh-sach/",
        rounds.RoundNominateView.as_view(),
        name="round_nominate",
    ),
    path(
        "dot-khen-thuong/<int:pk>/khen/<int:line_pk>/sua/",
        rounds.CommendationUpdateView.as_view(),
        name="commendation_update",
    ),
    path(
        "dot-khen-thuong/<int:pk>/khen/<int:line_pk>/bo/",
        rounds.CommendationRemoveView.as_view(),
        name="commendation_remove",
    ),
    path(
        "dot-khen-thuong/<int:pk>/khen/<int:line_pk>/dinh-chinh/",
        rounds.CommendationCorrectView.as_view(),
        name="commendation_correct",
    ),
    path(
        "dot-khen-thuong/<int:pk>/khen/<int:line_pk>/thu-hoi/",
        rounds.CommendationRevokeView.as_view(),
        name="commendation_revoke",
    ),
    path(
        "dot-khen-thuong/<int:pk>/quyet-dinh/",
        rounds.RoundDecisionView.as_view(),
        name="round_decision",
    ),
    path(
        "dot-khen-thuong/<int:pk>/tep-quyet-dinh/",
        rounds.RoundDecisionFileView.as_view(),
        name="round_decision_file",
    ),
    path(
        "dot-khen-thuong/<int:pk>/cong-bo/", rounds.RoundPublishView.as_view(), name="round_publish"
    ),
    path(
        "dot-khen-thuong/<int:pk>/danh-sach-kem-theo/",
        rounds.RoundAnnexView.as_view(),
        name="round_annex",
    ),
    path("dot-khen-thuong/<int:pk>/in/", rounds.RoundPrintView.as_view(), name="round_print"),
    path(
        "dot-khen-thuong/<int:pk>/in/giay-khen.pdf",
        rounds.RoundCertificatesPdfView.as_view(),
        name="round_certificates_pdf",
    ),
]
