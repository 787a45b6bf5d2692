"""allauth's password re-check pages, under their allauth names, wrapped in the portal's throttle.

Included before ``allauth.urls`` so that these take the addresses; no namespace, because allauth
reverses ``account_reauthenticate`` and ``account_change_password``.
"""

from django.urls import path

from . import views

urlpatterns = [
    path("reauthenticate/", views.reauthenticate, name="account_reauthenticate"),
    path("password/change/", views.password_change, name="account_change_password"),
]
