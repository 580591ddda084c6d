"""Oppslagstjenesten's own paths, as Digdir publishes them: /rest/v1/personer, /rest/v2/personer, /rest/v2/printSertifikat."""

from django.urls import path

from kontaktregister.api.views import PersonLookup, PersonLookupV2, PrintCertificateView

urlpatterns = [
    path("v1/personer", PersonLookup.as_view(), name="krr-rest-v1-personer"),
    path("v2/personer", PersonLookupV2.as_view(), name="krr-rest-v2-personer"),
    path("v2/printSertifikat", PrintCertificateView.as_view(), name="krr-rest-v2-print"),
]
