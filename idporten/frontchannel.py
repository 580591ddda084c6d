"""Front-channel logout frames owed to a browser (Front-Channel Logout 1.0): a session that ended
while the browser was not shown the clients' logout frames (timeout, step-up) shows them on the
next page of Felles the browser opens. The base template includes
idporten/owed_frontchannel_logout.html, which asks the context processor below for the frames;
the middleware lets that page frame their origins (CSP frame-src)."""

from django.conf import settings

from idporten.services import logout
from idporten.services.issuer import issuer


def owed_frontchannel_logout(request):
    """`idporten_owed_frontchannel`: called by the template only when a page includes it, so a page
    that does not show the frames does not take them."""

    def frames() -> list[str]:
        session = getattr(request, "session", None)
        # Without a session cookie nothing can be owed, unless this very request ended a session.
        if session is None or (settings.SESSION_COOKIE_NAME not in request.COOKIES and not session.modified):
            return []
        return logout.take_owed_frontchannel(request, issuer=issuer(request))

    return {"idporten_owed_frontchannel": frames}


class FrontchannelLogoutMiddleware:
    """Adds the origins of the owed frames a page showed to its Content-Security-Policy frame-src
    (django-csp 4 reads the update from the response)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        origins = logout.owed_frame_origins(request)
        if origins:
            update = dict(getattr(response, "_csp_update", None) or {})
            frame_src = update.get("frame-src", [])
            frame_src = [frame_src] if isinstance(frame_src, str) else list(frame_src)
            update["frame-src"] = sorted({*frame_src, *origins})
            response._csp_update = update
        return response
