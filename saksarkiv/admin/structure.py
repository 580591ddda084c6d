"""The archive's structure in the admin: archive parts and periods, classification, units, and the
standard's entities kept beside the records (disposal, security classification, remarks,
cross-references, precedents)."""

from saksarkiv.models import Klasse


class CaseStructure:
    """A case's classes on its form: the primary and the secondary, from the handler's own archive."""

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
