"""The citizens' help pages: one per service, as MinID, ID-porten, KRR and the mailbox each have
their own "Hjelp" page in the real world. The common questions are the same on every page (most
trouble is with logging in); what differs is the service's introduction and why it needs a login."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class HelpTopic:
    slug: str
    name: str | Promise
    intro: Promise
    why_log_in: Promise


HELP_TOPICS: dict[str, HelpTopic] = {
    topic.slug: topic
    for topic in (
        HelpTopic(
            slug="minid",
            name="MinID",
            intro=_(
                "MinID is your electronic ID for public services. You log in with your fødselsnummer, "
                "a password and a one-time code by SMS or from your PIN letter."
            ),
            why_log_in=_(
                "Public services need to know that it really is you before they show or change your "
                "information. The password and the one-time code together make sure that nobody else "
                "can log in as you, even if they know your password."
            ),
        ),
        HelpTopic(
            slug="idporten",
            name="ID-porten",
            intro=_(
                "ID-porten is the login page that public services send you to. There you choose how "
                "you want to log in, for example with MinID."
            ),
            why_log_in=_(
                "The service you came from needs to know who you are. ID-porten checks your electronic "
                "ID and tells the service your fødselsnummer, so that you do not have to prove who you "
                "are to every service on your own."
            ),
        ),
        HelpTopic(
            slug="kontaktinfo",
            name=_("Contact and reservation register"),
            intro=_(
                "In the contact and reservation register you keep the mobile number and e-mail address "
                "that public services use to reach you, choose your digital mailbox, or reserve "
                "yourself against digital communication."
            ),
            why_log_in=_(
                "Your contact details decide where public services send messages meant for you. "
                "Logging in makes sure that only you can see and change them."
            ),
        ),
        HelpTopic(
            slug="postkasse",
            name=_("Digital mailbox"),
            intro=_(
                "Your digital mailbox receives letters from public services, such as decisions and "
                "replies to applications. You read them here instead of on paper."
            ),
            why_log_in=_(
                "Letters from public services can contain private information about you. Logging in "
                "makes sure that only you can open them."
            ),
        ),
    )
}

# The URL namespace of each citizen app, mapped to its help page (the footer links there).
_NAMESPACE_TOPICS = {
    "minid": "minid",
    "idporten": "idporten",
    "kontaktregister": "kontaktinfo",
    "postkasse": "postkasse",
}


def topic_for_namespaces(namespaces: list[str]) -> HelpTopic | None:
    """The help page for the service a page belongs to, or None outside the four services."""
    slug = _NAMESPACE_TOPICS.get(namespaces[0]) if namespaces else None
    return HELP_TOPICS.get(slug) if slug else None
