from django.urls import path

from samverkan.panels import views

app_name = "panels"

urlpatterns = [
    path("panels/", views.pool_list, name="pool_list"),
    path("panels/new/", views.pool_new, name="pool_new"),
    path("panels/<int:pool_id>/", views.pool_detail, name="pool_detail"),
    path("panels/<int:pool_id>/quotas/", views.pool_quotas, name="pool_quotas"),
    path("panels/<int:pool_id>/delete/", views.pool_delete, name="pool_delete"),
    path("panels/<int:pool_id>/quotas/csv/", views.pool_quotas_csv, name="pool_quotas_csv"),
    path(
        "panels/<int:pool_id>/quotas/statistics/", views.pool_quotas_statistics, name="pool_quotas_statistics"
    ),
    path("panels/<int:pool_id>/runs/", views.run_start, name="run_start"),
    path("panels/runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("panels/runs/<int:run_id>/status/", views.run_status, name="run_status"),
    path("panels/runs/<int:run_id>/publish/", views.run_publish, name="run_publish"),
    path(
        "panels/runs/<int:run_id>/members/<int:member_id>/withdraw/",
        views.member_withdraw,
        name="member_withdraw",
    ),
    path("panels/runs/<int:run_id>/panel.csv", views.run_export, {"fmt": "csv"}, name="run_export_csv"),
    path("panels/runs/<int:run_id>/panel.xlsx", views.run_export, {"fmt": "xlsx"}, name="run_export_xlsx"),
    path("panels/runs/<int:run_id>/people.csv", views.run_input, {"which": "people"}, name="run_people"),
    path(
        "panels/runs/<int:run_id>/features.csv", views.run_input, {"which": "features"}, name="run_features"
    ),
    path("panels/reports/<int:run_id>/", views.report, name="report"),
]
