from django.urls import path

from samverkan.resettlement import views

app_name = "resettlement"

urlpatterns = [
    path("resettlement/", views.home, name="home"),
    path("resettlement/needs/", views.taxonomy, name="taxonomy"),
    path("resettlement/needs/<str:code>/edit/", views.taxonomy_edit, name="taxonomy_edit"),
    path("resettlement/reception/<int:year>/", views.reception_list, name="reception_list"),
    path("resettlement/reception/<int:year>/<str:code>/", views.reception_edit, name="reception_edit"),
    path("resettlement/cases/<int:year>/", views.case_list, name="case_list"),
    path("resettlement/runs/<int:year>/new/", views.run_start, name="run_start"),
    path("resettlement/runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("resettlement/runs/<int:run_id>/status/", views.run_status, name="run_status"),
    path("resettlement/runs/<int:run_id>/approve/", views.run_approve, name="run_approve"),
    path("resettlement/runs/<int:run_id>/discard/", views.run_discard, name="run_discard"),
    path(
        "resettlement/runs/<int:run_id>/cases/<str:reference>/", views.proposal_detail, name="proposal_detail"
    ),
    path("resettlement/packets/", views.packet_list, name="packet_list"),
    path("resettlement/packets/<str:reference>/", views.packet_detail, name="packet_detail"),
    path("resettlement/packets/<str:reference>/followup/", views.followup, name="followup"),
    path("resettlement/followup/", views.dashboard, name="dashboard"),
]
