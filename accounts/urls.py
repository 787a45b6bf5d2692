from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.account_overview, name="overview"),
    path("omat-tiedot/", views.personal_data_download, name="personal_data"),
    path("poista/", views.account_delete, name="delete"),
]
