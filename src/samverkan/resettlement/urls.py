from django.urls import path, register_converter

from samverkan.resettlement import views


class ReferenceConverter:
    """A case reference as the case file allows it: anything else is 404 before any query."""

    regex = "[A-Za-z0-9][A-Za-z0-9._-]{0,39}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class KommunkodConverter(ReferenceConverter):
    regex = "[0-9]{4}"


class NeedCodeConverter(ReferenceConverter):
    regex = "[A-Z]{2,3}(-[A-Z]{2,3})?"


register_converter(ReferenceConverter, "reference")
register_converter(KommunkodConverter, "kommunkod")
register_converter(NeedCodeConverter, "needcode")

app_name = "resettlement"

urlpatterns = [
    path("resettlement/", views.home, name="home"),
    path("resettlement/needs/", views.taxonomy, name="taxonomy"),
    path("resettlement/needs/new/", views.taxonomy_add, name="taxonomy_add"),
    path("resettlement/needs/<needcode:code>/edit/", views.taxonomy_edit, name="taxonomy_edit"),
    path("resettlement/reception/<int:year>/", views.reception_list, name="reception_list"),
    path("resettlement/reception/<int:year>/<kommunkod:code>/", views.reception_edit, name="reception_edit"),
    path("resettlement/cases/<int:year>/", views.case_list, name="case_list"),
    path("resettlement/runs/<int:year>/new/", views.run_start, name="run_start"),
    path("resettlement/runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("resettlement/runs/<int:run_id>/status/", views.run_status, name="run_status"),
    path("resettlement/runs/<int:run_id>/approve/", views.run_approve, name="run_approve"),
    path("resettlement/runs/<int:run_id>/discard/", views.run_discard, name="run_discard"),
    path(
        "resettlement/runs/<int:run_id>/cases/<reference:reference>/",
        views.proposal_detail,
        name="proposal_detail",
    ),
    path("resettlement/packets/", views.packet_list, name="packet_list"),
    path("resettlement/packets/<reference:reference>/", views.packet_detail, name="packet_detail"),
    path("resettlement/packets/<reference:reference>/followup/", views.followup, name="followup"),
    path("resettlement/followup/", views.dashboard, name="dashboard"),
]
