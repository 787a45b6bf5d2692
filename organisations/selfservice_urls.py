"""Addresses of the self-service and moderation (Finnish, like the rest; /sv/ and /en/ prefix them)."""

from django.urls import path

from . import selfservice_views as views

urlpatterns = [
    path("oma/", views.my_organisations, name="my"),
    path("yhdistykset/uusi/", views.organisation_register, name="register"),
    path("yhdistykset/<slug:slug>/muokkaa/", views.organisation_edit, name="edit"),
    path("yhdistykset/<slug:slug>/toimittajat/", views.organisation_editors, name="editors"),
    path("yhdistykset/<slug:slug>/toimittajat/<int:pk>/poista/", views.editor_remove, name="editor_remove"),
    path("yhdistykset/<slug:slug>/vahvista/", views.organisation_confirm, name="confirm"),
    path("yhdistykset/<slug:slug>/historia/", views.organisation_history, name="history"),
    path("yhdistykset/<slug:slug>/historia/<int:history_id>/", views.organisation_version, name="version"),
    path("yhdistykset/<slug:slug>/ota-hallintaan/", views.organisation_claim, name="claim"),
    path("yhdistykset/<slug:slug>/ilmoita/", views.organisation_report, name="report"),
    path("kutsu/<str:token>/", views.invitation_accept, name="invitation"),
    path("vahvista/<str:token>/", views.confirm_link, name="confirm_link"),
    path("moderointi/", views.moderation_queue, name="moderation"),
    path("moderointi/yhdistykset/<slug:slug>/", views.moderation_registration, name="moderation_registration"),
    path("moderointi/yhdistykset/<slug:slug>/arkistoi/", views.moderation_archive, name="moderation_archive"),
    path("moderointi/pyynnot/<int:pk>/", views.moderation_claim, name="moderation_claim"),
    path("moderointi/ilmoitukset/<int:pk>/", views.moderation_report, name="moderation_report"),
]
