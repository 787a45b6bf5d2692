from django.urls import path

from . import views, views_exports
from .selfservice_urls import urlpatterns as selfservice_urlpatterns

app_name = "organisations"

urlpatterns = [
    # First, so that /yhdistykset/uusi/ is not taken for a listing's address.
    *selfservice_urlpatterns,
    path("yhdistykset/", views.organisation_list, name="list"),
    path("yhdistykset/vienti/<str:format>/", views_exports.organisation_export, name="export"),
    path("yhdistykset/<slug:slug>/", views.organisation_detail, name="detail"),
    path("kunnat/", views.municipality_list, name="municipalities"),
    path("kunnat/yhteyshenkilot/", views_exports.municipal_contact_list, name="municipal_contacts"),
    path("kunnat/<str:key>/", views.municipality_detail, name="municipality"),
    path("oma/kunta/", views_exports.contact_home, name="contact_home"),
    path("oma/kunta/suodattimet/", views_exports.saved_filter_create, name="saved_filter_create"),
    path("oma/kunta/suodattimet/<int:pk>/poista/", views_exports.saved_filter_remove, name="saved_filter_remove"),
    path("yllapito/tuonti/", views_exports.import_upload, name="import"),
    path("yllapito/tuonti/<int:pk>/", views_exports.import_batch, name="import_batch"),
]
