from django.urls import path

from samverkan.meetingplace import views

app_name = "meetingplace"

urlpatterns = [
    path("meetingplace/", views.calendar, name="calendar"),
    path("meetingplace/new/", views.activity_new, name="activity_new"),
    path("meetingplace/activities/<int:activity_id>/sessions/new/", views.session_new, name="session_new"),
    path("meetingplace/sessions/<int:session_id>/", views.session_detail, name="session_detail"),
    path("meetingplace/sessions/<int:session_id>/participants/", views.participants, name="participants"),
    path("meetingplace/sessions/<int:session_id>/plan/", views.plan, name="plan"),
    path("meetingplace/sessions/<int:session_id>/cancel/", views.session_cancel, name="session_cancel"),
    path("meetingplace/sessions/<int:session_id>/poster/", views.poster, name="poster"),
    path("meetingplace/sessions/<int:session_id>/evaluation/", views.evaluation, name="evaluation"),
    path("meetingplace/overview/", views.overview, name="overview"),
    path("meetingplace/sessions/<int:session_id>/materials/new/", views.material_new, name="material_new"),
    path("meetingplace/materials/<int:material_id>/", views.material, name="material"),
    path("meetingplace/review/", views.review_queue, name="review_queue"),
    path("meetingplace/facts/", views.facts, name="facts"),
    path("meetingplace/r/<slug:code>/", views.registration, name="registration"),
    path("meetingplace/sessions/<str:key>.ics", views.ical, {"scope": "session"}, name="ical_session"),
    path("meetingplace/activities/<str:key>.ics", views.ical, {"scope": "activity"}, name="ical_activity"),
    path("meetingplace/organisers/<slug:key>.ics", views.ical, {"scope": "organiser"}, name="ical_organiser"),
]
