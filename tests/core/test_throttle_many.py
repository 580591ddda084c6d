"""Several limits checked at once (MinID checks a person's and an address's failures before each step)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import throttle

RATE = throttle.Rate(limit=2, seconds=3600)


@pytest.mark.django_db
def test_any_exceeded_answers_for_several_limits_in_one_query():
    limits = [("test.person", "01017012345", RATE), ("test.address", "192.0.2.1", RATE)]
    assert not throttle.any_exceeded(limits)
    throttle.hit("test.address", "192.0.2.1", RATE)
    assert not throttle.any_exceeded(limits)
    throttle.hit("test.address", "192.0.2.1", RATE)
    with CaptureQueriesContext(connection) as context:
        assert throttle.any_exceeded(limits)
    assert len(context.captured_queries) == 1
    assert not throttle.any_exceeded([])
