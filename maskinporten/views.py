"""Maskinporten's endpoints: the token endpoint (JWT-bearer grant, RFC 7523), its RFC 8414
metadata and its keys, under its own issuer as at https://maskinporten.no/."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from idporten import keys
from idporten.services import params
from idporten.services.errors import OAuthError
from idporten.services.issuer import issuer as idporten_issuer
from maskinporten import services


def _no_store(response):
    """Token responses and their errors are never cached (RFC 6749 section 5.1)."""
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def _token(request, legacy_audiences: tuple[str, ...]):
    try:
        form = params.parameters(request)
        body = services.issue_token(
            grant_type=form.get("grant_type", ""),
            assertion=form.get("assertion", ""),
            issuer=services.issuer(request),
            legacy_audiences=legacy_audiences,
            request=request,
        )
    except OAuthError as error:  # RFC 6749 section 5.2; a grant's client is never asked for Basic
        return _no_store(JsonResponse(error.as_dict(), status=error.status))
    return _no_store(JsonResponse(body))


@csrf_exempt
@require_POST
def token(request):
    return _token(request, ())


@csrf_exempt
@require_POST
def legacy_token(request):
    """POST /api/token, Felles' first token endpoint: the same issuer and tokens; grants may still
    name the host alone as aud, as Felles' first clients did."""
    return _token(request, (idporten_issuer(request),))


@require_GET
def metadata(request):
    response = JsonResponse(services.metadata(services.issuer(request)))
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def jwk(request):
    response = JsonResponse(keys.jwks())
    response["Access-Control-Allow-Origin"] = "*"
    return response
