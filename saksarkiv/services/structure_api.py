"""The archive's structure as a Noark 5 client builds it through the service interface: archive creators
(arkivskaper), the archive (one per organisation), its parts (arkivdel), classification systems and
classes; each created, changed and deleted here, checked and audited.

Building the structure is the archive leader's work in the admin; through the interface it is the
organisation's system (the handler an agency's token acts as, saksarkiv.services.api_handler), which the
organisation let write to its archive. Deleting is for what holds nothing: an archive part without cases,
a class no case is classed by, the archive once it is empty (Noark 5 5.2.5, 5.2.17: every deletion is
logged)."""

from contextlib import contextmanager
from datetime import date

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saksarkiv.models import (
    Arkiv,
    Arkivdel,
    Arkivskaper,
    Dokumentmedium,
    Klasse,
    Klassifikasjonssystem,
    Kryssreferanse,
    Saksbehandler,
    Saksmappe,
)
from saksarkiv.services.api_handler import system_username
from saksarkiv.services.archive import take_creators
from saksarkiv.services.changes import changes_between, snapshot
from saksarkiv.services.classification import validate_class
from saksarkiv.services.errors import InvalidInput, NotFound, RecordFinalised
from saksarkiv.services.structure import NotAllowed, StructureAction, audit

OPEN_PARTS = (Arkivdel.Status.AKTIV, Arkivdel.Status.OVERLAPPING)


class StructureApiAction(models.TextChoices):
    """The audit actions of building the structure (recorded as "saksarkiv.<value>"); a new system and a
    new class are StructureAction's, as the admin records them."""

    ARKIVSKAPER_CREATED = "arkivskaper_created", gettext_lazy("Archive creator registered")
    ARKIVSKAPER_CHANGED = "arkivskaper_changed", gettext_lazy("Archive creator changed")
    ARKIVSKAPER_DELETED = "arkivskaper_deleted", gettext_lazy("Archive creator deleted")
    ARKIV_CREATED = "arkiv_created", gettext_lazy("Archive created")
    ARKIV_CHANGED = "arkiv_changed", gettext_lazy("Archive changed")
    ARKIV_DELETED = "arkiv_deleted", gettext_lazy("Archive deleted")
    ARKIVDEL_CREATED = "arkivdel_created", gettext_lazy("Archive part created")
    ARKIVDEL_CHANGED = "arkivdel_changed", gettext_lazy("Archive part changed")
    ARKIVDEL_DELETED = "arkivdel_deleted", gettext_lazy("Archive part deleted")
    SYSTEM_CHANGED = "classification_system_changed", gettext_lazy("Classification system changed")
    SYSTEM_DELETED = "classification_system_deleted", gettext_lazy("Classification system deleted")
    CLASS_CHANGED = "class_changed", gettext_lazy("Class changed")
    CLASS_DELETED = "class_deleted", gettext_lazy("Class deleted")


class InUse(RecordFinalised):
    """The record holds or is used by others, so it stays (answered as a finalised record is: 409)."""

    code = "in_use"


def require_keeper(handler: Saksbehandler) -> None:
    """The archive leader, or the organisation's system acting through the interface."""
    if not (handler.arkivleder or handler.user.get_username() == system_username(handler.organisation)):
        raise NotAllowed(_("Only the archive leader may change the archive's structure."))


def _required(value: str, message: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput(message)
    return value


def _by(handler: Saksbehandler) -> str:
    return handler.user.get_username()


def _change(record: models.Model, fields: dict, handler, action, *, request) -> models.Model:
    """Set the given fields (model name → new value), saved and audited with their old and new values."""
    before = snapshot(record, list(fields))
    for name, new in fields.items():
        setattr(record, name, new)
    changes = changes_between(before, record)
    if changes:
        record.save(update_fields=list(changes))
        audit(action, handler, record, request=request, changes=changes)
    return record


@contextmanager
def _unique(error: Exception):
    """A row two requests made at once: the database's unique constraint refuses the second, as `error`."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        raise error from None


def _deleted(record: models.Model, handler, action, *, request, **details) -> None:
    audit(action, handler, record, request=request, system_id=str(record.system_id), **details)
    record.delete()


# ---- arkivskaper ------------------------------------------------------------------------------------


def _creator_id(organisation, arkivskaper_id: str, *, other_than: Arkivskaper | None = None) -> str:
    arkivskaper_id = _required(arkivskaper_id, _("An archive creator needs an arkivskaperID."))
    taken = Arkivskaper.objects.filter(organisation=organisation, arkivskaper_id=arkivskaper_id)
    if other_than is not None:
        taken = taken.exclude(pk=other_than.pk)
    if taken.exists():
        raise InvalidInput(_("The arkivskaperID %(id)s is registered already.") % {"id": arkivskaper_id})
    return arkivskaper_id


@transaction.atomic
def create_arkivskaper(
    handler: Saksbehandler, *, arkivskaper_id: str, arkivskaper_navn: str, beskrivelse: str = "", request=None
) -> Arkivskaper:
    """A creator of the organisation's archive; registered before the archive exists, the archive takes it
    when it is made (archive.take_creators)."""
    require_keeper(handler)
    organisation = handler.organisation
    arkivskaper_id = _creator_id(organisation, arkivskaper_id)
    with _unique(InvalidInput(_("The arkivskaperID %(id)s is registered already.") % {"id": arkivskaper_id})):
        arkivskaper = Arkivskaper.objects.create(
            organisation=organisation,
            arkiv=Arkiv.objects.filter(organisation=organisation).first(),
            arkivskaper_id=arkivskaper_id,
            arkivskaper_navn=_required(arkivskaper_navn, _("An archive creator needs an arkivskaperNavn.")),
            beskrivelse=beskrivelse.strip(),
        )
    audit(
        StructureApiAction.ARKIVSKAPER_CREATED,
        handler,
        arkivskaper,
        request=request,
        system_id=str(arkivskaper.system_id),
    )
    return arkivskaper


@transaction.atomic
def update_arkivskaper(
    arkivskaper: Arkivskaper,
    handler: Saksbehandler,
    *,
    arkivskaper_id: str | None = None,
    arkivskaper_navn: str | None = None,
    beskrivelse: str | None = None,
    request=None,
) -> Arkivskaper:
    require_keeper(handler)
    fields = {}
    if arkivskaper_id is not None:
        fields["arkivskaper_id"] = _creator_id(handler.organisation, arkivskaper_id, other_than=arkivskaper)
    if arkivskaper_navn is not None:
        fields["arkivskaper_navn"] = _required(
            arkivskaper_navn, _("An archive creator needs an arkivskaperNavn.")
        )
    if beskrivelse is not None:
        fields["beskrivelse"] = beskrivelse.strip()
    return _change(arkivskaper, fields, handler, StructureApiAction.ARKIVSKAPER_CHANGED, request=request)


@transaction.atomic
def delete_arkivskaper(arkivskaper: Arkivskaper, handler: Saksbehandler, *, request=None) -> None:
    """An archive has one creator at least (arkivskaper 1..*): its last one stays."""
    require_keeper(handler)
    if arkivskaper.arkiv_id and not arkivskaper.arkiv.arkivskapere.exclude(pk=arkivskaper.pk).exists():
        raise InUse(_("The archive's only creator cannot be deleted: register another first."))
    _deleted(
        arkivskaper,
        handler,
        StructureApiAction.ARKIVSKAPER_DELETED,
        request=request,
        arkivskaper_id=arkivskaper.arkivskaper_id,
    )


# ---- arkiv ------------------------------------------------------------------------------------------


@transaction.atomic
def create_arkiv(
    handler: Saksbehandler,
    *,
    tittel: str,
    beskrivelse: str = "",
    dokumentmedium: str = Dokumentmedium.ELEKTRONISK,
    request=None,
) -> Arkiv:
    """The organisation's archive, empty: the client builds its parts and classification itself (unlike
    archive.ensure_arkiv, which gives a new archive a starting structure). It takes the creators the
    organisation registered."""
    require_keeper(handler)
    organisation = handler.organisation
    exists = InUse(_("Your organisation has its archive already."))
    if Arkiv.objects.filter(organisation=organisation).exists():
        raise exists
    if dokumentmedium not in Dokumentmedium.values:
        raise InvalidInput(
            _("Choose a document medium from %(codes)s.") % {"codes": ", ".join(Dokumentmedium.values)}
        )
    tittel = _required(tittel, _("An archive needs a title."))
    with _unique(exists):
        arkiv = Arkiv.objects.create(
            organisation=organisation,
            tittel=tittel,
            beskrivelse=beskrivelse.strip(),
            dokumentmedium=dokumentmedium,
            opprettet_av=_by(handler),
        )
    take_creators(arkiv)
    audit(StructureApiAction.ARKIV_CREATED, handler, arkiv, request=request, system_id=str(arkiv.system_id))
    return arkiv


@transaction.atomic
def update_arkiv(
    arkiv: Arkiv,
    handler: Saksbehandler,
    *,
    tittel: str | None = None,
    beskrivelse: str | None = None,
    request=None,
) -> Arkiv:
    require_keeper(handler)
    fields = {}
    if tittel is not None:
        fields["tittel"] = _required(tittel, _("An archive needs a title."))
    if beskrivelse is not None:
        fields["beskrivelse"] = beskrivelse.strip()
    return _change(arkiv, fields, handler, StructureApiAction.ARKIV_CHANGED, request=request)


@transaction.atomic
def delete_arkiv(arkiv: Arkiv, handler: Saksbehandler, *, request=None) -> None:
    """Only an empty archive goes: no parts, classification systems or precedents. Its creators stay the
    organisation's, ready for the next archive."""
    require_keeper(handler)
    if arkiv.arkivdeler.exists():
        raise InUse(_("The archive has archive parts: it cannot be deleted."))
    if arkiv.klassifikasjonssystemer.exists() or arkiv.presedenser.exists():
        raise InUse(_("The archive holds classification systems or precedents: it cannot be deleted."))
    arkiv.arkivskapere.update(arkiv=None)
    _deleted(arkiv, handler, StructureApiAction.ARKIV_DELETED, request=request, tittel=arkiv.tittel)


# ---- arkivdel ---------------------------------------------------------------------------------------


def _own_arkiv(handler: Saksbehandler, arkiv: Arkiv) -> None:
    if arkiv.organisation_id != handler.organisation_id:
        raise NotFound(_("No such archive."))


@transaction.atomic
def create_arkivdel(
    arkiv: Arkiv,
    handler: Saksbehandler,
    *,
    tittel: str,
    beskrivelse: str = "",
    dokumentmedium: str = "",
    arkivperiode_start: date | None = None,
    request=None,
) -> Arkivdel:
    """A new active part of the archive (5.2.4: a closed archive takes none). Its period starts today
    unless given; later periods come by closing this one (saksarkiv.services.periods)."""
    require_keeper(handler)
    _own_arkiv(handler, arkiv)
    if arkiv.arkivstatus != Arkiv.Status.OPPRETTET:
        raise RecordFinalised(_("The archive is closed; it takes no new archive parts."))
    dokumentmedium = dokumentmedium or arkiv.dokumentmedium
    if dokumentmedium not in Dokumentmedium.values:
        raise InvalidInput(
            _("Choose a document medium from %(codes)s.") % {"codes": ", ".join(Dokumentmedium.values)}
        )
    arkivdel = Arkivdel.objects.create(
        arkiv=arkiv,
        tittel=_required(tittel, _("An archive part needs a title.")),
        beskrivelse=beskrivelse.strip(),
        dokumentmedium=dokumentmedium,
        arkivperiode_start=arkivperiode_start or timezone.localdate(),
        opprettet_av=_by(handler),
    )
    audit(
        StructureApiAction.ARKIVDEL_CREATED,
        handler,
        arkivdel,
        request=request,
        system_id=str(arkivdel.system_id),
    )
    return arkivdel


@transaction.atomic
def update_arkivdel(
    arkivdel: Arkivdel,
    handler: Saksbehandler,
    *,
    tittel: str | None = None,
    beskrivelse: str | None = None,
    request=None,
) -> Arkivdel:
    require_keeper(handler)
    fields = {}
    if tittel is not None:
        fields["tittel"] = _required(tittel, _("An archive part needs a title."))
    if beskrivelse is not None:
        fields["beskrivelse"] = beskrivelse.strip()
    return _change(arkivdel, fields, handler, StructureApiAction.ARKIVDEL_CHANGED, request=request)


@transaction.atomic
def delete_arkivdel(arkivdel: Arkivdel, handler: Saksbehandler, *, request=None) -> None:
    """Only an empty part goes, and not one a later period follows (its successor refers to it)."""
    require_keeper(handler)
    if arkivdel.saksmapper.exists():
        raise InUse(_("The archive part holds cases: it cannot be deleted."))
    if Arkivdel.objects.filter(referanse_forloeper=arkivdel).exists():
        raise InUse(_("A later period follows this archive part: it cannot be deleted."))
    _deleted(arkivdel, handler, StructureApiAction.ARKIVDEL_DELETED, request=request, tittel=arkivdel.tittel)


# ---- klassifikasjonssystem ----------------------------------------------------------------------------


def _klassifikasjonstype(value: str) -> str:
    if value not in Klassifikasjonssystem.Type.values:
        raise InvalidInput(
            _("Choose a classification type from %(types)s.")
            % {"types": ", ".join(Klassifikasjonssystem.Type.values)}
        )
    return value


@transaction.atomic
def create_system(
    arkivdel: Arkivdel,
    handler: Saksbehandler,
    *,
    tittel: str,
    beskrivelse: str = "",
    klassifikasjonstype: str = Klassifikasjonssystem.Type.EMNE,
    request=None,
) -> Klassifikasjonssystem:
    """A classification system in the part's archive: the part's primary system when it has none (it has
    at most one, 5.2.13), else one of its secondary systems."""
    require_keeper(handler)
    arkivdel = Arkivdel.objects.select_for_update().select_related("arkiv").get(pk=arkivdel.pk)
    _own_arkiv(handler, arkivdel.arkiv)
    if arkivdel.arkivdelstatus not in OPEN_PARTS:
        raise RecordFinalised(_("The archive part is closed; it takes no new classification systems."))
    system = Klassifikasjonssystem.objects.create(
        arkiv=arkivdel.arkiv,
        tittel=_required(tittel, _("A classification system needs a title.")),
        beskrivelse=beskrivelse.strip(),
        klassifikasjonstype=_klassifikasjonstype(klassifikasjonstype),
        opprettet_av=_by(handler),
    )
    audit(StructureAction.SYSTEM_CREATED, handler, system, request=request, tittel=system.tittel)
    if arkivdel.klassifikasjonssystem_id is None:
        _change(
            arkivdel,
            {"klassifikasjonssystem": system},
            handler,
            StructureApiAction.ARKIVDEL_CHANGED,
            request=request,
        )
    else:
        before = snapshot(arkivdel, ["sekundaere_klassifikasjonssystemer"])
        arkivdel.sekundaere_klassifikasjonssystemer.add(system)
        audit(
            StructureApiAction.ARKIVDEL_CHANGED,
            handler,
            arkivdel,
            request=request,
            changes=changes_between(before, arkivdel),
        )
    return system


@transaction.atomic
def update_system(
    system: Klassifikasjonssystem,
    handler: Saksbehandler,
    *,
    tittel: str | None = None,
    beskrivelse: str | None = None,
    request=None,
) -> Klassifikasjonssystem:
    require_keeper(handler)
    fields = {}
    if tittel is not None:
        fields["tittel"] = _required(tittel, _("A classification system needs a title."))
    if beskrivelse is not None:
        fields["beskrivelse"] = beskrivelse.strip()
    return _change(system, fields, handler, StructureApiAction.SYSTEM_CHANGED, request=request)


@transaction.atomic
def delete_system(system: Klassifikasjonssystem, handler: Saksbehandler, *, request=None) -> None:
    """Only a system without classes that no archive part uses."""
    require_keeper(handler)
    if system.klasser.exists():
        raise InUse(_("The classification system has classes: it cannot be deleted."))
    if Arkivdel.objects.filter(
        models.Q(klassifikasjonssystem=system) | models.Q(sekundaere_klassifikasjonssystemer=system)
    ).exists():
        raise InUse(_("An archive part uses the classification system: it cannot be deleted."))
    _deleted(system, handler, StructureApiAction.SYSTEM_DELETED, request=request, tittel=system.tittel)


# ---- klasse -----------------------------------------------------------------------------------------


def has_cases(klasse: Klasse) -> bool:
    return Saksmappe.objects.filter(models.Q(klasse=klasse) | models.Q(sekundaerklasser=klasse)).exists()


@transaction.atomic
def add_klasse(
    system: Klassifikasjonssystem,
    handler: Saksbehandler,
    *,
    klasse_id: str,
    tittel: str,
    beskrivelse: str = "",
    forelder: Klasse | None = None,
    request=None,
) -> Klasse:
    """A class in the system, or a subclass of `forelder`: a class holds subclasses or cases, not both
    (chapter 7, Klasse: "Kan ha enten underklasse eller mappe eller registrering")."""
    require_keeper(handler)
    _own_arkiv(handler, system.arkiv)
    if forelder is not None and has_cases(forelder):
        raise InUse(_("Class %(id)s holds cases; it takes no subclasses.") % {"id": forelder.klasse_id})
    klasse_id = validate_class(system, klasse_id, tittel, forelder)
    taken = InvalidInput(
        _("Class %(id)s exists already in %(system)s.") % {"id": klasse_id, "system": system.tittel}
    )
    with _unique(taken):
        klasse = Klasse.objects.create(
            klassifikasjonssystem=system,
            forelder=forelder,
            klasse_id=klasse_id,
            tittel=tittel.strip(),
            beskrivelse=beskrivelse.strip(),
            opprettet_av=_by(handler),
        )
    audit(StructureAction.CLASS_CREATED, handler, klasse, request=request, klasse_id=klasse.klasse_id)
    return klasse


@transaction.atomic
def update_klasse(
    klasse: Klasse,
    handler: Saksbehandler,
    *,
    tittel: str | None = None,
    beskrivelse: str | None = None,
    request=None,
) -> Klasse:
    """The title and description; the klasseID never changes (M002)."""
    require_keeper(handler)
    fields = {}
    if tittel is not None:
        fields["tittel"] = _required(tittel, _("A class needs a title."))
    if beskrivelse is not None:
        fields["beskrivelse"] = beskrivelse.strip()
    return _change(klasse, fields, handler, StructureApiAction.CLASS_CHANGED, request=request)


@transaction.atomic
def delete_klasse(klasse: Klasse, handler: Saksbehandler, *, request=None) -> None:
    """Only an unused class: no subclasses, no case classed by it, no cross-reference to it."""
    require_keeper(handler)
    if klasse.underklasser.exists():
        raise InUse(_("Class %(id)s has subclasses: it cannot be deleted.") % {"id": klasse.klasse_id})
    if has_cases(klasse) or Kryssreferanse.objects.filter(til_klasse=klasse).exists():
        raise InUse(_("Class %(id)s is in use: it cannot be deleted.") % {"id": klasse.klasse_id})
    _deleted(klasse, handler, StructureApiAction.CLASS_DELETED, request=request, klasse_id=klasse.klasse_id)
