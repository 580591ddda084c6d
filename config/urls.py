from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView

from core import views as core_views
from core.admin_shortcut import view_on_site
from idporten.views import protocol as idporten_protocol
from maskinporten import views as maskinporten_views

admin.site.site_header = "Felles"
admin.site.site_title = "Felles"

urlpatterns = [
    path("", include("core.urls")),
    path("sprak/", set_language, name="set_language"),
    path("minid/", include("minid.urls")),
    path("idporten/", include("idporten.urls")),
    path("maskinporten/", include("maskinporten.urls")),
    # RFC 8414 section 3.1: the well-known path goes before the issuer's own path.
    path(
        ".well-known/oauth-authorization-server/maskinporten/",
        maskinporten_views.metadata,
        name="maskinporten-metadata-rfc8414",
    ),
    path("kontaktinfo/", include("kontaktregister.urls")),
    path("postkasse/", include("postkasse.urls")),
    path("innsyn/", include("saksarkiv.public_urls")),
    path("smartkort/", include("smartkort.urls")),
    path("demo/", include("demo.urls")),
    path(".well-known/openid-configuration", idporten_protocol.discovery, name="oidc-discovery"),
    # Before the admin's own: Django's "view on site" shortcut answers 500 for a malformed id.
    path("admin/r/<path:content_type_id>/<path:object_id>/", admin.site.admin_view(view_on_site)),
    path("admin/", admin.site.urls),
    path("api/token", maskinporten_views.legacy_token, name="maskinporten-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/krr/", include("kontaktregister.api.urls")),
    path("rest/", include("kontaktregister.api.rest_urls")),
    path("api/post/", include("postkasse.api.urls")),
    # The Noark 5 tjenestegrensesnitt; its v1/arkivstruktur/... paths of before stay as an alias.
    path("api/noark5/", include("saksarkiv.api.urls")),
    path("api/noark5/", include("saksarkiv.noark5.urls")),
    path("signering/", include("signering.urls")),
    path("api/signering/", include("signering.api.urls")),
    # The hosted integrasjonspunkt (eFormidling 2): Digdir's paths, /api/capabilities, /api/messages/out ...
    path("api/", include("eformidling.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static as serve_files

    urlpatterns += serve_files(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = core_views.bad_request
handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
handler500 = core_views.server_error
