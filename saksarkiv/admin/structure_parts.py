"""The structure's own admin pages: archive parts and their periods, classification systems and
their classes (as a tree), administrative units, and precedents. Registered when
saksarkiv.admin.structure is imported. Case handlers read; the archive leader changes, through the
services."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saksarkiv.admin.forms import ServiceChecked, ServiceCheckedAdmin
from saksarkiv.admin.structure import ArchiveLeaderChanges, form_action, set_kassasjon_action
from saksarkiv.admin_deposit import make_deposit
from saksarkiv.models import AdministrativEnhet, Arkivdel, Klasse, Klassifikasjonssystem, Presedens
from saksarkiv.services import classification, entities, periods, units
from saksarkiv.services.errors import SaksarkivError


def indent(level: int) -> str:
    """A level of a hierarchy in a list cell: em spaces, which HTML keeps (an inline style would break the
    Content-Security-Policy, style-src 'self')."""
    return "\u2003\u2003" * level


def nested_list(rows: list[tuple[int, str]]) -> str:
    """Rows (level, text) in tree order as nested lists, so that the hierarchy is the list's own and is read
    out as such; a level deeper than the one before (its parent left out) is taken as one deeper."""
    parts, depth = [], -1
    for level, text in rows:
        level = min(level, depth + 1)
        parts.append("<ul>" if level > depth else "</li>" + "</ul></li>" * (depth - level))
        parts.append(format_html("<li>{}", text))
        depth = level
    parts.append("</li>" + "</ul></li>" * depth + "</ul>")
    return mark_safe("".join(parts))  # noqa: S308 (every text is escaped by format_html above)


class ClosePeriodForm(forms.Form):
    new_title = forms.CharField(label=gettext_lazy("Title of the new period"), max_length=200)
    start = forms.DateField(label=gettext_lazy("The new period starts"), help_text="2026-01-01")


class FinishPeriodForm(forms.Form):
    move_open = forms.BooleanField(
        label=gettext_lazy("Move the cases still open to the next period"), required=False
    )


@admin.register(Arkivdel)
class ArkivdelAdmin(ArchiveLeaderChanges):
    list_display = (
        "tittel",
        "arkivdelstatus",
        "arkivperiode_start",
        "arkivperiode_slutt",
        "forloeper",
        "open",
    )
    list_filter = ("arkivdelstatus",)
    fields = ("tittel", "beskrivelse", "arkivdelstatus", "arkivperiode_start", "arkivperiode_slutt",
              "referanse_forloeper", "klassifikasjonssystem", "sekundaere_klassifikasjonssystemer", "kassasjon",
              "avsluttet_dato", "avsluttet_av")  # fmt: skip
    readonly_fields = fields
    actions = ("close_period", "finish_period", "set_kassasjon", make_deposit)

    def get_queryset(self, request):
        return Arkivdel.objects.filter(arkiv__organisation=self.handler(request).organisation).select_related(
            "referanse_forloeper"
        )

    def has_add_permission(self, request):
        # A period is opened by closing the one before it (the first comes with the archive).
        return False

    @admin.display(description=gettext_lazy("predecessor"))
    def forloeper(self, arkivdel):
        return arkivdel.referanse_forloeper or "–"

    @admin.display(description=gettext_lazy("open cases"))
    def open(self, arkivdel):
        return periods.open_cases(arkivdel).count()

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.is_arkivleder(request):
            # Closing periods and depositing are the archive leader's.
            return {}
        return actions

    @admin.action(description=gettext_lazy("Close the period and open the next"))
    def close_period(self, request, queryset):
        def apply(arkivdel, handler, data):
            successor = periods.close_period(
                arkivdel, handler, new_title=data["new_title"], start=data["start"], request=request
            )
            arkivdel.refresh_from_db()
            return _("%(old)s is now %(status)s; %(new)s is the active period.") % {
                "old": arkivdel.tittel,
                "status": arkivdel.get_arkivdelstatus_display().lower(),
                "new": successor.tittel,
            }

        return form_action(self, request, queryset, form_class=ClosePeriodForm, title=_("Close the period"),
                           submit=_("Close the period"), apply=apply)  # fmt: skip

    @admin.action(description=gettext_lazy("End the overlapping period"))
    def finish_period(self, request, queryset):
        def apply(arkivdel, handler, data):
            moved = periods.finish_period(arkivdel, handler, move_open=data["move_open"], request=request)
            return _("%(part)s is closed; %(count)d open cases moved to the next period.") % {
                "part": arkivdel.tittel,
                "count": moved,
            }

        return form_action(self, request, queryset, form_class=FinishPeriodForm, title=_("End the overlapping period"),
                           submit=_("Close"), apply=apply)  # fmt: skip

    @admin.action(description=gettext_lazy("Set the disposal decision"))
    def set_kassasjon(self, request, queryset):
        return set_kassasjon_action(self, request, queryset)


class ClassificationSystemForm(forms.ModelForm):
    class Meta:
        model = Klassifikasjonssystem
        fields = ("tittel", "klassifikasjonstype", "beskrivelse")


@admin.register(Klassifikasjonssystem)
class KlassifikasjonssystemAdmin(ArchiveLeaderChanges):
    form = ClassificationSystemForm
    list_display = ("tittel", "klassifikasjonstype", "classes")

    def get_queryset(self, request):
        return Klassifikasjonssystem.objects.filter(arkiv__organisation=self.handler(request).organisation)

    def get_readonly_fields(self, request, obj=None):
        return ("tittel", "klassifikasjonstype", "beskrivelse", "class_tree") if obj is not None else ()

    @admin.display(description=gettext_lazy("classes"))
    def classes(self, system):
        return system.klasser.count()

    @admin.display(description=gettext_lazy("classes"))
    def class_tree(self, system):
        rows = [
            (level, f"{k.klasse_id} {k.tittel}")
            for k, level in classification.tree(system)
            if k.skjerming_id is None
        ]
        return nested_list(rows) if rows else "–"

    def save_model(self, request, obj, form, change):
        if change:
            return
        try:
            created = classification.create_system(
                self.handler(request), request=request, **form.cleaned_data
            )
        except SaksarkivError as error:
            raise ValidationError(error.message) from None
        obj.pk = created.pk
        obj.refresh_from_db()


class KlasseForm(ServiceChecked):
    class Meta:
        model = Klasse
        fields = ("klassifikasjonssystem", "klasse_id", "tittel", "forelder")

    def check(self, data):
        if self.instance.pk is not None:
            classification.validate_parent(self.instance, data.get("forelder"))
        else:
            classification.validate_class(
                data["klassifikasjonssystem"], data["klasse_id"], data["tittel"], data.get("forelder")
            )


@admin.register(Klasse)
class KlasseAdmin(ServiceCheckedAdmin, ArchiveLeaderChanges):
    form = KlasseForm
    list_display = ("indented", "klassifikasjonssystem")
    list_filter = ("klassifikasjonssystem",)
    search_fields = ("klasse_id", "tittel")

    def get_queryset(self, request):
        # Classes made from an identity number are screened: never listed here.
        return (
            Klasse.objects.filter(
                klassifikasjonssystem__arkiv__organisation=self.handler(request).organisation
            )
            .filter(skjerming__isnull=True)
            .select_related("forelder__forelder", "klassifikasjonssystem")
            .order_by("klassifikasjonssystem", "klasse_id")
        )

    @admin.display(description=gettext_lazy("class"), ordering="klasse_id")
    def indented(self, klasse):
        return f"{indent(classification.depth(klasse))}{klasse.klasse_id} {klasse.tittel}"

    def get_readonly_fields(self, request, obj=None):
        return ("klassifikasjonssystem", "klasse_id", "tittel") if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        organisation = self.handler(request).organisation
        if db_field.name == "klassifikasjonssystem":
            kwargs["queryset"] = Klassifikasjonssystem.objects.filter(arkiv__organisation=organisation)
        if db_field.name == "forelder":
            kwargs["queryset"] = Klasse.objects.filter(
                klassifikasjonssystem__arkiv__organisation=organisation, skjerming__isnull=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        handler = self.handler(request)
        try:
            if change:
                classification.move_class(
                    obj, handler, forelder=form.cleaned_data["forelder"], request=request
                )
                return
            created = classification.add_class(
                form.cleaned_data["klassifikasjonssystem"],
                handler,
                klasse_id=form.cleaned_data["klasse_id"],
                tittel=form.cleaned_data["tittel"],
                forelder=form.cleaned_data["forelder"],
                request=request,
            )
        except SaksarkivError as error:
            raise ValidationError(error.message) from None
        obj.pk = created.pk
        obj.refresh_from_db()

    actions = ("set_kassasjon",)

    @admin.action(description=gettext_lazy("Set the disposal decision"), permissions=("arkivleder",))
    def set_kassasjon(self, request, queryset):
        return set_kassasjon_action(self, request, queryset)


class UnitForm(ServiceChecked):
    class Meta:
        model = AdministrativEnhet
        fields = ("kortnavn", "navn", "overordnet", "journalenhet")

    def check(self, data):
        units.validate_unit(
            self.handler,
            unit=self.instance if self.instance.pk else None,
            kortnavn=data.get("kortnavn", ""),
            navn=data["navn"],
            overordnet=data.get("overordnet"),
        )


@admin.register(AdministrativEnhet)
class AdministrativEnhetAdmin(ServiceCheckedAdmin, ArchiveLeaderChanges):
    form = UnitForm
    list_display = ("indented", "kortnavn", "journalenhet", "aktiv")
    list_filter = ("aktiv",)
    actions = ("close_units",)

    def get_queryset(self, request):
        return AdministrativEnhet.objects.filter(
            organisation=self.handler(request).organisation
        ).select_related("overordnet__overordnet")

    @admin.display(description=gettext_lazy("name"), ordering="navn")
    def indented(self, unit):
        level, parent, seen = 0, unit.overordnet, {unit.pk}
        while parent is not None and parent.pk not in seen:
            seen.add(parent.pk)
            level, parent = level + 1, parent.overordnet
        return f"{indent(level)}{unit.navn}"

    def get_readonly_fields(self, request, obj=None):
        return ("kortnavn",) if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "overordnet":
            kwargs["queryset"] = AdministrativEnhet.objects.filter(
                organisation=self.handler(request).organisation
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        handler = self.handler(request)
        data = form.cleaned_data
        try:
            if change:
                units.change_unit(
                    obj, handler, navn=data["navn"], overordnet=data["overordnet"],
                    journalenhet=data["journalenhet"], request=request,
                )  # fmt: skip
                return
            created = units.create_unit(
                handler, kortnavn=data["kortnavn"], navn=data["navn"], overordnet=data["overordnet"],
                journalenhet=data["journalenhet"], request=request,
            )  # fmt: skip
        except SaksarkivError as error:
            raise ValidationError(error.message) from None
        obj.pk = created.pk
        obj.refresh_from_db()

    @admin.action(description=gettext_lazy("Close the selected units"), permissions=("arkivleder",))
    def close_units(self, request, queryset):
        def apply(unit, handler, data):
            units.close_unit(unit, handler, request=request)

        return form_action(self, request, queryset, form_class=forms.Form, title=_("Close units"),
                           submit=_("Close"), apply=apply)  # fmt: skip


class PresedensForm(forms.ModelForm):
    class Meta:
        model = Presedens
        fields = (
            "tittel",
            "presedens_dato",
            "rettskildefaktor",
            "presedens_hjemmel",
            "beskrivelse",
            "saksmapper",
        )


@admin.register(Presedens)
class PresedensAdmin(ArchiveLeaderChanges):
    """Any case handler records a precedent from their cases; the list is the organisation's."""

    form = PresedensForm
    list_display = ("tittel", "presedens_dato", "presedens_status", "rettskildefaktor")

    def get_queryset(self, request):
        return Presedens.objects.filter(arkiv__organisation=self.handler(request).organisation)

    def has_add_permission(self, request):
        return self.is_case_handler(request)

    def is_case_handler(self, request) -> bool:
        return ArchiveLeaderChanges.has_view_permission(self, request)

    def get_readonly_fields(self, request, obj=None):
        return PresedensForm.Meta.fields if obj is not None else ()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "saksmapper":
            from saksarkiv.services.access import cases_for

            kwargs["queryset"] = cases_for(self.handler(request))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        try:
            created = entities.create_presedens(
                self.handler(request), tittel=data["tittel"], presedens_dato=data["presedens_dato"],
                rettskildefaktor=data["rettskildefaktor"], presedens_hjemmel=data["presedens_hjemmel"],
                beskrivelse=data["beskrivelse"], records=list(data["saksmapper"]), request=request,
            )  # fmt: skip
        except SaksarkivError as error:
            raise ValidationError(error.message) from None
        obj.pk = created.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        """The service linked the cases."""
