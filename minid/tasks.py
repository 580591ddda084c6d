"""MinID's background work (run by `manage.py db_worker`)."""

from django_tasks import task

from minid.models import MinidUser
from minid.services import notices, pin_letters


@task()
def make_ordered_letter(identity_number: str) -> str | None:
    """A PIN letter ordered on the public page; returns its serial, or None where none could go."""
    letter = pin_letters.order_pin_letter_quietly(identity_number)
    return letter.serial if letter is not None else None


@task()
def tell_of_login_while_locked(user_id: int, password_was_right: bool) -> None:
    """A login on a locked user: the citizen hears of it when the password was right. Queued alike
    for a right and a wrong password, so that the answer costs the same either way."""
    user = MinidUser.objects.filter(pk=user_id).select_related("person").first()
    if user is not None and password_was_right:
        notices.tell_user_is_locked(user)
