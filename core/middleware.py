"""Language selection: Bokmål unless the citizen has chosen another language.

Django's LocaleMiddleware would follow the browser's Accept-Language; Norwegian
public services open in Bokmål and let the citizen switch, so we only honour
the language cookie set by the switcher.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def chosen_language(request) -> str:
    candidate = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return candidate if candidate in SUPPORTED else settings.LANGUAGE_CODE


def use_language(request, language: str) -> None:
    """Show the rest of this request in another supported language (the caller sets the cookie
    for the requests that follow)."""
    if language in SUPPORTED:
        translation.activate(language)
        request.LANGUAGE_CODE = language


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response
