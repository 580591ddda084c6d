"""The public journal (offentlig journal) under /innsyn/."""

from django.urls import path

from saksarkiv import public_views

app_name = "innsyn"
urlpatterns = [
    path("", public_views.organisations, name="organisations"),
    path("<str:organisasjonsnummer>/", public_views.journal, name="journal"),
    path(
        "<str:organisasjonsnummer>/<int:journalpost_id>/innsynskrav/",
        public_views.request_access,
        name="request_access",
    ),
]
