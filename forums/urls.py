from django.urls import path

from . import views

app_name = "forums"

urlpatterns = [
    path("tapahtumat/", views.event_list, name="calendar"),
    path("tapahtumat/kuukausi/", views.event_month, name="month_current"),
    path("tapahtumat/kuukausi/<int:year>/<int:month>/", views.event_month, name="month"),
    path("tapahtumat/arkisto/", views.event_archive, name="archive"),
    path("tapahtumat/kalenteri.ics", views.calendar_feed, name="feed"),
    path("tapahtumat/uusi/", views.event_create, name="create"),
    path("tapahtumat/omat/", views.my_events, name="my"),
    path("tapahtumat/moderointi/", views.moderation_queue, name="moderation"),
    path("tapahtumat/peru/<str:token>/", views.registration_cancel, name="cancel"),
    path("tapahtumat/<slug:slug>/", views.event_detail, name="detail"),
    path("tapahtumat/<slug:slug>/kalenteri.ics", views.event_ics, name="event_ics"),
    path("tapahtumat/<slug:slug>/ilmoittaudu/", views.event_register, name="register"),
    path("tapahtumat/<slug:slug>/muokkaa/", views.event_edit, name="edit"),
    path("tapahtumat/<slug:slug>/peru-tapahtuma/", views.event_cancel, name="event_cancel"),
    path("tapahtumat/<slug:slug>/osallistujat/", views.participant_list, name="participants"),
    path("tapahtumat/<slug:slug>/osallistujat.csv", views.participant_export, name="participants_csv"),
    path("tapahtumat/<slug:slug>/osallistujat/<int:pk>/peru/", views.participant_cancel, name="participant_cancel"),
    path("tapahtumat/<slug:slug>/edustajat/", views.delegates, name="delegates"),
    path("tapahtumat/<slug:slug>/edustajat/<int:pk>/peru/", views.delegate_cancel, name="delegate_cancel"),
    path("tapahtumat/<slug:slug>/hyvaksy/", views.event_approve, name="approve"),
    path("tapahtumat/<slug:slug>/hylkaa/", views.event_reject, name="reject"),
]
