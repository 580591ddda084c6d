"""The KRR lookup (oppslagstjenesten): up to 1000 persons per call, in one query whatever the
batch size. Unknown numbers answer "not registered", never an error for the batch; a number that
is not a valid fødselsnummer or D-nummer fails the whole call, as a request that breaks the API's
contract does."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, F, Func, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from folkeregister.identity import parse_identity_number
from kontaktregister.models import ContactRecord

MAX_PERSONS_PER_LOOKUP = 1000
# Maskinporten scopes, as Digdir names them (the old krr:kontaktinformasjon and krr:digitalpost are
# aliases that maskinporten.drf maps onto these).
SCOPE_CONTACT = "krr:global/kontaktinformasjon.read"
SCOPE_DIGITAL_POST = "krr:global/digitalpost.read"

# KRR's code lists (Digdir's begrepskatalog: status, reservasjon, varslingsstatus).
ACTIVE, DELETED, NOT_REGISTERED = "AKTIV", "SLETTET", "IKKE_REGISTRERT"
YES, NO = "JA", "NEI"
CAN_BE_NOTIFIED, CANNOT_BE_NOTIFIED = "KAN_VARSLES", "KAN_IKKE_VARSLES"
STATUS_NAMES = {ContactRecord.Status.ACTIVE: ACTIVE, ContactRecord.Status.DELETED: DELETED}
# Oppslagstjenesten gives its moments in Norwegian time with the hour offset, "2023-06-29T10:14:52+02".
KRR_TIME_ZONE = ZoneInfo("Europe/Oslo")


class KontaktregisterError(DomainError):
    code = "kontaktregister_error"


class InvalidLookup(KontaktregisterError):
    code = "invalid_lookup"


@dataclass(frozen=True, slots=True)
class Contact:
    """One person as the register answers for them; moments are KRR-formatted text, absent as None."""

    identity_number: str
    status: str  # AKTIV, SLETTET or IKKE_REGISTRERT
    reserved: bool | None = None
    reserved_at: str | None = None
    notifiable: bool = False  # the 18-month rule (eForvaltningsforskriften § 32), unreserved and active
    language: str | None = None
    language_updated_at: str | None = None
    mobile: str | None = None
    mobile_updated_at: str | None = None
    mobile_verified_at: str | None = None
    email: str | None = None
    email_updated_at: str | None = None
    email_verified_at: str | None = None
    mailbox_provider: str | None = None
    mailbox_address: str | None = None
    mailbox_certificate: str | None = None  # PEM


@dataclass(frozen=True)
class PrintCertificate:
    """The print provider: whom a letter for paper is addressed to, and the certificate it is encrypted to."""

    provider_address: str
    certificate_pem: str


def krr_moment(moment: datetime) -> str:
    """A moment as oppslagstjenesten writes it: Norwegian local time, whole seconds, hour offset."""
    local = moment.astimezone(KRR_TIME_ZONE)
    return local.strftime("%Y-%m-%dT%H:%M:%S") + local.strftime("%z")[:3]


class KrrMoment(Func):
    """The same text made by PostgreSQL in the query itself, so that a thousand persons' four
    moments cost the Python side nothing; other databases give ISO text that Python formats."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra):
        return Cast(self.source_expressions[0], TextField()).as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        local = f"(({sql}) AT TIME ZONE 'Europe/Oslo')"
        return (
            f"""to_char({local}, 'YYYY-MM-DD"T"HH24:MI:SS') """
            f"""|| to_char({local} - (({sql}) AT TIME ZONE 'UTC'), '"+"HH24')""",
            params * 3,
        )


class AnyOf(Func):
    """`column = ANY(%s)` with the numbers as one PostgreSQL array."""

    output_field = BooleanField()

    def __init__(self, expression, *, numbers: list[str]):
        super().__init__(expression)
        self.numbers = numbers

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        # Through a sub-select, so that the planner takes the array as one parameter: a literal array
        # of 1000 has it estimate each element, which took as long as running the query.
        return f"{sql} = ANY(ARRAY(SELECT unnest(%s::text[])))", [*params, self.numbers]


def _krr_text(text: str | None) -> str | None:
    """A moment the database gave as ISO text (SQLite), in KRR's format."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return krr_moment(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def notifiable_condition(now: datetime) -> Q:
    """KAN_VARSLES: active, not reserved, something registered, and everything registered verified
    within KRR_CONFIRM_AFTER_DAYS: the rule selfservice.needs_confirmation asks the citizen by."""
    limit = now - timedelta(days=settings.KRR_CONFIRM_AFTER_DAYS)
    return (
        Q(status=ContactRecord.Status.ACTIVE, reserved=False)
        & ~Q(mobile="", email="")
        & (Q(mobile="") | Q(mobile_verified_at__gte=limit))
        & (Q(email="") | Q(email_verified_at__gte=limit))
    )


MOMENTS = (
    "reserved_changed_at", "language_updated_at", "mobile_updated_at", "mobile_verified_at",
    "email_updated_at", "email_verified_at",
)  # fmt: skip
FIELDS = (
    "person__identity_number", "status", "reserved", "notifiable", "language", "mobile", "email",
    "mailbox_provider", "mailbox_address", "mailbox_certificate", *(f"{name}_text" for name in MOMENTS),
)  # fmt: skip


def _contact(row: tuple, formatted: bool) -> Contact:
    (
        number,
        status,
        reserved,
        notifiable,
        language,
        mobile,
        email,
        provider,
        address,
        certificate,
        *moments,
    ) = row
    if status != ContactRecord.Status.ACTIVE:
        # A deleted person has nothing registered any more: the status is all that is answered.
        return Contact(number, STATUS_NAMES[status])
    if not formatted:
        moments = map(_krr_text, moments)
    reserved_at, language_at, mobile_at, mobile_verified, email_at, email_verified = moments
    return Contact(
        identity_number=number,
        status=ACTIVE,
        reserved=reserved,
        reserved_at=reserved_at,
        notifiable=notifiable,
        language=language or None,
        language_updated_at=language_at,
        mobile=mobile or None,
        mobile_updated_at=mobile_at if mobile else None,
        mobile_verified_at=mobile_verified if mobile else None,
        email=email or None,
        email_updated_at=email_at if email else None,
        email_verified_at=email_verified if email else None,
        mailbox_provider=(provider or None) if address else None,
        mailbox_address=address or None,
        mailbox_certificate=(certificate or None) if address else None,
    )


def _checked_count(identity_numbers) -> None:
    if not isinstance(identity_numbers, list) or not identity_numbers:
        raise InvalidLookup(_("personidentifikatorer must be a list of 1 to 1000 identity numbers."))
    if len(identity_numbers) > MAX_PERSONS_PER_LOOKUP:
        raise InvalidLookup(
            _("At most %(max)d identity numbers can be looked up in one call; %(count)d were given.")
            % {"max": MAX_PERSONS_PER_LOOKUP, "count": len(identity_numbers)}
        )


def _parsed(value) -> str:
    try:
        if not isinstance(value, str):
            raise ValidationError("not a string")
        return parse_identity_number(value).number
    except ValidationError:
        raise InvalidLookup(
            _("%(value)s is not a valid identity number.") % {"value": str(value)[:20]}
        ) from None


def _plain(value) -> bool:
    """Eleven ASCII digits: already in the stored form, so it can be looked up before it is checked."""
    return isinstance(value, str) and len(value) == 11 and value.isascii() and value.isdigit()


def parse_numbers(identity_numbers) -> list[str]:
    """1 to 1000 valid fødselsnumre or D-numre, each once, in the order given."""
    _checked_count(identity_numbers)
    return list(dict.fromkeys(_parsed(value) for value in identity_numbers))


def lookup_query(numbers: list[str]):
    """The one query of a lookup: plain rows, not model instances, since building a thousand
    instances costs more than the query (bench/krr_lookup.py times this query as the floor)."""
    if connection.vendor == "postgresql":
        # One array parameter rather than a thousand placeholders, which the driver splits and binds one by one.
        records = ContactRecord.objects.filter(AnyOf(F("person__identity_number"), numbers=numbers))
    else:
        records = ContactRecord.objects.filter(person__identity_number__in=numbers)
    return records.annotate(
        notifiable=ExpressionWrapper(notifiable_condition(timezone.now()), output_field=BooleanField()),
        **{f"{name}_text": KrrMoment(F(name)) for name in MOMENTS},
    ).values_list(*FIELDS)


def lookup(identity_numbers, *, include_unregistered: bool = True) -> list[Contact]:
    """One answer per distinct number, in the order asked, in one query. Without
    include_unregistered, numbers the register does not know are left out of the answer.

    Checking a number costs more than looking it up, and every number the register knows is valid
    (persons are stored checked), so plain 11-digit numbers are looked up first and only those the
    register does not know are checked: one of them that is not valid still fails the whole call."""
    _checked_count(identity_numbers)
    numbers = list(dict.fromkeys(v if _plain(v) else _parsed(v) for v in identity_numbers))
    formatted = connection.vendor == "postgresql"
    records = {row[0]: _contact(row, formatted) for row in lookup_query(numbers)}
    for number in numbers:
        if number not in records:
            _parsed(number)
    if not include_unregistered:
        return [records[n] for n in numbers if n in records]
    return [records.get(n) or Contact(n, NOT_REGISTERED) for n in numbers]


# The print channel's intake certificate, as the app that runs the channel registers it (postkasse, in its
# AppConfig.ready()): postkasse builds on this app, so this app never imports it.
_print_channel_certificate: Callable[[], bytes] | None = None


def register_print_channel(certificate: Callable[[], bytes]) -> None:
    """Name the function that gives the print channel's certificate (PEM)."""
    global _print_channel_certificate
    _print_channel_certificate = certificate


def print_certificate() -> PrintCertificate:
    """The print channel's certificate and address: letters for paper are encrypted to its intake
    certificate until they are printed, and the operator runs the print room."""
    if _print_channel_certificate is None:
        raise ImproperlyConfigured("No print channel is registered with the contact register.")
    return PrintCertificate(
        provider_address=settings.FELLES_OPERATOR["organisasjonsnummer"],
        certificate_pem=_print_channel_certificate().decode(),
    )
