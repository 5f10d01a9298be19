from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.views import PasswordChangeView
from core.forms import LoginForm
from danvan import (
    help_pages,
    metrics,
    password_reset_views,
    saved_filters,
    single_sign_on,
    two_factor_views,
    views,
)

admin.site.site_header = "Quản trị Cổng Dân vận khéo"
admin.site.site_title = "Cổng Dân vận khéo"
admin.site.index_title = "Quản trị hệ thống"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Prometheus; a 404 for anyone without the token or an allowed address.
    path("metrics", metrics.metrics, name="metrics"),
    path(
        "dang-nhap/",
        single_sign_on.PortalLoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    # Single sign-on through the province's gateway (404 unless DJANGO_OIDC_ENABLED).
    path(
        "dang-nhap/mot-cua/",
        single_sign_on.GatewayRedirectView.as_view(),
        name="oidc_authentication_init",
    ),
    path(
        "dang-nhap/mot-cua/ket-qua/",
        single_sign_on.GatewayCallbackView.as_view(),
        name="oidc_authentication_callback",
    ),
    path(
        "dang-nhap/mot-cua/khong-thanh-cong/",
        single_sign_on.refused,
        name="single_sign_on_refused",
    ),
    path(
        "dang-nhap/xac-thuc/",
        two_factor_views.SecondStepView.as_view(),
        name="two_factor_verify",
    ),
    path("dang-xuat/", views.PortalLogoutView.as_view(), name="logout"),
    path("da-dang-xuat/", views.LoggedOutView.as_view(), name="logged_out"),
    path("doi-mat-khau/", PasswordChangeView.as_view(), name="password_change"),
    path(
        "doi-mat-khau/xong/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "xac-thuc-hai-buoc/",
        two_factor_views.TwoFactorOverviewView.as_view(),
        name="two_factor",
    ),
    path(
        "xac-thuc-hai-buoc/thiet-lap/",
        two_factor_views.TwoFactorSetupView.as_view(),
        name="two_factor_setup",
    ),
    path(
        "xac-thuc-hai-buoc/ma-du-phong/",
        two_factor_views.RecoveryCodesView.as_view(),
        name="two_factor_recovery_codes",
    ),
    path(
        "xac-thuc-hai-buoc/ma-du-phong/tai-ve/",
        two_factor_views.RecoveryCodesDownloadView.as_view(),
        name="two_factor_recovery_codes_download",
    ),
    path(
        "xac-thuc-hai-buoc/ma-du-phong/da-luu/",
        two_factor_views.RecoveryCodesSavedView.as_view(),
        name="two_factor_recovery_codes_saved",
    ),
    path(
        "quen-mat-khau/",
        password_reset_views.PasswordResetRequestView.as_view(),
        name="password_reset",
    ),
    path(
        "quen-mat-khau/da-gui/",
        password_reset_views.PasswordResetSentView.as_view(),
        name="password_reset_done",
    ),
    path(
        "dat-lai-mat-khau/<uidb64>/<token>/",
        password_reset_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "dat-lai-mat-khau/xong/",
        password_reset_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("thong-bao/", views.NotificationListView.as_view(), name="notification_list"),
    path(
        "thong-bao/doc-tat-ca/",
        views.NotificationReadAllView.as_view(),
        name="notification_read_all",
    ),
    path(
        "thong-bao/cai-dat/",
        views.NotificationSettingsView.as_view(),
        name="notification_settings",
    ),
    path("thong-bao/<int:pk>/", views.NotificationOpenView.as_view(), name="notification_open"),
    path(
        "thong-bao/<int:pk>/da-doc/",
        views.NotificationReadView.as_view(),
        name="notification_read",
    ),
    path("nhap-tep/<uuid:pk>/", views.ImportStatusView.as_view(), name="import_status"),
    path("bo-loc/luu/", saved_filters.SavedFilterCreateView.as_view(), name="saved_filter_create"),
    path(
        "bo-loc/<int:pk>/doi-ten/",
        saved_filters.SavedFilterRenameView.as_view(),
        name="saved_filter_rename",
    ),
    path(
        "bo-loc/<int:pk>/xoa/",
        saved_filters.SavedFilterDeleteView.as_view(),
        name="saved_filter_delete",
    ),
    path("huong-dan/", help_pages.HelpIndexView.as_view(), name="help_index"),
    path("huong-dan/anh/<str:name>.png", help_pages.screenshot, name="help_screenshot"),
    path("huong-dan/<slug:slug>/", help_pages.GuideView.as_view(), name="help_guide"),
    path("don-vi/", include("organisations.urls")),
    path("tai-khoan/", include("accounts.urls")),
    path("mo-hinh/", include("models_registry.urls")),
    path("tham-dinh/", include("reviews.urls")),
    path("bao-cao/", include("reports.urls")),
    path("quan-tri/", admin.site.urls),
]

# The error page shows the request's id and reads nothing from the database.
handler500 = "danvan.views.server_error"
