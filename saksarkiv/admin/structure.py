"""The archive's structure in the admin: archive parts and periods, classification, units, and the
standard's entities kept beside the records (disposal, security classification, remarks,
cross-references, precedents).

Case handlers read the structure; only the archive leader changes it. Every change goes through
saksarkiv.services (structure, units, classification, periods, entities), which check and audit it;
the forms here only collect the input."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saksarkiv.admin.base import CaseHandlerAdmin, _handler
from saksarkiv.models import (
    AdministrativEnhet,
    Gradering,
    Kassasjon,
    Klasse,
    Klassifikasjonssystem,
    Kryssreferanse,
    Merknad,
    Saksbehandler,
)
from saksarkiv.services import classification, entities
from saksarkiv.services.errors import SaksarkivError
from saksarkiv.services.structure import case_history, reassign


def form_action(modeladmin, request, queryset, *, form_class, title, submit, apply, form_kwargs=None):
    """An admin action that asks for input first (the delete-confirmation pattern): shows the form,
    and on submit applies `apply(obj, handler, cleaned_data)` to each selected record, reporting each."""
    handler = modeladmin.handler(request)
    form_kwargs = form_kwargs or {}
    form = form_class(request.POST if "apply" in request.POST else None, **form_kwargs)
    if form.is_bound and form.is_valid():
        for obj in queryset:
            try:
                result = apply(obj, handler, form.cleaned_data)
            except SaksarkivError as error:
                modeladmin.message_user(request, f"{obj}: {error.message}", messages.ERROR)
            else:
                modeladmin.message_user(
                    request, result or _("%(record)s: done.") % {"record": obj}, messages.SUCCESS
                )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.opts,
        "title": title,
        "form": form,
        "queryset": queryset,
        "action": request.POST.get("action", ""),
        "submit": submit,
    }
    return TemplateResponse(request, "admin/saksarkiv/structure/action_form.html", context)


def _organisation_choices(form, handler):
    for name, field in form.fields.items():
        if name in ("to_handler",):
            field.queryset = Saksbehandler.objects.filter(organisation=handler.organisation).select_related(
                "user"
            )
        if name in ("to_unit",):
            field.queryset = AdministrativEnhet.objects.filter(organisation=handler.organisation, aktiv=True)
        if name in ("system",):
            field.queryset = Klassifikasjonssystem.objects.filter(arkiv__organisation=handler.organisation)


class ReassignForm(forms.Form):
    to_handler = forms.ModelChoiceField(Saksbehandler.objects.none(), label=gettext_lazy("New saksansvarlig"))
    to_unit = forms.ModelChoiceField(
        AdministrativEnhet.objects.none(),
        label=gettext_lazy("Administrative unit"),
        required=False,
        help_text=gettext_lazy("Leave empty for the new saksansvarlig's own unit."),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)

    def __init__(self, *args, handler, **kwargs):
        super().__init__(*args, **kwargs)
        _organisation_choices(self, handler)


class SecondaryClassForm(forms.Form):
    system = forms.ModelChoiceField(
        Klassifikasjonssystem.objects.none(), label=gettext_lazy("Classification system")
    )
    value = forms.CharField(
        label=gettext_lazy("Class"),
        max_length=50,
        help_text=gettext_lazy(
            "A class ID; for a farm/property system the gnr/bnr (12/345), for an identity number system the number."
        ),
    )

    def __init__(self, *args, handler, **kwargs):
        super().__init__(*args, **kwargs)
        _organisation_choices(self, handler)


class KassasjonForm(forms.Form):
    kassasjonsvedtak = forms.ChoiceField(
        choices=Kassasjon.Vedtak.choices, label=gettext_lazy("Disposal decision")
    )
    bevaringstid = forms.IntegerField(
        min_value=0, max_value=1000, label=gettext_lazy("Retention period (years)")
    )
    kassasjonshjemmel = forms.CharField(
        required=False, max_length=200, label=gettext_lazy("Disposal authority")
    )
    kassasjonsdato = forms.DateField(
        required=False,
        label=gettext_lazy("Disposal date"),
        help_text=gettext_lazy(
            "Leave empty to count it from the retention period and the day the case closed."
        ),
    )


class GraderingForm(forms.Form):
    grad = forms.ChoiceField(choices=Gradering.Grad.choices, label=gettext_lazy("Grade"))


class MerknadForm(forms.ModelForm):
    class Meta:
        model = Merknad
        fields = ("merknadstekst", "merknadstype")
        widgets = {"merknadstekst": forms.Textarea(attrs={"rows": 2, "cols": 60})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:  # a remark made stays as it was made
            for field in self.fields.values():
                field.disabled = True


class MerknadFormSet(forms.BaseInlineFormSet):
    """New remarks are saved by the service (checks, audit); existing ones are never changed."""

    handler = None

    def save_new(self, form, commit=True):
        return entities.add_merknad(
            self.instance,
            self.handler,
            merknadstekst=form.cleaned_data["merknadstekst"],
            merknadstype=form.cleaned_data["merknadstype"],
        )

    def save_existing(self, form, obj, commit=True):
        return obj

    def clean(self):
        super().clean()
        for form in self.forms:
            if form.instance.pk is None and form.has_changed() and form.is_valid():
                tekst = form.cleaned_data.get("merknadstekst", "")
                kind = form.cleaned_data.get("merknadstype")
                if kind == Merknad.Type.ARKIVANSVARLIG and not self.handler.arkivleder:
                    form.add_error("merknadstype", _("Only the archive leader makes the archive's remarks."))
                if not tekst.strip():
                    form.add_error("merknadstekst", _("Write the remark."))


class MerknadInline(admin.StackedInline):
    model = Merknad
    fk_name = "saksmappe"
    form = MerknadForm
    formset = MerknadFormSet
    fields = ("merknadstekst", "merknadstype", "merknadsdato", "merknad_registrert_av")
    readonly_fields = ("merknadsdato", "merknad_registrert_av")
    extra = 1
    can_delete = False

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.handler = _handler(request)
        return formset

    def has_add_permission(self, request, obj=None):
        return obj is not None and _handler(request) is not None

    def has_change_permission(self, request, obj=None):
        return obj is not None and _handler(request) is not None

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields


class KryssreferanseInline(admin.TabularInline):
    model = Kryssreferanse
    fk_name = "fra_saksmappe"
    fields = ("til_saksmappe", "til_journalpost", "til_klasse", "opprettet_dato", "opprettet_av")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CaseStructure:
    """A case's structure on its pages: the primary and secondary classes from the handler's own
    archive, remarks and cross-references, the handover to another case handler, secondary
    classification by gbnr or identity number, disposal and security classification, and the
    case's history from the audit trail (the admin's History page)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "klasse":
            kwargs["queryset"] = Klasse.objects.filter(
                klassifikasjonssystem__arkiv__organisation=self.handler(request).organisation
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "sekundaerklasser":
            kwargs["queryset"] = Klasse.objects.filter(
                klassifikasjonssystem__arkiv__organisation=self.handler(request).organisation
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_inlines(self, request, obj):
        inlines = [*super().get_inlines(request, obj)]
        return [*inlines, MerknadInline, KryssreferanseInline] if obj is not None else inlines

    def get_actions(self, request):
        actions = super().get_actions(request)
        if _handler(request) is None:
            return actions
        for name in ("reassign_cases", "classify_cases", "set_case_kassasjon", "grade_cases"):
            function = getattr(type(self), name)
            actions[name] = (function, name, function.short_description)
        return actions

    @admin.action(description=gettext_lazy("Hand the selected cases over to another case handler"))
    def reassign_cases(self, request, queryset):
        handler = self.handler(request)

        def apply(saksmappe, handler, data):
            reassign(
                saksmappe,
                handler,
                to_handler=data["to_handler"],
                to_unit=data["to_unit"],
                reason=data["reason"],
                request=request,
            )
            return _("Case %(number)s is now with %(handler)s.") % {
                "number": saksmappe.saksnummer,
                "handler": data["to_handler"],
            }

        return form_action(self, request, queryset, form_class=ReassignForm, title=_("Hand cases over"),
                           submit=_("Hand over"), apply=apply, form_kwargs={"handler": handler})  # fmt: skip

    @admin.action(description=gettext_lazy("Classify the selected cases secondarily"))
    def classify_cases(self, request, queryset):
        handler = self.handler(request)

        def apply(saksmappe, handler, data):
            classification.classify_secondarily(
                saksmappe, handler, system=data["system"], value=data["value"], request=request
            )

        return form_action(self, request, queryset, form_class=SecondaryClassForm, title=_("Secondary class"),
                           submit=_("Classify"), apply=apply, form_kwargs={"handler": handler})  # fmt: skip

    @admin.action(description=gettext_lazy("Set the disposal decision of the selected cases"))
    def set_case_kassasjon(self, request, queryset):
        return set_kassasjon_action(self, request, queryset)

    @admin.action(description=gettext_lazy("Set the security classification of the selected cases"))
    def grade_cases(self, request, queryset):
        def apply(saksmappe, handler, data):
            entities.grade(saksmappe, handler, grad=data["grad"], request=request)

        return form_action(self, request, queryset, form_class=GraderingForm, title=_("Security classification"),
                           submit=_("Set"), apply=apply)  # fmt: skip

    def history_view(self, request, object_id, extra_context=None):
        """The case's history from the audit trail: who had it, who changed what, and why."""
        saksmappe = self.get_queryset(request).filter(pk=object_id).first() if object_id.isdigit() else None
        if saksmappe is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("History of case %(number)s") % {"number": saksmappe.saksnummer},
            "original": saksmappe,
            "entries": case_history(saksmappe),
        }
        return TemplateResponse(request, "admin/saksarkiv/structure/case_history.html", context)


def set_kassasjon_action(modeladmin, request, queryset):
    def apply(record, handler, data):
        entities.set_kassasjon(
            record,
            handler,
            kassasjonsvedtak=data["kassasjonsvedtak"],
            bevaringstid=data["bevaringstid"],
            kassasjonshjemmel=data["kassasjonshjemmel"],
            kassasjonsdato=data["kassasjonsdato"],
            request=request,
        )

    return form_action(modeladmin, request, queryset, form_class=KassasjonForm, title=_("Disposal decision"),
                       submit=_("Set"), apply=apply)  # fmt: skip


class ArchiveLeaderChanges(CaseHandlerAdmin):
    """Case handlers see the structure; the archive leader changes it (through the services)."""

    def is_arkivleder(self, request) -> bool:
        handler = _handler(request)
        return handler is not None and handler.arkivleder

    def has_add_permission(self, request):
        return self.is_arkivleder(request)

    def has_change_permission(self, request, obj=None):
        return self.is_arkivleder(request)

    def has_arkivleder_permission(self, request):
        return self.is_arkivleder(request)


# The forms the structure's admins use: in their own module to keep this one readable.
from saksarkiv.admin import structure_parts  # noqa: E402, F401
