from django.urls import path

from . import views
from .selfservice_urls import urlpatterns as selfservice_urlpatterns

app_name = "organisations"

urlpatterns = [
    # First, so that /yhdistykset/uusi/ is not taken for a listing's address.
    *selfservice_urlpatterns,
    path("yhdistykset/", views.organisation_list, name="list"),
    path("yhdistykset/<slug:slug>/", views.organisation_detail, name="detail"),
    path("kunnat/", views.municipality_list, name="municipalities"),
    path("kunnat/<str:key>/", views.municipality_detail, name="municipality"),
]
