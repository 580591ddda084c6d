"""Maskinporten's token endpoint for agencies' machines (JWT-bearer grant, RFC 7523)."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from idporten.services import params
from idporten.services.errors import OAuthError
from idporten.services.issuer import issuer
from idporten.views.protocol import oauth_error
from maskinporten import services


@csrf_exempt
@require_POST
def token(request):
    try:
        form = params.parameters(request)
        body = services.issue_token(
            grant_type=form.get("grant_type", ""),
            assertion=form.get("assertion", ""),
            issuer=issuer(request),
            request=request,
        )
    except OAuthError as error:
        return oauth_error(error)
    response = JsonResponse(body)
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response
