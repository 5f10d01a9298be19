from django.urls import path

from organisations import views

app_name = "organisations"

urlpatterns = [
    path("", views.OrganisationTreeView.as_view(), name="organisation_tree"),
    path("chon/", views.OrganisationPickerView.as_view(), name="organisation_picker"),
    path("<int:pk>/", views.OrganisationDetailView.as_view(), name="organisation_detail"),
    path(
        "<int:pk>/don-vi-con/",
        views.OrganisationChildrenView.as_view(),
        name="organisation_children",
    ),
]
