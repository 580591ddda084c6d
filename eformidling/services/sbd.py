"""The StandardBusinessDocument in JSON as the integrasjonspunkt takes it: the bean constraints of
its header (Digdir's REST docs, "Request fields"), the defaults it fills in
(NextMoveOutMessageFactory.setDefaults), and the constraints of the `digital` and `print` bodies
(DpiDigitalMessage, DpiPrintMessage, ArkivmeldingMessage) with the DPI JSON Schemas' length limits
(schemas/dpi/commons.schema.json). Unknown properties are ignored, as Jackson is set up to."""

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from eformidling.services.errors import constraint_violations, missing_address, violation

ZONE = ZoneInfo("Europe/Oslo")
AUTHORITY = "iso6523-actorid-upis"
ORGANISATION_PREFIX = "0192:"
# Digdir's MessageType enum, the types that are not receipts first.
MESSAGE_TYPES = (
    "status", "feil", "arkivmelding", "arkivmelding_kvittering", "avtalt", "digital", "digital_dpv", "print",
    "innsynskrav", "publisering", "einnsyn_kvittering", "dialogmelding", "dialogmelding_kvittering",
)  # fmt: skip
SCOPE_TYPES = ("ConversationId", "SenderRef", "ReceiverRef")
DEFAULT_TTL = timedelta(hours=24)  # difi.move.nextmove.default-ttl-hours
# DPI JSON Schema limits (commons.schema.json), and postkasse's own for a title.
TITLE_MAX = 200
EMAIL_TEXT_MAX = 500
SMS_TEXT_MAX = 160
ADDRESS_LINE_MAX = 100
PLACE_MAX = 80
COLOURS = ("SORT_HVIT", "FARGE")
POST_TYPES = ("A_PRIORITERT", "B_OEKONOMI")
RETURN_HANDLING = ("DIREKTE_RETUR", "MAKULERING_MED_MELDING")
NOT_NULL = "must not be null"


def moment(value: datetime) -> str:
    """An OffsetDateTime as Jackson writes it, in Norwegian time."""
    return value.astimezone(ZONE).isoformat(timespec="seconds")


def parse_moment(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    # In a query string an unescaped "+" of the offset arrives as a space.
    value = value.strip().replace(" ", "+") if "T" in value else value
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZONE)


def is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _get(value, *path):
    for key in path:
        if isinstance(key, int):
            value = value[key] if isinstance(value, list) and len(value) > key else None
        else:
            value = value.get(key) if isinstance(value, dict) else None
    return value


def conversation_scope(header: dict) -> dict | None:
    scopes = _get(header, "businessScope", "scope") or []
    return next((s for s in scopes if isinstance(s, dict) and s.get("type") == "ConversationId"), None)


def check_header(sbd) -> None:
    """The header's bean constraints, all violations at once (jakarta ConstraintViolationException)."""
    if not isinstance(sbd, dict):
        raise constraint_violations([violation("standardBusinessDocument", NOT_NULL, "NotNull")])
    header = sbd.get("standardBusinessDocumentHeader")
    found = []

    def need(path: str, value, code="NotNull"):
        if value is None:
            found.append(violation(path, NOT_NULL, code))
            return False
        return True

    def typed(path: str, value, kind=str):
        """A value that is there has the type Digdir's model has (an object where a text belongs, or a
        number where an object belongs, is refused here rather than failing later)."""
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            found.append(violation(path, f"must be {_TYPE_NAMES[kind]}", "Type", value))
            return False
        return True

    def party(path: str, value):
        if not typed(path, value, dict) or value is None:
            return
        identifier = value.get("identifier")
        if typed(f"{path}.identifier", identifier, dict) and identifier is not None:
            typed(f"{path}.identifier.value", identifier.get("value"))
            typed(f"{path}.identifier.authority", identifier.get("authority"))

    base = "standardBusinessDocumentHeader"
    if not need(base, header if isinstance(header, dict) else None):
        raise constraint_violations(found)
    if need(f"{base}.headerVersion", header.get("headerVersion")):
        typed(f"{base}.headerVersion", header.get("headerVersion"))
    receivers = header.get("receiver")
    if not isinstance(receivers, list) or len(receivers) != 1:
        found.append(violation(f"{base}.receiver", "size must be between 1 and 1", "Size", receivers))
    else:
        party(f"{base}.receiver[0]", receivers[0])
        need(f"{base}.receiver[0].identifier.value", _get(receivers, 0, "identifier", "value"))
        need(f"{base}.receiver[0].identifier.authority", _get(receivers, 0, "identifier", "authority"))
    senders = header.get("sender")
    if senders is not None and (not isinstance(senders, list) or len(senders) > 1):
        found.append(violation(f"{base}.sender", "size must be between 0 and 1", "Size", senders))
    elif senders:
        party(f"{base}.sender[0]", senders[0])
    identification = header.get("documentIdentification")
    path = f"{base}.documentIdentification"
    if need(path, identification if isinstance(identification, dict) else None):
        for field in ("standard", "typeVersion", "type", "instanceIdentifier", "creationDateAndTime"):
            if not typed(f"{path}.{field}", identification.get(field)):
                raise constraint_violations(found)
        need(f"{path}.standard", identification.get("standard"))
        need(f"{path}.typeVersion", identification.get("typeVersion"))
        kind = identification.get("type")
        if need(f"{path}.type", kind) and kind not in MESSAGE_TYPES:
            found.append(violation(f"{path}.type", "Must be a NextMove message type", "MessageType", kind))
        instance = identification.get("instanceIdentifier")
        if instance is not None and not is_uuid(instance):
            found.append(
                violation(f"{path}.instanceIdentifier", f"'{instance}' is not a UUID.", "UUID", instance)
            )
        created = identification.get("creationDateAndTime")
        if created is not None and not (parse_moment(created) and parse_moment(created) <= timezone.now()):
            found.append(violation(f"{path}.creationDateAndTime", "must be a past date", "Past", created))
    scopes = _get(header, "businessScope", "scope")
    path = f"{base}.businessScope"
    if need(path, header.get("businessScope") if isinstance(header.get("businessScope"), dict) else None):
        if not isinstance(scopes, list) or not scopes:
            found.append(violation(f"{path}.scope", "size must be between 1 and 2147483647", "Size", scopes))
        else:
            for index, scope in enumerate(scopes):
                kind = scope.get("type") if isinstance(scope, dict) else None
                if kind not in SCOPE_TYPES:
                    found.append(
                        violation(
                            f"{path}.scope[{index}].type",
                            f"'{kind}' is not expected. Allowed values are: {', '.join(SCOPE_TYPES)}",
                            "OneOf",
                            kind,
                        )
                    )
            conversation = conversation_scope(header)
            if conversation is None:
                found.append(violation(f"{path}.scope", "ConversationId scope is required", "NotNull"))
            else:
                for field in ("identifier", "instanceIdentifier"):
                    typed(f"{path}.scope.{field}", conversation.get(field))
                information = conversation.get("scopeInformation")
                if typed(f"{path}.scope.scopeInformation", information, list) and information:
                    for index, item in enumerate(information):
                        typed(f"{path}.scope.scopeInformation[{index}]", item, dict)
                if found:
                    raise constraint_violations(found)
                need(f"{path}.scope.identifier", conversation.get("identifier"))
                instance = conversation.get("instanceIdentifier")
                if instance is not None and not is_uuid(instance):
                    found.append(
                        violation(
                            f"{path}.scope.instanceIdentifier",
                            f"'{instance}' is not a UUID.",
                            "UUID",
                            instance,
                        )
                    )
                deadline = _get(conversation, "scopeInformation", 0, "expectedResponseDateTime")
                if deadline is not None and not (
                    parse_moment(deadline) and parse_moment(deadline) > timezone.now()
                ):
                    found.append(
                        violation(
                            f"{path}.scope.scopeInformation[0].expectedResponseDateTime",
                            "must be a future date",
                            "Future",
                            deadline,
                        )
                    )
    if found:
        raise constraint_violations(found)


_TYPE_NAMES = {str: "a text", dict: "an object", list: "a list"}


def fill_defaults(sbd: dict, organisation_number: str) -> dict:
    """The SBD with what the integrasjonspunkt fills in: the sender, the messageId, the creation time,
    the conversationId and the delivery deadline."""
    header = sbd["standardBusinessDocumentHeader"]
    now = timezone.now()
    if not header.get("sender"):
        header["sender"] = [
            {"identifier": {"value": ORGANISATION_PREFIX + organisation_number, "authority": AUTHORITY}}
        ]
    identification = header["documentIdentification"]
    identification.setdefault("instanceIdentifier", str(uuid.uuid4()))
    identification.setdefault("creationDateAndTime", moment(now))
    for scope in header["businessScope"]["scope"]:
        scope.setdefault("instanceIdentifier", str(uuid.uuid4()))
    conversation = conversation_scope(header)
    information = conversation.get("scopeInformation") or [{}]
    if not information[0].get("expectedResponseDateTime"):
        information[0]["expectedResponseDateTime"] = moment(now + DEFAULT_TTL)
    conversation["scopeInformation"] = information
    return sbd


def sender_organisation(header: dict) -> str | None:
    """The organisation number of `0192:<orgnr>` (or the on-behalf-of `0192:<orgnr>:<orgnr>`'s last)."""
    value = str(_get(header, "sender", 0, "identifier", "value") or "")
    match = re.fullmatch(r"0192:(\d{9})(?::(\d{9}))?", value)
    if match is None:
        return None
    return match.group(2) or match.group(1)


def _text(found, path, value, *, maximum, required=True):
    if value is None or value == "":
        if required:
            found.append(violation(path, NOT_NULL, "NotNull"))
        return
    if not isinstance(value, str) or len(value) > maximum:
        found.append(violation(path, f"size must be between 1 and {maximum}", "Size", value))


def _boolean(value):
    """Jackson's coercion: true/false, or the strings "true"/"false"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def check_digital(body) -> dict:
    """The `digital` body, normalised (aapningskvittering as a boolean); or the violations."""
    found = []
    if not isinstance(body, dict):
        raise constraint_violations([violation("digital", NOT_NULL, "NotNull")])
    level = body.get("sikkerhetsnivaa")
    if isinstance(level, bool) or level not in (3, 4):
        found.append(violation("digital.sikkerhetsnivaa", "must be 3 or 4", "OneOf", level))
    _text(found, "digital.hoveddokument", body.get("hoveddokument"), maximum=200)
    _text(found, "digital.tittel", body.get("tittel"), maximum=TITLE_MAX)
    language = body.get("spraak")
    if not (isinstance(language, str) and re.fullmatch(r"[A-Za-z]{2}", language)):
        found.append(violation("digital.spraak", "must be an ISO 639-1 code of 2 letters", "Size", language))
    info = body.get("digitalPostInfo")
    if not isinstance(info, dict):
        found.append(violation("digital.digitalPostInfo", NOT_NULL, "NotNull"))
    else:
        date = info.get("virkningsdato")
        try:
            datetime.strptime(str(date), "%Y-%m-%d")
        except ValueError:
            found.append(
                violation("digital.digitalPostInfo.virkningsdato", "must be a date", "NotNull", date)
            )
        opening = _boolean(info.get("aapningskvittering"))
        if opening is None:
            found.append(
                violation(
                    "digital.digitalPostInfo.aapningskvittering",
                    NOT_NULL,
                    "NotNull",
                    info.get("aapningskvittering"),
                )
            )
        else:
            info["aapningskvittering"] = opening
    notices = body.get("varsler")
    if notices is not None:
        if not isinstance(notices, dict):
            found.append(violation("digital.varsler", "must be an object", "Type", notices))
        else:
            _text(
                found,
                "digital.varsler.epostTekst",
                notices.get("epostTekst"),
                maximum=EMAIL_TEXT_MAX,
                required=False,
            )
            _text(
                found,
                "digital.varsler.smsTekst",
                notices.get("smsTekst"),
                maximum=SMS_TEXT_MAX,
                required=False,
            )
    metadata = body.get("metadataFiler")
    if metadata is not None and not (
        isinstance(metadata, dict) and all(isinstance(v, str) for v in metadata.values())
    ):
        found.append(
            violation("digital.metadataFiler", "must map file names to file names", "Type", metadata)
        )
    if found:
        raise constraint_violations(found)
    return body


def _address(found, path, address, *, required: bool):
    if address is None:
        if required:
            raise missing_address(path)
        return
    if not isinstance(address, dict):
        # An address is an object; a text or a list in its place would fail every send.
        found.append(violation(path, "must be an object", "Type", address))
        return
    for field in ("navn", "adresselinje1"):
        _text(found, f"{path}.{field}", address.get(field), maximum=ADDRESS_LINE_MAX)
    for field in ("adresselinje2", "adresselinje3", "adresselinje4"):
        _text(found, f"{path}.{field}", address.get(field), maximum=ADDRESS_LINE_MAX, required=False)
    for field in ("postnummer", "poststed", "land"):
        _text(found, f"{path}.{field}", address.get(field), maximum=PLACE_MAX, required=False)
    land = address.get("land")
    norwegian = (land if isinstance(land, str) else "").lower() in ("", "norge", "norway")
    if norwegian:
        for field in ("postnummer", "poststed"):
            if not address.get(field):
                raise missing_address(f"{path}.{field}")
        postal_code = address.get("postnummer")
        if isinstance(postal_code, str) and not re.fullmatch(r"\d{4}", postal_code, flags=re.ASCII):
            # The DPI print schema's postnummer (innbyggerpost_dpi_utskrift adresseInformasjon).
            found.append(violation(f"{path}.postnummer", 'must match "^\\d{4}$"', "Pattern", postal_code))


def check_print(body) -> dict:
    """The `print` body with its defaults (SORT_HVIT, B_OEKONOMI, DIREKTE_RETUR); or the violations."""
    if not isinstance(body, dict):
        raise constraint_violations([violation("print", NOT_NULL, "NotNull")])
    found = []
    _text(found, "print.hoveddokument", body.get("hoveddokument"), maximum=200)
    body.setdefault("utskriftsfarge", "SORT_HVIT")
    body.setdefault("posttype", "B_OEKONOMI")
    for field, allowed in (("utskriftsfarge", COLOURS), ("posttype", POST_TYPES)):
        if body[field] not in allowed:
            found.append(
                violation(
                    f"print.{field}", f"'{body[field]}' is not expected. Allowed values are: {', '.join(allowed)}",
                    "OneOf", body[field],
                )
            )  # fmt: skip
    _address(found, "mottaker", body.get("mottaker"), required=False)
    retur = body.get("retur")
    if retur is not None and not isinstance(retur, dict):
        found.append(violation("print.retur", "must be an object", "Type", retur))
    instructions = body.get("printinstruksjoner")
    if instructions is not None and not (
        isinstance(instructions, dict) and all(isinstance(v, str) for v in instructions.values())
    ):
        found.append(violation("print.printinstruksjoner", "must map names to texts", "Type", instructions))
    if isinstance(retur, dict):
        retur.setdefault("returhaandtering", "DIREKTE_RETUR")
        if not isinstance(retur["returhaandtering"], str) or retur["returhaandtering"] not in RETURN_HANDLING:
            found.append(
                violation(
                    "print.retur.returhaandtering", "is not expected", "OneOf", retur["returhaandtering"]
                )
            )
        _address(found, "retur", retur.get("mottaker"), required=False)
    if found:
        raise constraint_violations(found)
    return body


def check_arkivmelding(body) -> dict:
    """The `arkivmelding` body (Digdir's ArkivmeldingMessage): an object, its hoveddokument a file
    name if given and its sikkerhetsnivaa 3 or 4 if given; the XML itself comes as arkivmelding.xml."""
    if not isinstance(body, dict):
        raise constraint_violations([violation("arkivmelding", NOT_NULL, "NotNull")])
    found = []
    _text(found, "arkivmelding.hoveddokument", body.get("hoveddokument"), maximum=200, required=False)
    level = body.get("sikkerhetsnivaa")
    if level is not None and (isinstance(level, bool) or level not in (3, 4)):
        found.append(violation("arkivmelding.sikkerhetsnivaa", "must be 3 or 4", "OneOf", level))
    if found:
        raise constraint_violations(found)
    return body


_ADDRESS = dict.fromkeys(
    (
        "navn",
        "adresselinje1",
        "adresselinje2",
        "adresselinje3",
        "adresselinje4",
        "postnummer",
        "poststed",
        "land",
    )
)
_ACTOR = {"identifier": {"value": None, "authority": None}}
# The properties Digdir's model has (StandardBusinessDocumentHeader, DpiDigitalMessage, DpiPrintMessage);
# None takes the value as it is, a dict its own known properties, a list [shape] each item's.
SHAPE = {
    "standardBusinessDocumentHeader": {
        "headerVersion": None,
        "sender": [_ACTOR],
        "receiver": [_ACTOR],
        "documentIdentification": dict.fromkeys(
            ("standard", "typeVersion", "instanceIdentifier", "type", "creationDateAndTime")
        ),
        "businessScope": {
            "scope": [
                {
                    "type": None,
                    "instanceIdentifier": None,
                    "identifier": None,
                    "scopeInformation": [{"expectedResponseDateTime": None}],
                }
            ]
        },
    },
    "digital": {
        **dict.fromkeys(
            ("sikkerhetsnivaa", "hoveddokument", "avsenderId", "fakturaReferanse", "tittel", "spraak")
        ),
        "digitalPostInfo": dict.fromkeys(("virkningsdato", "aapningskvittering")),
        "varsler": dict.fromkeys(("epostTekst", "smsTekst")),
        "metadataFiler": None,
    },
    "print": {
        **dict.fromkeys(("hoveddokument", "avsenderId", "fakturaReferanse", "utskriftsfarge", "posttype")),
        "mottaker": _ADDRESS,
        "retur": {"mottaker": _ADDRESS, "returhaandtering": None},
        "printinstruksjoner": None,
    },
    "arkivmelding": dict.fromkeys(("hoveddokument", "sikkerhetsnivaa")),
}


def _known(value, shape):
    if shape is None:
        return value
    if isinstance(shape, list):
        return [_known(item, shape[0]) for item in value] if isinstance(value, list) else value
    if not isinstance(value, dict):
        return value
    return {key: _known(value[key], shape[key]) for key in shape if key in value and value[key] is not None}


def known_properties(document: dict, kind: str) -> dict:
    """The SBD as Digdir's integrasjonspunkt reads it: unknown properties are ignored (Jackson's
    FAIL_ON_UNKNOWN_PROPERTIES is off), so they are neither kept nor answered; nulls are left out."""
    answer = {
        "standardBusinessDocumentHeader": _known(
            document["standardBusinessDocumentHeader"], SHAPE["standardBusinessDocumentHeader"]
        )
    }
    if kind in document:
        answer[kind] = _known(document[kind], SHAPE.get(kind))
    return answer
