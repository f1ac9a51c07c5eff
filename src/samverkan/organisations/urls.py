from django.urls import path

from samverkan.organisations import views

app_name = "organisations"

urlpatterns = [
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/export.csv", views.agreement_list_export, name="agreement_list_export"),
    path("agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<int:agreement_id>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:agreement_id>/edit/", views.agreement_edit, name="agreement_edit"),
    path("agreements/<int:agreement_id>/invite/", views.agreement_invite, name="agreement_invite"),
    path("agreements/<int:agreement_id>/join/", views.agreement_join, name="agreement_join"),
    path(
        "agreements/<int:agreement_id>/parties/<int:organisation_id>/contact/",
        views.party_contact,
        name="party_contact",
    ),
    path("agreements/<int:agreement_id>/export.csv", views.agreement_export, name="agreement_export"),
    path("agreements/<int:agreement_id>/documents/new/", views.document_upload, name="document_upload"),
    path(
        "agreements/<int:agreement_id>/documents/<int:document_id>/",
        views.document_download,
        name="document_download",
    ),
    path("invitations/<int:invitation_id>/", views.invitation_answer, name="invitation_answer"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
]
