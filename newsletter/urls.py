from django.urls import path

from . import views

app_name = "newsletter"

urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("tilattu/", views.subscribe_sent, name="subscribe_sent"),
    path("vahvista/<str:token>/", views.confirm, name="confirm"),
    path("asetukset/<str:token>/", views.preferences, name="preferences"),
    path("peru/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("arkisto/", views.archive, name="archive"),
    path("arkisto/<int:pk>/", views.archive_detail, name="archive_detail"),
    path("hallinta/", views.issue_list, name="issue_list"),
    path("hallinta/uusi/", views.issue_create, name="issue_create"),
    path("hallinta/<int:pk>/", views.issue_detail, name="issue_detail"),
    path("hallinta/<int:pk>/muokkaa/", views.issue_edit, name="issue_edit"),
    path("hallinta/<int:pk>/esikatselu/", views.issue_preview, name="issue_preview"),
    path("hallinta/<int:pk>/esikatselu/sahkoposti/", views.issue_preview_email, name="issue_preview_email"),
    path("hallinta/<int:pk>/testi/", views.issue_send_test, name="issue_send_test"),
    path("hallinta/<int:pk>/ajasta/", views.issue_schedule, name="issue_schedule"),
    path("hallinta/<int:pk>/peru-ajastus/", views.issue_unschedule, name="issue_unschedule"),
    path("hallinta/<int:pk>/tila/", views.issue_progress, name="issue_progress"),
    path("hallinta/<int:pk>/tila.json", views.issue_progress_json, name="issue_progress_json"),
    path("hallinta/<int:pk>/laheta-uudelleen/", views.issue_resend_unknown, name="issue_resend_unknown"),
]
