"""Failed attempts per client address, counted in the database so that every web
process shares them and they survive restarts."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from minid.models import FailedAttempt
from minid.services.errors import RateLimited


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def check_not_limited(ip: str | None) -> None:
    if ip is None:
        return
    since = timezone.now() - timedelta(seconds=settings.MINID_IP_WINDOW_SECONDS)
    if FailedAttempt.objects.filter(ip_address=ip, at__gte=since).count() >= settings.MINID_IP_MAX_FAILURES:
        raise RateLimited()


def record_failure(ip: str | None) -> None:
    if ip is not None:
        FailedAttempt.objects.create(ip_address=ip)
