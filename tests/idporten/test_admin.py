import hashlib
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.urls import reverse
from jose import jwk

from core.models import AuditEvent
from idporten import risk
from idporten.models import LOA_HIGH, LOA_SUBSTANTIAL, Client
from tests.idporten.factories import client as registered_client
from tests.idporten.factories import organisation

pytestmark = pytest.mark.django_db

ADD = reverse("admin:idporten_client_add")
CHANGELIST = reverse("admin:idporten_client_changelist")


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def form_data(**overrides) -> dict:
    data = {
        "organisation": organisation().pk,
        "name": "Velferdsetaten Min side",
        "active": "on",
        "redirect_uris": "https://tjeneste.example.no/callback\r\nhttp://localhost:8000/callback\r\n",
        "post_logout_redirect_uris": "https://tjeneste.example.no/",
        "frontchannel_logout_uri": "https://tjeneste.example.no/frontchannel-logout",
        "backchannel_logout_uri": "",
        "scopes": "openid profile",
        "auth_method": Client.AuthMethod.SECRET_BASIC,
        "jwks": "",
        "id_token_signed_response_alg": "RS256",
        **{f"risk_{row.key}": "2" for row in risk.ROWS},
    }
    return {**data, **overrides}


def error_codes(response) -> dict[str, list[str]]:
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors.as_data()
    return {field: [error.code for error in field_errors] for field, field_errors in errors.items()}


def public_ec_jwk(private: bool = False) -> dict:
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key = jwk.construct(pem, "ES256")
    return {**(key.to_dict() if private else key.public_key().to_dict()), "kid": "key-1"}


@pytest.mark.parametrize(
    ("ratings", "level"),
    [
        ({}, LOA_SUBSTANTIAL),
        ({"life_and_health": 3, "economic_loss": 3}, LOA_SUBSTANTIAL),
        ({"nuisance": 4}, LOA_HIGH),
        ({"hindrance_of_prosecution": 4, "reputation": 1}, LOA_HIGH),
    ],
)
def test_minimum_level_follows_the_highest_rating(ratings, level):
    assessment = {row.key: 1 for row in risk.ROWS} | ratings

    assert risk.minimum_level(assessment) == level


def test_minimum_level_needs_every_row_rated_1_to_4():
    assessment = {row.key: 2 for row in risk.ROWS}

    with pytest.raises(ValueError):
        risk.minimum_level({**assessment, "nuisance": 5})
    with pytest.raises(ValueError):
        risk.minimum_level({key: value for key, value in assessment.items() if key != "reputation"})


def test_registering_a_client_shows_its_secret_once_and_stores_only_its_hash(admin_client):
    response = admin_client.post(ADD, form_data())

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    assert secret in response.content.decode()
    client = Client.objects.get()
    assert client.secret_hash == sha256(secret)
    assert client.redirect_uris == ["https://tjeneste.example.no/callback", "http://localhost:8000/callback"]
    assert client.scopes == ["openid", "profile"]
    assert client.minimum_level == LOA_SUBSTANTIAL
    change_page = admin_client.get(reverse("admin:idporten_client_change", args=[client.pk]))
    assert client.client_id in change_page.content.decode()
    assert secret not in change_page.content.decode()
    events = AuditEvent.objects.filter(object_id=client.client_id)
    assert {event.action for event in events} == {"idporten.client_registered", risk.AUDIT_ACTION}
    assert secret not in json.dumps([event.details for event in events])


def test_a_risk_rated_4_requires_security_level_high(admin_client):
    admin_client.post(ADD, form_data(risk_economic_loss="4"))

    client = Client.objects.get()
    assert client.minimum_level == LOA_HIGH
    event = AuditEvent.objects.get(action=risk.AUDIT_ACTION)
    assert event.details["assessment"]["economic_loss"] == 4
    assert event.details["minimum_level"] == LOA_HIGH
    change_form = (
        admin_client.get(reverse("admin:idporten_client_change", args=[client.pk])).context["adminform"].form
    )
    assert change_form["risk_economic_loss"].value() == 4
    assert "minimum_level" not in change_form.fields  # shown read-only, derived on save


def test_lowering_the_risk_on_the_change_page_lowers_the_level(admin_client):
    admin_client.post(ADD, form_data(risk_nuisance="4"))
    client = Client.objects.get()
    secret_hash = client.secret_hash

    response = admin_client.post(
        reverse("admin:idporten_client_change", args=[client.pk]), form_data(risk_nuisance="3")
    )

    assert response.status_code == 302
    client.refresh_from_db()
    assert client.minimum_level == LOA_SUBSTANTIAL
    assert client.secret_hash == secret_hash
    changed = AuditEvent.objects.get(action="idporten.client_changed")
    assert changed.actor == "admin"
    assert AuditEvent.objects.filter(action=risk.AUDIT_ACTION).first().details["assessment"]["nuisance"] == 3


def as_shown(form) -> dict:
    """What a browser posts back from a change form left as it was shown."""
    data = {}
    for bound in form:
        value = bound.value()
        if isinstance(value, bool):
            if value:
                data[bound.name] = "on"
        else:
            data[bound.name] = "" if value is None else value
    return data


def test_the_risk_assessment_is_stored_on_the_client(admin_client):
    admin_client.post(ADD, form_data(risk_economic_loss="4", risk_nuisance="3"))

    client = Client.objects.get()
    assert client.risk_economic_loss == 4
    assert client.risk_nuisance == 3
    assert client.risk_reputation == 2


def test_a_client_assessed_elsewhere_is_edited_without_asking_again(admin_client):
    ratings = {row.field_name: 3 for row in risk.ROWS}
    client, _secret = registered_client(**ratings)
    change = reverse("admin:idporten_client_change", args=[client.pk])
    form = admin_client.get(change).context["adminform"].form
    assert {row.field_name: form[row.field_name].value() for row in risk.ROWS} == ratings

    response = admin_client.post(change, {**as_shown(form), "name": "Velferdsetaten Mine saker"})

    assert response.status_code == 302
    client.refresh_from_db()
    assert client.name == "Velferdsetaten Mine saker"
    assert client.risk_life_and_health == 3
    assert AuditEvent.objects.filter(action="idporten.client_changed").exists()
    assert not AuditEvent.objects.filter(action=risk.AUDIT_ACTION).exists()  # unchanged, not assessed again


def test_a_client_never_assessed_is_assessed_on_its_first_edit(admin_client):
    client, _secret = registered_client()
    change = reverse("admin:idporten_client_change", args=[client.pk])
    form = admin_client.get(change).context["adminform"].form

    refused = admin_client.post(change, as_shown(form))

    assert error_codes(refused) == {row.field_name: ["required"] for row in risk.ROWS}
    client.refresh_from_db()
    assert client.risk_nuisance is None
    response = admin_client.post(change, {**as_shown(form), **{row.field_name: "4" for row in risk.ROWS}})
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.risk_nuisance == 4
    assert client.minimum_level == LOA_HIGH


def test_the_risk_assessment_is_required(admin_client):
    response = admin_client.post(ADD, form_data(risk_reputation=""))

    assert error_codes(response) == {"risk_reputation": ["required"]}
    assert not Client.objects.exists()


@pytest.mark.parametrize(
    ("uri", "code"),
    [
        ("http://tjeneste.example.no/callback", "insecure_uri"),
        ("/callback", "insecure_uri"),
        ("https://tjeneste.example.no/callback#top", "fragment"),
        ("https://tjeneste.example.no/call back", "insecure_uri"),
    ],
)
def test_a_bad_redirect_uri_is_a_form_error(admin_client, uri, code):
    response = admin_client.post(ADD, form_data(redirect_uris=f"https://tjeneste.example.no/ok\n{uri}"))

    assert error_codes(response) == {"redirect_uris": [code]}
    assert not Client.objects.exists()


def test_a_plain_http_logout_uri_is_a_form_error(admin_client):
    response = admin_client.post(ADD, form_data(frontchannel_logout_uri="http://tjeneste.example.no/logout"))

    assert error_codes(response) == {"frontchannel_logout_uri": ["insecure_uri"]}


def test_a_jwks_with_a_private_key_is_a_form_error(admin_client):
    jwks = json.dumps({"keys": [public_ec_jwk(private=True)]})

    response = admin_client.post(ADD, form_data(auth_method=Client.AuthMethod.PRIVATE_KEY_JWT, jwks=jwks))

    assert error_codes(response) == {"jwks": ["private_key"]}
    assert not Client.objects.exists()


@pytest.mark.parametrize(
    ("jwks", "code"),
    [
        ("{not json", "invalid_json"),
        ('{"keys": []}', "not_jwks"),
        ('{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}', "key_type"),
        ('{"keys": [{"kty": "RSA", "n": "AQAB"}]}', "invalid_key"),
    ],
)
def test_a_malformed_jwks_is_a_form_error(admin_client, jwks, code):
    response = admin_client.post(ADD, form_data(jwks=jwks))

    assert error_codes(response) == {"jwks": [code]}


def test_private_key_jwt_needs_a_jwks(admin_client):
    response = admin_client.post(ADD, form_data(auth_method=Client.AuthMethod.PRIVATE_KEY_JWT))

    assert list(error_codes(response)) == ["jwks"]


def test_private_key_jwt_with_a_public_jwks_is_registered(admin_client):
    key = public_ec_jwk()

    response = admin_client.post(
        ADD, form_data(auth_method=Client.AuthMethod.PRIVATE_KEY_JWT, jwks=json.dumps({"keys": [key]}))
    )

    assert response.status_code == 200
    assert Client.objects.get().jwks == {"keys": [key]}


def test_resetting_the_secret_asks_first_then_shows_the_new_secret_once(admin_client):
    client, old_secret = registered_client()
    action = {"action": "reset_secret", "_selected_action": [client.pk]}

    confirmation = admin_client.post(CHANGELIST, action)

    assert confirmation.status_code == 200
    client.refresh_from_db()
    assert client.secret_hash == sha256(old_secret)

    response = admin_client.post(CHANGELIST, {**action, "confirmed": "yes"})

    assert response.status_code == 200
    new_secret = response.context["secret"]
    assert new_secret in response.content.decode()
    client.refresh_from_db()
    assert client.secret_hash == sha256(new_secret) != sha256(old_secret)
    event = AuditEvent.objects.get(action="idporten.client_secret_reset")
    assert event.actor == "admin"
    assert new_secret not in json.dumps(event.details)


def test_resetting_secrets_takes_one_client_at_a_time(admin_client):
    first, _secret = registered_client()
    second, _secret = registered_client(name="Velferdsetaten Saksbehandling")

    response = admin_client.post(
        CHANGELIST, {"action": "reset_secret", "_selected_action": [first.pk, second.pk], "confirmed": "yes"}
    )

    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="idporten.client_secret_reset").exists()


def test_the_client_list_searches_by_organisation_number(admin_client):
    client, _secret = registered_client()

    response = admin_client.get(CHANGELIST, {"q": "974312344"})

    assert list(response.context["cl"].result_list) == [client]
