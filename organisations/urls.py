from django.urls import path

from . import views

app_name = "organisations"

urlpatterns = [
    path("yhdistykset/", views.organisation_list, name="list"),
    path("yhdistykset/<slug:slug>/", views.organisation_detail, name="detail"),
    path("kunnat/", views.municipality_list, name="municipalities"),
    path("kunnat/<str:key>/", views.municipality_detail, name="municipality"),
]
