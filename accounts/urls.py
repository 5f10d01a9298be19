from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.AccountListView.as_view(), name="account_list"),
    path("tao-moi/", views.AccountCreateView.as_view(), name="account_create"),
    path("nhap/", views.AccountImportView.as_view(), name="account_import"),
    path(
        "nhap/<uuid:pk>/mat-khau/",
        views.AccountImportJobPasswordsView.as_view(),
        name="account_import_job_passwords",
    ),
    path(
        "nhap/tep-mau/",
        views.AccountImportTemplateView.as_view(),
        name="account_import_template",
    ),
    path(
        "nhap/mat-khau/",
        views.AccountImportPasswordsView.as_view(),
        name="account_import_passwords",
    ),
    path("<int:pk>/", views.AccountDetailView.as_view(), name="account_detail"),
    path("<int:pk>/sua/", views.AccountUpdateView.as_view(), name="account_update"),
    path("<int:pk>/khoa/", views.AccountDeactivateView.as_view(), name="account_deactivate"),
    path("<int:pk>/mo-khoa/", views.AccountReactivateView.as_view(), name="account_reactivate"),
    path(
        "<int:pk>/cap-lai-mat-khau/",
        views.AccountPasswordResetView.as_view(),
        name="account_password_reset",
    ),
    path(
        "<int:pk>/ket-thuc-phien/",
        views.AccountSessionsEndView.as_view(),
        name="account_sessions_end",
    ),
    path(
        "<int:pk>/dat-lai-xac-thuc-hai-buoc/",
        views.AccountSecondFactorResetView.as_view(),
        name="account_second_factor_reset",
    ),
    path("<int:pk>/cap-vai-tro/", views.AccountRoleGrantView.as_view(), name="account_role_grant"),
    path(
        "<int:pk>/thu-hoi-vai-tro/<int:membership_pk>/",
        views.AccountRoleRevokeView.as_view(),
        name="account_role_revoke",
    ),
]
