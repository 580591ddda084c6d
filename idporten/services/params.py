"""The parameters of a request to an OAuth or OpenID Connect endpoint (ID-porten's and
Maskinporten's): form-encoded when posted (RFC 6749 section 3.2), each at most once (section 3.1:
"Request and response parameters MUST NOT be included more than once"), in a bounded body, and
without NUL, which PostgreSQL cannot store and no parameter needs.

A refusal is an OAuthError (invalid_request), so each endpoint answers in its own format rather
than with Django's HTML 400 page.
"""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent

from idporten.services.errors import OAuthError

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
# A Maskinporten grant with a five-certificate x5c chain is about 20 KB; a PAR request less.
MAX_BODY_BYTES = 64 * 1024
MAX_SHOWN_NAME_LENGTH = 40


def _invalid_request(description: str) -> OAuthError:
    return OAuthError("invalid_request", description, redirect=False)


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _shown(name: str) -> str:
    return name[:MAX_SHOWN_NAME_LENGTH].replace("\x00", "\ufffd")


def parameters(request) -> dict[str, str]:
    """The request's parameters (the form of a POST, the query of a GET), each one value."""
    if request.method == "POST":
        if request.content_type != FORM_CONTENT_TYPE:
            raise _invalid_request(f"The request body must be {FORM_CONTENT_TYPE}.")
        if _declared_length(request) > MAX_BODY_BYTES:
            raise _invalid_request(f"The {FORM_CONTENT_TYPE} body may be at most {MAX_BODY_BYTES} bytes.")
    try:
        source = request.POST if request.method == "POST" else request.GET
    except RequestDataTooBig:
        raise _invalid_request(f"The {FORM_CONTENT_TYPE} body is too large.") from None
    except TooManyFieldsSent:
        raise _invalid_request("The request has too many parameters.") from None
    for name, values in source.lists():
        if len(values) > 1:
            raise _invalid_request(f"The parameter {_shown(name)} is given more than once.")
        if "\x00" in name or "\x00" in values[0]:
            raise _invalid_request(f"The parameter {_shown(name)} contains a NUL character.")
    return source.dict()
