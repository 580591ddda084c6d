from idporten.views import pages, protocol

app_name = "idporten"
urlpatterns = [*protocol.urlpatterns, *pages.urlpatterns]
