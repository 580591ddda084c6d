"""The smartcards (Buypass, Commfides) as one of ID-porten's eIDs (idporten.eid), registered in
SmartkortConfig.ready(): one choice in the picker per issuer with an active CA."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from idporten import eid
from smartkort import services, session


def _choices() -> list[eid.Choice]:
    return [
        eid.Choice(
            slug=provider.lower(),
            label=provider,
            description=_("Smartcard from %(name)s with a card reader (security level 4).")
            % {"name": provider},
        )
        for provider in services.available_providers(cached=True)
    ]


def _start_url(choice: str, return_to: str) -> str:
    return f"{reverse('smartkort:login', kwargs={'provider': choice})}?{urlencode({'next': return_to})}"


def _login(request) -> eid.Login | None:
    found = session.authentication(request)
    if found is None:
        return None
    return eid.Login(
        identity_number=found.identity_number, acr=eid.LOA_HIGH, amr=found.amr, auth_time=found.auth_time
    )


def _help_links() -> list[eid.HelpLink]:
    return [eid.HelpLink(_("Logging in with a smartcard"), reverse("smartkort:help"))]


SMARTCARD = eid.Eid(
    name="smartkort",
    acr=eid.LOA_HIGH,
    amr_values=session.AMR_VALUES,
    choices=_choices,
    start_url=_start_url,
    login=_login,
    log_out=session.log_out,
    help_links=_help_links,
)
