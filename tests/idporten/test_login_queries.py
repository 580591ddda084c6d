"""The SQL one complete login costs: authorize -> picker -> MinID (password, SMS code) -> consent ->
token -> userinfo, the server's statements counted request by request (reading the SMS from the outbox
is the test's, not counted; the savepoints the test's own transaction turns Felles' transactions into
are counted apart, as in production they are BEGIN and COMMIT), so that a change that reads the same
row again or writes what did not change fails here rather than only showing in the benchmark."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from idporten import keys
from smartkort import services as smartcards
from tests.idporten import factories
from tests.minid.factories import PASSWORD, last_code_sent, registered_user

# Issue 16 asks for 25 statements. This login (with its first-time consent) was 77 before the work on
# the speed, and is 49; where the rest goes is in the README ("Login cost"). Lower these as
# statements go, never raise them.
MAX_STATEMENTS_PER_LOGIN = 49
MAX_TRANSACTIONS_PER_LOGIN = 7


class Counted:
    """The statements of the requests made inside `with counted:`, summed over them."""

    def __init__(self):
        self.statements = []
        self.transactions = 0

    def __enter__(self):
        self._context = CaptureQueriesContext(connection).__enter__()
        return self

    def __exit__(self, *exc):
        self._context.__exit__(*exc)
        for query in self._context.captured_queries:
            if query["sql"].startswith("SAVEPOINT"):
                self.transactions += 1
            elif not query["sql"].startswith("RELEASE SAVEPOINT"):
                self.statements.append(query["sql"])


@pytest.mark.django_db
def test_one_complete_login_stays_within_its_sql_budget(client):
    oidc_client, secret = factories.client(scopes=["openid"], may_receive_pid=True)
    user, _letter, _codes = registered_user()
    identity_number = user.person.identity_number
    keys.active_key()  # the first signing key is made once, not per login
    keys.active_key()  # and read once per process and KEY_SET_SECONDS, not per login
    smartcards.available_providers(cached=True)  # the picker's issuers: once per process a minute
    verifier, challenge = factories.pkce()
    counted = Counted()

    with counted:
        picker = client.get("/idporten/authorize", factories.authorize_params(oidc_client, challenge))
        client.get(picker.url)
        to_minid = client.get(picker.url + "minid/")
        next_url = factories.query(to_minid.url)["next"]
        step_two = client.post(
            f"/minid/logg-inn/?next={next_url}", {"fodselsnummer": identity_number, "password": PASSWORD}
        )
    code = last_code_sent(user, "mobile")
    with counted:
        back = client.get(client.post(step_two.url, {"code": code}).url)
        assert "/idporten/samtykke/" in back.url  # the first login asks for consent
        client.get(back.url)
        callback = client.post(back.url, {"answer": "yes"})
        tokens = factories.exchange(
            client, oidc_client, secret, factories.query(callback.url)["code"], verifier
        ).json()
        info = client.get("/idporten/userinfo", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")

    assert info.status_code == 200 and info.json()["pid"] == identity_number
    assert len(counted.statements) <= MAX_STATEMENTS_PER_LOGIN, "\n".join(
        [f"{len(counted.statements)} statements:", *(sql[:120] for sql in counted.statements)]
    )
    assert counted.transactions <= MAX_TRANSACTIONS_PER_LOGIN
