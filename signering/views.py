"""The citizen's side of the signing service, logged in through ID-porten at level 4: the documents
waiting for their signature, a job's page (what they sign, the card's PIN that only the page's
script sends to the card agent, or that the agent asks for in its own window; sign or decline), the
document itself, and the receipt.

Only the named signer gets past 404 on a job's pages; the PIN never reaches this server."""

import base64
import binascii
import contextlib
import json
from functools import wraps

from csp.decorators import csp_replace, csp_update
from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods

from idporten import first_party
from signering import services
from signering.models import Signeringsoppdrag

SERVICE = first_party.FirstPartyService(client_id="felles-signering", name="Signering", namespace="signering")


def _agent_messages() -> dict[str, str]:
    """What to tell the citizen for each of the card agent's error codes ({tries}: tries left)."""
    return {
        "no-reader": _("No card reader was found. Connect the reader and try again."),
        "no-card": _("There is no card in the reader. Insert your card and try again."),
        "wrong-pin": _("Wrong PIN. You have {tries} tries left before the card is locked."),
        "pin-blocked": _("The card's PIN is locked after too many wrong attempts. Contact the card issuer."),
        "pin-cancelled": _("You cancelled the PIN entry. Nothing was signed."),
        "pin-timeout": _("The PIN was not entered in time. Nothing was signed. Try again."),
        "card-removed": _("The card was removed while signing. Insert it and try again."),
        "not-eid-card": _("The card in the reader is not an eID card."),
        "bad-request": _("The card agent did not understand the request. Try again."),
        "card-error": _("The card did not answer as expected. Take it out, insert it again and try again."),
        "forbidden-origin": _("The card agent does not accept requests from this site."),
        "agent-unreachable": _("Could not reach the card agent. Check that it is running on this computer."),
        "no-pin": _("Enter the card's PIN."),
        "unknown": _("Something went wrong while signing. Nothing was signed. Try again."),
    }


def _calls_the_agent(view):
    """The page's script may talk to the card agent (set at request time: the agent's address is a setting)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return csp_update({"connect-src": [settings.SMARTCARD_AGENT_URL]})(view)(request, *args, **kwargs)

    return wrapper


def signer_page(*methods, json_answer: bool = False):
    """A page of one signing job: a level-4 login first (a step-up from level 3), and only the named
    signer gets the job; everyone else gets 404. The view gets the job and reads request.acr."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, job_id, *args, **kwargs):
            login = first_party.current_login(request, SERVICE, acr=first_party.LOA_HIGH)
            if login is None:
                if json_answer:
                    return JsonResponse(
                        {"message": _("You are no longer logged in. Reload the page.")}, status=401
                    )
                return redirect(
                    first_party.login_url(SERVICE, reverse("signering:job", args=[job_id]), step_up=True)
                )
            request.identity_number, request.acr = login.identity_number, login.acr
            try:
                job = services.job_for_signer(login.identity_number, job_id)
            except services.JobNotFound:
                raise Http404 from None
            return view(request, job, *args, **kwargs)

        return require_http_methods(list(methods))(never_cache(wrapper))

    return decorate


login, callback, logout = first_party.login_views(SERVICE, failed_template="signering/login_failed.html")


@never_cache
@require_GET
def home(request):
    login = first_party.current_login(request, SERVICE)
    if login is None:
        login_url = first_party.login_url(SERVICE, reverse("signering:home"), step_up=True)
        return render(request, "signering/start.html", {"login_url": login_url})
    return render(request, "signering/home.html", {"jobs": services.jobs_to_sign(login.identity_number)})


def _fingerprint(sha256_hex: str) -> str:
    return " ".join(sha256_hex[i : i + 4] for i in range(0, len(sha256_hex), 4))


@signer_page("GET")
@_calls_the_agent
def job(request, job):
    if job.status != Signeringsoppdrag.Status.VENTER:
        return redirect("signering:receipt", job_id=job.pk)
    return render(
        request,
        "signering/job.html",
        {
            "job": job,
            "fingerprint": _fingerprint(job.sha256),
            "agent_url": settings.SMARTCARD_AGENT_URL,
            "agent_messages": _agent_messages(),
        },
    )


# The job page shows the PDF in an iframe from this view: only its framing by the site itself is let in.
@signer_page("GET")
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
def document(request, job):
    if not job.is_pdf:
        raise Http404
    response = HttpResponse(bytes(job.document), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{job.title}.pdf")
    return response


def _json_body(request, *fields: str) -> dict[str, bytes] | None:
    """The named base64 fields of a JSON body, decoded; None when the body is not that."""
    try:
        body = json.loads(request.body)
        return {field: base64.b64decode(body[field], validate=True) for field in fields}
    except (ValueError, KeyError, TypeError, binascii.Error, RecursionError):
        return None


def _refused(error: services.SigneringError) -> JsonResponse:
    return JsonResponse({"code": error.code, "message": error.message}, status=409)


@signer_page("POST", json_answer=True)
def prepare(request, job):
    """The card's certificate in, the digest the card must sign out."""
    body = _json_body(request, "certificate")
    if body is None:
        return JsonResponse({"message": _("The request was not understood.")}, status=400)
    try:
        digest = services.prepare_signing(
            request.identity_number,
            job.pk,
            certificate_der=body["certificate"],
            acr=request.acr,
            request=request,
        )
    except services.SigneringError as error:
        return _refused(error)
    return JsonResponse({"digest": base64.b64encode(digest).decode(), "hashFunction": "SHA-256"})


@signer_page("POST", json_answer=True)
def complete(request, job):
    """The card's signature and certificate in; signed, the receipt's address out."""
    body = _json_body(request, "signature", "certificate")
    if body is None:
        return JsonResponse({"message": _("The request was not understood.")}, status=400)
    try:
        services.complete_signing(
            request.identity_number,
            job.pk,
            signature=body["signature"],
            certificate_der=body["certificate"],
            acr=request.acr,
            request=request,
        )
    except services.SigneringError as error:
        return _refused(error)
    return JsonResponse({"receipt": reverse("signering:receipt", args=[job.pk])})


@signer_page("POST")
def decline(request, job):
    # Already answered or expired: the receipt says which.
    with contextlib.suppress(services.JobClosed):
        services.decline(request.identity_number, job.pk, acr=request.acr, request=request)
    return redirect("signering:receipt", job_id=job.pk)


@signer_page("GET")
def receipt(request, job):
    if job.status == Signeringsoppdrag.Status.VENTER:
        return redirect("signering:job", job_id=job.pk)
    return render(request, "signering/receipt.html", {"job": job, "fingerprint": _fingerprint(job.sha256)})
