from django.urls import path
from django.views.decorators.http import require_GET

from . import views
from .feeds import NewsAtomFeed, NewsFeed

app_name = "council"

urlpatterns = [
    path("neuvosto/", views.council_home, name="home"),
    path("neuvosto/kaudet/", views.term_list, name="terms"),
    path("neuvosto/kaudet/<int:pk>/", views.term_detail, name="term"),
    path("neuvosto/yhteistyoryhma/", views.group, name="group"),
    path("neuvosto/yhteistyoryhma/liity/", views.group_join, name="group_join"),
    path("neuvosto/yhteistyoryhma/eroa/", views.group_leave, name="group_leave"),
    path("neuvosto/vaalit/", views.election_list, name="elections"),
    path("neuvosto/vaalit/<int:pk>/", views.election_detail, name="election"),
    path("neuvosto/vaalit/<int:pk>/aanestysliput/", views.election_ballots, name="election_ballots"),
    path("neuvosto/vaalit/<int:pk>/ehdokkaaksi/<slug:slug>/", views.nominate, name="nominate"),
    path("neuvosto/vaalit/<int:pk>/aanesta/<slug:slug>/", views.vote, name="vote"),
    path("neuvosto/kokoukset/", views.meeting_list, name="meetings"),
    path("neuvosto/kokoukset/<int:pk>/", views.meeting_detail, name="meeting"),
    path("neuvosto/kokoukset/<int:pk>/liitteet/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path("neuvosto/kokoukset/<int:pk>/tarkasta/", views.minutes_approve, name="minutes_approve"),
    path("neuvosto/ajankohtaista/", views.news_list, name="news"),
    path("neuvosto/ajankohtaista/atom/", require_GET(NewsAtomFeed()), name="news_atom"),
    path("neuvosto/ajankohtaista/rss/", require_GET(NewsFeed()), name="news_rss"),
    path("neuvosto/ajankohtaista/<slug:slug>/", views.news_detail, name="news_detail"),
    path("neuvosto/asiakirjat/<slug:kind>/", views.document_detail, name="document"),
    path("neuvosto/asiakirjat/<slug:kind>/muokkaa/", views.document_edit, name="document_edit"),
    # The secretary's desk and tools.
    path("oma/sihteeri/", views.desk, name="desk"),
    path("neuvosto/hallinta/vaalit/uusi/", views.election_create, name="election_create"),
    path("neuvosto/hallinta/vaalit/<int:pk>/", views.election_manage, name="election_manage"),
    path("neuvosto/hallinta/vaalit/<int:pk>/hyvaksynta/", views.election_approve, name="election_approve"),
    path(
        "neuvosto/hallinta/vaalit/<int:pk>/kokouksen-tulos/",
        views.election_meeting_results,
        name="election_meeting_results",
    ),
    path("neuvosto/hallinta/ehdokkaat/<int:pk>/hylkaa/", views.nomination_reject, name="nomination_reject"),
    path("neuvosto/hallinta/paikat/<int:pk>/varajasen/", views.seat_deputy_steps_in, name="seat_deputy_steps_in"),
    path("neuvosto/hallinta/kokoukset/uusi/", views.meeting_edit, name="meeting_create"),
    path("neuvosto/hallinta/kokoukset/<int:pk>/", views.meeting_edit, name="meeting_edit"),
    path("neuvosto/hallinta/kokoukset/<int:pk>/poytakirja/", views.minutes_edit, name="minutes_edit"),
    path("neuvosto/hallinta/kokoukset/<int:pk>/julkaise/", views.minutes_publish, name="minutes_publish"),
    path("neuvosto/hallinta/ajankohtaista/uusi/", views.news_edit, name="news_create"),
    path("neuvosto/hallinta/ajankohtaista/<int:pk>/", views.news_edit, name="news_edit"),
]
