"""The register in the admin: search by number or name, filters, and protected
addresses that only staff with the special permission may see or change."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q as models_q
from django.utils.translation import gettext_lazy as _

from core import audit
from folkeregister import services
from folkeregister.identity import parse_identity_number
from folkeregister.models import ADDRESS_FIELDS, AddressProtection, Person

RESIDENTIAL = tuple(f"residential_{name}" for name in ADDRESS_FIELDS)
POSTAL = tuple(f"postal_{name}" for name in ADDRESS_FIELDS)
DERIVED = ("number_kind", "birth_date", "sex")


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = (
            "identity_number", "given_name", "middle_name", "family_name",
            "status", "status_date", "address_protection", *RESIDENTIAL, *POSTAL,
        )  # fmt: skip

    def clean_identity_number(self):
        return parse_identity_number(self.cleaned_data["identity_number"]).number

    def _post_clean(self):
        # Derived fields are not on the form; fill them before the model validates.
        number = self.cleaned_data.get("identity_number")
        if number:
            parsed = parse_identity_number(number)
            self.instance.number_kind = parsed.kind
            self.instance.birth_date = parsed.birth_date
            self.instance.sex = parsed.sex
        super()._post_clean()


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    form = PersonForm
    list_display = ("identity_number", "full_name", "birth_date", "status", "address_protection")
    list_filter = ("status", "address_protection", "number_kind", "sex")
    search_fields = ("identity_number", "family_name", "given_name")
    search_help_text = _("Search by identity number (11 digits) or by name.")
    ordering = ("family_name", "given_name")
    show_full_result_count = False
    list_per_page = 50

    def get_search_results(self, request, queryset, search_term):
        term = search_term.replace(" ", "")
        if term.isdigit():
            if len(term) == 11:
                return queryset.filter(identity_number=term), False
            return queryset.filter(identity_number__startswith=term), False
        for word in search_term.split():
            queryset = queryset.filter(
                models_q(given_name__istartswith=word)
                | models_q(middle_name__istartswith=word)
                | models_q(family_name__istartswith=word)
            )
        return queryset, False

    def may_see_protected(self, request) -> bool:
        return request.user.has_perm("folkeregister.view_protected_address")

    def restricted(self, request, obj) -> bool:
        """Without the permission a protected address is read-only, and a strictly
        confidential one is not shown at all."""
        return obj is not None and obj.is_address_protected and not self.may_see_protected(request)

    def hides_address(self, request, obj) -> bool:
        return self.restricted(request, obj) and obj.address_protection == AddressProtection.STRENGT_FORTROLIG

    def get_fieldsets(self, request, obj=None):
        person = (None, {"fields": ("identity_number", *DERIVED, "given_name", "middle_name", "family_name")})
        status = (_("Status"), {"fields": ("status", "status_date", "address_protection")})
        if self.hides_address(request, obj):
            return [person, status, (_("Address"), {"fields": ("protected_address",)})]
        return [
            person,
            status,
            (_("Residential address"), {"fields": RESIDENTIAL}),
            (_("Postal address (if different)"), {"fields": POSTAL}),
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = [*DERIVED, "protected_address"]
        if self.restricted(request, obj):
            readonly += ["address_protection", *RESIDENTIAL, *POSTAL]
        return readonly

    @admin.display(description=_("Address"))
    def protected_address(self, obj):
        return _("The address is protected (%(level)s) and is not shown.") % {
            "level": obj.get_address_protection_display()
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        person = self.get_object(request, object_id)
        if person is not None and person.is_address_protected and request.method == "GET":
            audit.record(
                "folkeregister.protected_person_viewed",
                request=request,
                obj=person,
                object_id=person.identity_number,
                outcome=audit.Outcome.SUCCESS if self.may_see_protected(request) else audit.Outcome.DENIED,
                details={"address_shown": not self.hides_address(request, person)},
            )
        return response

    def save_model(self, request, obj, form, change):
        try:
            services.save_person(obj, changed_by=request.user, request=request)
        except ValidationError as error:  # the form validated the same; this is a race
            raise ValidationError(error.messages) from None
