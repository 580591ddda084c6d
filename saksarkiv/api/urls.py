"""/api/noark5/v1/arkivstruktur/...: the Noark 5 service interface's resources, by systemID."""

from django.urls import path

from saksarkiv.api import views

ARKIVSTRUKTUR = "v1/arkivstruktur/"

urlpatterns = [
    path(f"{ARKIVSTRUKTUR}saksmappe", views.SaksmappeListe.as_view(), name="noark5-saksmapper"),
    path(
        f"{ARKIVSTRUKTUR}saksmappe/<uuid:system_id>", views.SaksmappeDetalj.as_view(), name="noark5-saksmappe"
    ),
    path(
        f"{ARKIVSTRUKTUR}saksmappe/<uuid:system_id>/journalpost",
        views.SaksmappeJournalposter.as_view(),
        name="noark5-saksmappe-journalpost",
    ),
    path(
        f"{ARKIVSTRUKTUR}saksmappe/<uuid:system_id>/avslutt",
        views.SaksmappeAvslutt.as_view(),
        name="noark5-saksmappe-avslutt",
    ),
    path(f"{ARKIVSTRUKTUR}journalpost", views.JournalpostListe.as_view(), name="noark5-journalposter"),
    path(
        f"{ARKIVSTRUKTUR}journalpost/<uuid:system_id>",
        views.JournalpostDetalj.as_view(),
        name="noark5-journalpost",
    ),
    path(
        f"{ARKIVSTRUKTUR}journalpost/<uuid:system_id>/ferdigstill",
        views.JournalpostFerdigstill.as_view(),
        name="noark5-journalpost-ferdigstill",
    ),
    path(
        f"{ARKIVSTRUKTUR}journalpost/<uuid:system_id>/ekspeder",
        views.JournalpostEkspeder.as_view(),
        name="noark5-journalpost-ekspeder",
    ),
    path(
        f"{ARKIVSTRUKTUR}journalpost/<uuid:system_id>/korrespondansepart",
        views.Korrespondanseparter.as_view(),
        name="noark5-journalpost-korrespondansepart",
    ),
    path(
        f"{ARKIVSTRUKTUR}journalpost/<uuid:system_id>/dokumentbeskrivelse",
        views.Dokumentbeskrivelser.as_view(),
        name="noark5-journalpost-dokumentbeskrivelse",
    ),
    path(
        f"{ARKIVSTRUKTUR}dokumentbeskrivelse/<uuid:system_id>",
        views.DokumentbeskrivelseDetalj.as_view(),
        name="noark5-dokumentbeskrivelse",
    ),
    path(
        f"{ARKIVSTRUKTUR}dokumentbeskrivelse/<uuid:system_id>/dokumentobjekt",
        views.Dokumentobjekter.as_view(),
        name="noark5-dokumentbeskrivelse-dokumentobjekt",
    ),
    path(
        f"{ARKIVSTRUKTUR}dokumentbeskrivelse/<uuid:system_id>/dokumentobjekt/<int:versjonsnummer>/referanseFil",
        views.DokumentobjektFil.as_view(),
        name="noark5-dokumentobjekt-fil",
    ),
]
