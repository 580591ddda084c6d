"""Case handlers, cases and templates for the case archive tests."""

import itertools

from django.contrib.auth import get_user_model

from saksarkiv.models import AdministrativEnhet, Brevmal, Saksbehandler
from virksomheter.models import Organisation

_users = itertools.count()


def organisation(number="965302026", name="Fjordvik kommune") -> Organisation:
    found, _created = Organisation.objects.get_or_create(
        organisasjonsnummer=number, defaults={"name_nb": name, "kind": "municipality"}
    )
    return found


def handler(org=None, **user_fields) -> Saksbehandler:
    org = org or organisation()
    user = get_user_model().objects.create_user(
        username=f"saksbehandler{next(_users)}", password="Riktig-hest-batteri-42", is_staff=True,
        **{"first_name": "Ingrid", "last_name": "Berg", **user_fields},
    )  # fmt: skip
    return Saksbehandler.objects.create(
        user=user, organisation=org, initialer="IB", administrativ_enhet=enhet(org)
    )


def enhet(org=None, kortnavn="HEL", navn="Helse") -> AdministrativEnhet:
    found, _created = AdministrativEnhet.objects.get_or_create(
        organisation=org or organisation(), kortnavn=kortnavn, defaults={"navn": navn}
    )
    return found


def brevmal(org=None, **fields) -> Brevmal:
    values = {
        "navn": "Vedtak bostøtte",
        "emne": "Vedtak i sak {{ saksnummer }}",
        "tekst": "Hei {{ mottaker_navn }},\n\nDu har fått innvilget bostøtte.\n\nMed vennlig hilsen\n{{ saksbehandler }}",
        **fields,
    }
    return Brevmal.objects.create(organisation=org or organisation(), **values)
