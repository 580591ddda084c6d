"""A journal post in the admin: its page with parties, documents and receipts, and the actions on it
(upload, finalise, dispatch, write off, journalise, void)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saksarkiv import services
from saksarkiv.admin.access import AccessCodeFields
from saksarkiv.admin.base import PARTIES_SHOWN, CaseHandlerAdmin, OptionalPublicTitle
from saksarkiv.admin.parties import PartyViews
from saksarkiv.admin.restanser import RestanseViews
from saksarkiv.models import Avskrivning, Brevmal, Journalpost, Saksmappe
from saksarkiv.services import archive, avskrivning
from saksarkiv.services.dispatch import DISPATCHABLE


class JournalpostForm(OptionalPublicTitle, forms.ModelForm):
    class Meta:
        model = Journalpost
        fields = (
            "saksmappe",
            "journalposttype",
            "tittel",
            "offentlig_tittel",
            "dokumentdato",
            "forfallsdato",
            "skjerming",
            "tilgangskode",
            "brevmal",
        )


def _editable(journalpost: Journalpost) -> bool:
    try:
        archive.require_editable(journalpost)
    except services.RecordFinalised:
        return False
    return True


class UploadForm(forms.Form):
    tittel = forms.CharField(label=gettext_lazy("Title"), max_length=500, required=False)
    fil = forms.FileField(label=gettext_lazy("PDF file"))
    hoveddokument = forms.BooleanField(label=gettext_lazy("Main document"), required=False)


@admin.register(Journalpost)
class JournalpostAdmin(AccessCodeFields, PartyViews, RestanseViews, CaseHandlerAdmin):
    form = JournalpostForm
    list_display = ("nummer", "journalposttype", "tittel", "journalstatus", "journaldato", "saksbehandler")
    list_filter = ("journalstatus", "journalposttype", "saksbehandler", "journaldato")
    search_fields = ("tittel", "offentlig_tittel")
    date_hierarchy = "journaldato"
    list_select_related = ("saksmappe", "saksbehandler__user")
    show_full_result_count = False
    list_per_page = 50

    @admin.display(description=gettext_lazy("number"), ordering="journalsekvensnummer")
    def nummer(self, journalpost):
        return f"{journalpost.saksmappe.saksnummer}-{journalpost.journalpostnummer}"

    def get_queryset(self, request):
        return services.journalposts_for(self.handler(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        handler = self.handler(request)
        if db_field.name == "saksmappe":
            kwargs["queryset"] = services.cases_for(handler).filter(
                saksstatus=Saksmappe.Status.UNDER_BEHANDLING
            )
        elif db_field.name == "brevmal":
            kwargs["queryset"] = Brevmal.objects.filter(organisation=handler.organisation)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = dict(form.cleaned_data)
        brevmal = data.pop("brevmal", None)
        saksmappe = data.pop("saksmappe")
        try:
            created = services.add_journalpost(saksmappe, self.handler(request), request=request, **data)
        except services.SaksarkivError as error:
            raise ValidationError(error.message) from None
        if brevmal is not None:
            created.brevmal = brevmal
            created.save(update_fields=["brevmal"])
        obj.pk = created.pk

    def response_add(self, request, obj, post_url_continue=None):
        return redirect("admin:saksarkiv_journalpost_change", obj.pk)

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(function)

        return [
            *self.party_urls(view),
            *self.restanse_urls(view),
            path("<int:pk>/dokument/", view(self.upload_view), name="saksarkiv_journalpost_upload"),
            path("<int:pk>/forhandsvis/", view(self.preview_view), name="saksarkiv_journalpost_preview"),
            path("<int:pk>/dokument/<int:version>/", view(self.file_view), name="saksarkiv_journalpost_file"),
            path("<int:pk>/ferdigstill/", view(self.finalise_view), name="saksarkiv_journalpost_finalise"),
            path("<int:pk>/ekspeder/", view(self.dispatch_view), name="saksarkiv_journalpost_dispatch"),
            path("<int:pk>/navn/", view(self.public_names_view), name="saksarkiv_journalpost_public_names"),
            path("<int:pk>/avskriv/", view(self.write_off_view), name="saksarkiv_journalpost_write_off"),
            path(
                "<int:pk>/avskriv/angre/",
                view(self.undo_write_off_view),
                name="saksarkiv_journalpost_undo_write_off",
            ),
            path("<int:pk>/journalfor/", view(self.journalise_view), name="saksarkiv_journalpost_journalise"),
            path("<int:pk>/utgar/", view(self.void_view), name="saksarkiv_journalpost_void"),
            *super().get_urls(),
        ]

    def _journalpost(self, request, pk) -> Journalpost:
        try:
            return services.get_journalpost(self.handler(request), pk, request=request)
        except services.NotFound:
            raise Http404 from None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self._detail(request, self._journalpost(request, object_id))

    def _detail(self, request, journalpost: Journalpost, *, status: int = 200, **forms_shown):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(journalpost),
            "journalpost": journalpost,
            "parties": services.receipts(journalpost, limit=PARTIES_SHOWN),
            "party_count": journalpost.korrespondanseparter.count(),
            "names_public": services.public.names_persons(journalpost),
            "documents": [(d, services.current_version(d)) for d in journalpost.dokumenter.all()],
            "editable": _editable(journalpost),
            "dispatchable": journalpost.journalposttype == Journalpost.Type.UTGAAENDE
            and journalpost.journalstatus in DISPATCHABLE,
            **self.party_context(request),
            **self._life_context(request, journalpost),
            "upload_form": UploadForm(),
            **forms_shown,
        }
        return TemplateResponse(request, "admin/saksarkiv/journalpost/detail.html", context, status=status)

    def _back(self, journalpost):
        return redirect("admin:saksarkiv_journalpost_change", journalpost.pk)

    def _post_only(self, request):
        if request.method != "POST":
            raise PermissionDenied

    def upload_view(self, request, pk):
        self._post_only(request)
        journalpost = self._journalpost(request, pk)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("Choose a PDF file to upload."))
            return self._back(journalpost)
        upload = form.cleaned_data["fil"]
        try:
            services.add_document(
                journalpost,
                self.handler(request),
                tittel=form.cleaned_data["tittel"],
                content=upload.read(),
                filnavn=upload.name,
                hoveddokument=form.cleaned_data["hoveddokument"],
                request=request,
            )
        except services.SaksarkivError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The document is added."))
        return self._back(journalpost)

    def preview_view(self, request, pk):
        """The letter from the template as the PDF the first recipient will get."""
        journalpost = self._journalpost(request, pk)
        if journalpost.brevmal is None:
            raise Http404
        party = journalpost.korrespondanseparter.filter(korrespondanseparttype="EM").order_by("pk").first()
        response = HttpResponse(services.letter_pdf(journalpost, party), content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="forhandsvisning.pdf"'
        return response

    def file_view(self, request, pk, version):
        journalpost = self._journalpost(request, pk)
        found = next(
            (v for d in journalpost.dokumenter.all() for v in d.versjoner.all() if v.pk == version and v.fil),
            None,
        )
        if found is None:
            raise Http404
        with services.open_version(self.handler(request), found, request=request) as file:
            response = HttpResponse(file.read(), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{found.filnavn}"'
        return response

    def finalise_view(self, request, pk):
        self._post_only(request)
        journalpost = self._journalpost(request, pk)
        try:
            services.finalise(journalpost, self.handler(request), request=request)
        except services.SaksarkivError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The journal post is finalised."))
        return self._back(journalpost)

    def public_names_view(self, request, pk):
        self._post_only(request)
        journalpost = self._journalpost(request, pk)
        named = request.POST.get("named") == "yes"
        services.public.set_public_names(journalpost, self.handler(request), named=named, request=request)
        messages.success(
            request,
            _("The public journal names the persons among the parties.")
            if named
            else _("The public journal names the persons only as the rule allows."),
        )
        return self._back(journalpost)

    def dispatch_view(self, request, pk):
        """Dispatch; to many recipients only after the handler has seen how many and by which
        channel, and confirmed."""
        self._post_only(request)
        journalpost = self._journalpost(request, pk)
        handler = self.handler(request)
        try:
            if request.POST.get("confirmed") != "yes":
                split = services.expected_channels(journalpost)
                if split.total >= services.CONFIRM_FROM:
                    context = {
                        **self.admin_site.each_context(request),
                        "opts": self.opts,
                        "title": _("Dispatch to %(count)d recipients?") % {"count": split.total},
                        "journalpost": journalpost,
                        "split": split,
                    }
                    return TemplateResponse(
                        request, "admin/saksarkiv/journalpost/confirm_dispatch.html", context
                    )
            queued = services.dispatch_or_queue(journalpost, handler, request=request)
        except services.SaksarkivError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The mass dispatch is queued; the letters go out in the background.")
                if queued
                else _("The letter is dispatched. Receipts appear below as they come back."),
            )
        return self._back(journalpost)

    def _life_context(self, request, journalpost: Journalpost) -> dict:
        """What the page shows of the post's write-off and status, and which of those actions it offers."""
        handler = self.handler(request)
        case_open = journalpost.saksmappe.saksstatus == Saksmappe.Status.UNDER_BEHANDLING
        followed_up = journalpost.journalposttype in avskrivning.FOLLOWED_UP
        written_off = (
            journalpost.avskrivninger.select_related("referanse_avskrives_av_journalpost__saksmappe").first()
            if followed_up
            else None
        )
        open_for_write_off = (
            followed_up
            and written_off is None
            and case_open
            and journalpost.journalstatus not in archive.FROZEN
        )
        answers = (
            services.journalposts_for(handler)
            .filter(saksmappe=journalpost.saksmappe, journalposttype__in=list(avskrivning.ANSWER_METHOD))
            .exclude(pk=journalpost.pk)
            .exclude(journalstatus=Journalpost.Status.UTGAAR)
            .select_related("saksmappe")
            .order_by("journalpostnummer")
            if open_for_write_off
            else []
        )
        return {
            "followed_up": followed_up,
            "avskrivning": written_off,
            "write_off_open": open_for_write_off,
            "write_off_codes": [(code, Avskrivning.Maate(code).label) for code in avskrivning.CODES],
            "answer_choices": answers,
            # An answering post under a code the viewer lacks is not named here either.
            "pending_answers": avskrivning.pending_answers(journalpost)
            .filter(pk__in=services.journalposts_for(handler).values("pk"))
            .select_related("saksmappe")
            if open_for_write_off
            else [],
            "answered_by": written_off.referanse_avskrives_av_journalpost
            if written_off is not None
            and services.journalposts_for(handler)
            .filter(pk=written_off.referanse_avskrives_av_journalpost_id)
            .exists()
            else None,
            "undo_allowed": written_off is not None
            and case_open
            and journalpost.journalstatus != Journalpost.Status.ARKIVERT,
            "journalisable": handler.arkivleder and journalpost.journalstatus in archive.JOURNALISABLE,
            "voidable": case_open
            and not journalpost.is_finalised
            and journalpost.journalstatus != Journalpost.Status.UTGAAR
            and (handler.arkivleder or journalpost.saksbehandler_id == handler.pk),
        }

    def _act(self, request, journalpost, action, done: str):
        try:
            action()
        except services.SaksarkivError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, done)
        return self._back(journalpost)

    def write_off_view(self, request, pk):
        """With a code, or by the answering post chosen from the case (written off now if that post is
        finalised, else when it is)."""
        self._post_only(request)
        journalpost = self._journalpost(request, pk)
        handler = self.handler(request)
        answer_pk = request.POST.get("svar", "")
        if not answer_pk:
            return self._act(
                request,
                journalpost,
                lambda: avskrivning.write_off(
                    journalpost, handler, maate=request.POST.get("maate", ""), request=request
                ),
                _("The journal post is written off."),
            )
        try:
            answering = services.get_journalpost(handler, int(answer_pk) if answer_pk.isdigit() else 0)
            done = avskrivning.answer(journalpost, answering, handler, request=request)
        except services.SaksarkivError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The journal post is written off.")
                if done
                else _("The journal post is written off when %(answer)s is finalised.")
                % {"answer": archive.post_number(answering)},
            )
        return self._back(journalpost)

    def undo_write_off_view(self, request, pk):
        self._post_only(request)
        journalpost = self._journalpost(request, pk)
        return self._act(
            request,
            journalpost,
            lambda: avskrivning.undo_write_off(journalpost, self.handler(request), request=request),
            _("The write-off is undone; the journal post is a restanse again."),
        )

    def journalise_view(self, request, pk):
        self._post_only(request)
        journalpost = self._journalpost(request, pk)
        return self._act(
            request,
            journalpost,
            lambda: archive.journalfoer(journalpost, self.handler(request), request=request),
            _("The journal post is journalised."),
        )

    def void_view(self, request, pk):
        self._post_only(request)
        journalpost = self._journalpost(request, pk)
        return self._act(
            request,
            journalpost,
            lambda: archive.void(journalpost, self.handler(request), request=request),
            _("The journal post is void."),
        )
