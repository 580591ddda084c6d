"""The citizen's digital mailbox, logged in through ID-porten: the inbox, folders and the archive,
opening a letter (level 4 where the sender asked for it), and notification preferences.

A letter that is not the logged-in citizen's own is answered with 404, whoever asks."""

from functools import wraps

from csp.decorators import csp_replace
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods

from idporten import first_party
from postkasse import services
from postkasse.forms import ARCHIVE, INBOX, FolderForm, MoveForm, NotificationsForm, ReplyForm

SERVICE = first_party.FirstPartyService(
    client_id="felles-postkasse", name="Digital postkasse", namespace="postkasse"
)
LETTERS_PER_PAGE = 20


def citizen_page(*methods):
    """A mailbox page; without a login through ID-porten, log in first. A folder or letter that
    is not the citizen's answers 404."""

    def decorate(view):
        @wraps(view)
        def not_found_as_404(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except (services.FolderNotFound, services.LetterNotFound):
                raise Http404 from None

        return first_party.citizen_page(SERVICE, *methods)(not_found_as_404)

    return decorate


def letter_page(*methods):
    """A page with one letter: only its recipient, logged in, ever gets past 404."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, letter_id, *args, **kwargs):
            login = first_party.current_login(request, SERVICE)
            if login is None:
                raise Http404
            request.identity_number, request.acr = login.identity_number, login.acr
            try:
                return view(request, letter_id, *args, **kwargs)
            except services.StepUpRequired:
                return redirect(
                    first_party.login_url(
                        SERVICE, reverse("postkasse:letter", args=[letter_id]), step_up=True
                    )
                )
            except (services.FolderNotFound, services.LetterNotFound):
                raise Http404 from None
            except services.PostkasseError as error:
                messages.error(request, error.message)
                return redirect("postkasse:home")

        return require_http_methods(list(methods))(never_cache(wrapper))

    return decorate


def _page(request, template: str, context: dict | None = None, **kwargs):
    """A page with the mailbox's navigation: folders and the number of unread letters."""
    navigation = {
        "navigation": True,
        "folders": services.folders(request.identity_number),
        "unread": services.unread_count(request.identity_number),
    }
    return render(request, template, {**navigation, **(context or {})}, **kwargs)


def _letters_page(request, letters, *, heading: str, folder=None, archived: bool = False):
    if services.mailbox_of(request.identity_number) is None:
        return render(request, "postkasse/mailbox/no_mailbox.html")
    page = Paginator(letters, LETTERS_PER_PAGE).get_page(request.GET.get("side"))
    return _page(
        request,
        "postkasse/mailbox/letters.html",
        {
            "heading": heading,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "current_folder": folder,
            "archived": archived,
        },
    )


@never_cache
@require_GET
def home(request):
    login = first_party.current_login(request, SERVICE)
    if login is None:
        return render(request, "postkasse/mailbox/start.html")
    request.identity_number, request.acr = login.identity_number, login.acr
    return _letters_page(request, services.inbox(login.identity_number), heading=_("Inbox"))


login, callback, logout = first_party.login_views(
    SERVICE, failed_template="postkasse/mailbox/login_failed.html"
)


@citizen_page("GET")
def archive(request):
    letters = services.inbox(request.identity_number, archived=True)
    return _letters_page(request, letters, heading=_("Archive"), archived=True)


@citizen_page("GET")
def folder(request, folder_id):
    chosen = services.get_folder(request.identity_number, folder_id)
    letters = services.inbox(request.identity_number, folder=chosen)
    return _letters_page(request, letters, heading=chosen.name, folder=chosen)


@citizen_page("GET", "POST")
def folders(request):
    if services.mailbox_of(request.identity_number) is None:
        return render(request, "postkasse/mailbox/no_mailbox.html")
    form = FolderForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            created = services.create_folder(request.identity_number, form.cleaned_data["name"])
        except services.PostkasseError as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, _("The folder %(name)s is created.") % {"name": created.name})
            return redirect("postkasse:folders")
    return _page(request, "postkasse/mailbox/folders.html", {"form": form})


@citizen_page("GET", "POST")
def edit_folder(request, folder_id):
    chosen = services.get_folder(request.identity_number, folder_id)
    form = FolderForm(request.POST if request.method == "POST" else None, initial={"name": chosen.name})
    if form.is_valid():
        try:
            services.rename_folder(request.identity_number, folder_id, form.cleaned_data["name"])
        except services.FolderRefused as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, _("The folder is renamed."))
            return redirect("postkasse:folder", folder_id=folder_id)
    return _page(request, "postkasse/mailbox/edit_folder.html", {"folder": chosen, "form": form})


@citizen_page("POST")
def delete_folder(request, folder_id):
    services.delete_folder(request.identity_number, folder_id)
    messages.success(request, _("The folder is deleted. Its letters are back in the inbox."))
    return redirect("postkasse:folders")


def _where(letter) -> str:
    if letter.folder_id:
        return reverse("postkasse:folder", kwargs={"folder_id": letter.folder_id})
    return reverse("postkasse:archive") if letter.archived else reverse("postkasse:home")


@letter_page("GET")
def letter(request, letter_id):
    opened, documents = services.open_letter(
        request.identity_number, letter_id, acr=request.acr, request=request
    )
    location = str(opened.folder_id) if opened.folder_id else ARCHIVE if opened.archived else INBOX
    move_form = MoveForm(folders=services.folders(request.identity_number), initial={"to": location})
    return _page(
        request,
        "postkasse/mailbox/letter.html",
        {"letter": opened, "documents": documents, "move_form": move_form, "back": _where(opened)},
    )


def _document_response(request, letter_id, position: int, *, inline: bool) -> HttpResponse:
    document, content = services.document_content(
        request.identity_number, letter_id, position, acr=request.acr, inline=inline, request=request
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(not inline, document.filename)
    return response


# The letter page shows the PDF in an iframe from this view: only its framing by the site itself is let in.
@letter_page("GET")
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
def show_document(request, letter_id, position):
    return _document_response(request, letter_id, position, inline=True)


@letter_page("GET")
def download_document(request, letter_id, position):
    return _document_response(request, letter_id, position, inline=False)


@letter_page("POST")
def move(request, letter_id):
    form = MoveForm(request.POST, folders=services.folders(request.identity_number))
    if not form.is_valid():
        messages.error(request, _("Choose where to move the letter."))
        return redirect("postkasse:letter", letter_id=letter_id)
    to = form.cleaned_data["to"]
    moved = services.move_letter(
        request.identity_number,
        letter_id,
        folder_id=None if to in (INBOX, ARCHIVE) else int(to),
        archive=to == ARCHIVE,
    )
    place = moved.folder.name if moved.folder else _("the archive") if moved.archived else _("the inbox")
    messages.success(request, _("The letter is moved to %(place)s.") % {"place": place})
    return redirect(_where(moved))


@letter_page("POST")
def mark(request, letter_id):
    read = request.POST.get("read") == "yes"
    marked = services.mark_read(request.identity_number, letter_id, read=read)
    messages.success(
        request, _("The letter is marked as read.") if read else _("The letter is marked as unread.")
    )
    return redirect(_where(marked))


@letter_page("GET", "POST")
def delete(request, letter_id):
    current = services.get_letter(request.identity_number, letter_id)
    if request.method == "POST":
        back = _where(current)
        services.delete_letter(request.identity_number, letter_id, request=request)
        messages.success(request, _("The letter is deleted."))
        return redirect(back)
    return _page(request, "postkasse/mailbox/delete.html", {"letter": current, "back": _where(current)})


@letter_page("GET", "POST")
def reply(request, letter_id):
    answered = services.replyable_letter(request.identity_number, letter_id, acr=request.acr)
    posted = request.method == "POST"
    form = ReplyForm(request.POST if posted else None, request.FILES if posted else None)
    if form.is_valid():
        try:
            sent = services.reply_to_letter(
                request.identity_number,
                letter_id,
                text=form.cleaned_data["text"],
                attachments=[
                    services.DocumentIn("", upload.name, upload.read())
                    for upload in form.cleaned_data["attachments"]
                ],
                acr=request.acr,
                request=request,
            )
        except services.InvalidReply as error:
            form.add_error(error.field, error.message)
        except services.ReplyRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "Your answer is sent to %(sender)s and filed as %(reference)s. You will get a receipt in your mailbox."
                )
                % {"sender": sent.letter.sender.display_name(), "reference": sent.reference},
            )
            return redirect("postkasse:letter", letter_id=letter_id)
    return _page(request, "postkasse/mailbox/reply.html", {"letter": answered, "form": form})


@citizen_page("GET", "POST")
def notifications(request):
    mailbox = services.mailbox_of(request.identity_number)
    if mailbox is None:
        return render(request, "postkasse/mailbox/no_mailbox.html")
    form = NotificationsForm(
        request.POST if request.method == "POST" else None,
        initial={"notify_sms": mailbox.notify_sms, "notify_email": mailbox.notify_email},
    )
    if form.is_valid():
        services.set_notifications(
            request.identity_number,
            sms=form.cleaned_data["notify_sms"],
            email=form.cleaned_data["notify_email"],
        )
        messages.success(request, _("Your notification choices are saved."))
        return redirect("postkasse:home")
    return _page(request, "postkasse/mailbox/notifications.html", {"form": form})
