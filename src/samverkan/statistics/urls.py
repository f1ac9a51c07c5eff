from django.urls import path

from samverkan.statistics import views

app_name = "statistics"

urlpatterns = [
    path("statistics/", views.index, name="index"),
    path("statistics/asylum-seekers/", views.asylum_seekers, name="asylum_seekers"),
    path("statistics/forecasts/", views.forecasts, name="forecasts"),
    path("statistics/forecasts/models.csv", views.forecasts_csv, name="forecasts_csv"),
    path("statistics/upload/", views.upload, name="upload"),
    path("statistics/datasets/<slug:slug>/", views.dataset_detail, name="dataset_detail"),
    path("statistics/datasets/<slug:slug>/table.csv", views.dataset_csv, name="dataset_csv"),
]
