from django.urls import path

from signering.api.views import OppdragDetalj, OppdragListe, Signatur

urlpatterns = [
    path("v1/oppdrag", OppdragListe.as_view(), name="signering-oppdragsliste"),
    path("v1/oppdrag/<uuid:job_id>", OppdragDetalj.as_view(), name="signering-oppdrag"),
    path("v1/oppdrag/<uuid:job_id>/signatur", Signatur.as_view(), name="signering-signatur"),
]
