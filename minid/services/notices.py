"""Security notices to a MinID user's registered mobile and e-mail.

The public pages (login, registration, forgotten password) answer every visitor the same,
so that they do not tell who has MinID or whose user is locked. What only the citizen may
know goes to what the citizen has registered: a notice here, a code in the PIN letter.
A notice is never required for the answer: when one cannot go (sent too recently, or the
person's message cap is used up) the page answers the same and nothing is sent.
"""

from django.conf import settings
from django.utils.translation import gettext as _

from core import audit, throttle
from core.tasks import deliver_email, deliver_sms
from minid.models import MinidUser
from minid.services.actions import AuditAction
from minid.services.errors import MessagesLimited
from minid.services.pin_letters import OBJECT_TYPE
from minid.services.ratelimit import allow_message

# One throttle scope per kind of notice (its audit action): a flood of one kind never uses up
# another, and never more than one copy of a kind in MINID_NOTICE_INTERVAL_SECONDS.
NOTICE_SCOPE = "minid.notice:%s"


def _send(user: MinidUser, action: AuditAction, subject: str, text: str, *, request=None) -> bool:
    """Send to the user's verified mobile and e-mail; False when nothing went."""
    identity_number = user.person.identity_number
    mobile = user.mobile if user.mobile_verified_at else ""
    email = user.email if user.email_verified_at else ""
    if not (mobile or email):
        return False
    rate = throttle.Rate(1, settings.MINID_NOTICE_INTERVAL_SECONDS)
    if not throttle.hit(NOTICE_SCOPE % action.value, identity_number, rate):
        return False
    try:
        allow_message(identity_number, purpose=action.value, request=request)
    except MessagesLimited:
        return False
    if mobile:
        deliver_sms.enqueue(mobile, text)
    if email:
        deliver_email.enqueue(email, subject, text)
    audit.record(
        action,
        actor="MinID",
        request=request,
        object_type=OBJECT_TYPE,
        object_id=identity_number,
        details={"sms": bool(mobile), "email": bool(email)},
    )
    return True


def tell_user_is_locked(user: MinidUser, *, request=None) -> bool:
    """The right password was given for a locked user: the page said "wrong", the citizen hears the truth."""
    return _send(
        user,
        AuditAction.NOTICE_LOCKED,
        _("Your MinID user is locked"),
        _(
            "Someone tried to log in to your MinID user with the right password, but the user is locked after "
            "too many wrong attempts. To unlock it, choose 'Forgot password' in MinID and use two codes "
            "from your PIN letter; if you have no PIN letter, order a new one first. If it was not you who "
            "tried, someone knows your password: choose a new one the same way."
        ),
        request=request,
    )


def tell_already_registered(user: MinidUser, *, request=None) -> bool:
    """Someone started registering with the fødselsnummer of an existing user."""
    return _send(
        user,
        AuditAction.NOTICE_REGISTRATION_ATTEMPT,
        _("Someone tried to register you in MinID"),
        _(
            "Someone started to register a new MinID user with your fødselsnummer. You already have a "
            "MinID user, so nothing was changed. If you have forgotten your password, choose 'Forgot "
            "password' in MinID. If this was not you, you do not need to do anything."
        ),
        request=request,
    )
