"""MinID as one of ID-porten's eIDs (idporten.eid), registered in MinidConfig.ready()."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from idporten import eid
from minid import session


def _choices() -> list[eid.Choice]:
    return [
        eid.Choice(
            slug="",
            label="MinID",
            description=_("Password and a one-time code by SMS or from your PIN letter."),
        )
    ]


def _start_url(_choice: str, return_to: str) -> str:
    return f"{reverse('minid:login')}?{urlencode({'next': return_to})}"


def _login(request) -> eid.Login | None:
    found = session.authentication(request)
    if found is None:
        return None
    return eid.Login(
        identity_number=found.identity_number,
        acr=eid.LOA_SUBSTANTIAL,
        amr=found.amr,
        auth_time=found.auth_time,
    )


def _help_links() -> list[eid.HelpLink]:
    return [
        eid.HelpLink(_("Get MinID"), reverse("minid:register")),
        eid.HelpLink(_("Forgot your MinID password?"), reverse("minid:forgot_password")),
        eid.HelpLink(_("Order a new PIN letter"), reverse("minid:order_letter_public")),
    ]


MINID = eid.Eid(
    name="minid",
    acr=eid.LOA_SUBSTANTIAL,
    amr_values=session.AMR_VALUES,
    choices=_choices,
    start_url=_start_url,
    login=_login,
    log_out=session.log_out,
    help_links=_help_links,
)
