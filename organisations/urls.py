"""The app's addresses (Finnish, like the rest; /sv/ and /en/ prefix them)."""

from django.urls import path

from .views import directory, imports, moderation, municipal, selfservice

app_name = "organisations"

urlpatterns = [
    # Self-service and moderation first, so that /yhdistykset/uusi/ is not taken for a listing's address.
    path("oma/", selfservice.my_organisations, name="my"),
    path("yhdistykset/uusi/", selfservice.organisation_register, name="register"),
    path("yhdistykset/<slug:slug>/muokkaa/", selfservice.organisation_edit, name="edit"),
    path("yhdistykset/<slug:slug>/toimittajat/", selfservice.organisation_editors, name="editors"),
    path("yhdistykset/<slug:slug>/toimittajat/<int:pk>/poista/", selfservice.editor_remove, name="editor_remove"),
    path("yhdistykset/<slug:slug>/vahvista/", selfservice.organisation_confirm, name="confirm"),
    path("yhdistykset/<slug:slug>/historia/", moderation.organisation_history, name="history"),
    path("yhdistykset/<slug:slug>/historia/<int:history_id>/", moderation.organisation_version, name="version"),
    path("yhdistykset/<slug:slug>/ota-hallintaan/", selfservice.organisation_claim, name="claim"),
    path("yhdistykset/<slug:slug>/ilmoita/", moderation.organisation_report, name="report"),
    path("kutsu/<str:token>/", selfservice.invitation_accept, name="invitation"),
    path("vahvista/<str:token>/", selfservice.confirm_link, name="confirm_link"),
    path("moderointi/", moderation.moderation_queue, name="moderation"),
    path("moderointi/yhdistykset/<slug:slug>/", moderation.moderation_registration, name="moderation_registration"),
    path("moderointi/yhdistykset/<slug:slug>/arkistoi/", moderation.moderation_archive, name="moderation_archive"),
    path("moderointi/pyynnot/<int:pk>/", moderation.moderation_claim, name="moderation_claim"),
    path("moderointi/ilmoitukset/<int:pk>/", moderation.moderation_report, name="moderation_report"),
    # The public directory and municipal contacts.
    path("yhdistykset/", directory.organisation_list, name="list"),
    path("yhdistykset/vienti/<str:format>/", municipal.organisation_export, name="export"),
    path("yhdistykset/<slug:slug>/", directory.organisation_detail, name="detail"),
    path("kunnat/", directory.municipality_list, name="municipalities"),
    path("kunnat/yhteyshenkilot/", municipal.municipal_contact_list, name="municipal_contacts"),
    path("kunnat/<str:key>/", directory.municipality_detail, name="municipality"),
    path("oma/kunta/", municipal.contact_home, name="contact_home"),
    path("oma/kunta/suodattimet/", municipal.saved_filter_create, name="saved_filter_create"),
    path("oma/kunta/suodattimet/<int:pk>/poista/", municipal.saved_filter_remove, name="saved_filter_remove"),
    path("yllapito/tuonti/", imports.import_upload, name="import"),
    path("yllapito/tuonti/<int:pk>/", imports.import_batch, name="import_batch"),
    path("yllapito/tuonti/<int:pk>/tila/", imports.import_batch_progress, name="import_batch_progress"),
    path("yllapito/tuonti/<int:pk>/uudelleen/", imports.import_job_retry_view, name="import_job_retry"),
]
