"""Oppslagstjenesten's own paths, as Digdir publishes them: /rest/v1/personer, /rest/v2/personer, /rest/v2/printSertifikat."""

urlpatterns = []
