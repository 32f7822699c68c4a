"""Authentication of API requests: TC3-HMAC-SHA256 exactly as the SDK signs."""

import json
import time
from urllib.parse import urlsplit

import pytest
import requests

from accounts.services import set_api_key_enabled
from sesconsole.api import signing
from tests.api.conftest import call, refused, sdk_client
from tests.factories import SenderDomainFactory


def test_the_sdk_lists_this_accounts_identities(ses, account, other_account):
    SenderDomainFactory(account=account, name="mine.example.com", verified=True)
    SenderDomainFactory(account=other_account, name="theirs.example.com")

    response = call(ses, "ListEmailIdentities")

    assert [i.IdentityName for i in response.EmailIdentities] == ["mine.example.com"]
    assert response.EmailIdentities[0].DailyQuota == 500
    assert response.Total == 1


def test_another_accounts_key_never_sees_this_account(outsider_ses, account):
    SenderDomainFactory(account=account, name="mine.example.com")

    assert call(outsider_ses, "ListEmailIdentities").Total == 0


def test_a_wrong_secret_key_is_a_signature_failure(live_server, api_key):
    key, _ = api_key
    client = sdk_client(live_server, key.secret_id, "not-the-secret-key")

    assert refused(client, "ListEmailIdentities") == "AuthFailure.SignatureFailure"


def test_an_unknown_secret_id(live_server, db):
    client = sdk_client(live_server, "AKIDdoesnotexist", "whatever")

    assert refused(client, "ListEmailIdentities") == "AuthFailure.SecretIdNotFound"


def test_a_disabled_key_is_refused(ses, api_key):
    set_api_key_enabled(key=api_key[0], enabled=False)

    assert refused(ses, "ListEmailIdentities") == "AuthFailure.InvalidSecretId"


def signed_post(
    live_server,
    key,
    secret_key,
    body: bytes,
    *,
    timestamp=None,
    action="ListEmailIdentities",
):
    """A request signed by hand, to change one thing at a time."""
    host = urlsplit(live_server.url).netloc
    timestamp = int(time.time()) if timestamp is None else timestamp
    headers = {"content-type": "application/json", "host": host}
    signature = signing.signature(
        secret_key=secret_key,
        method="POST",
        path="/",
        query="",
        headers=headers,
        signed_headers=["content-type", "host"],
        payload=body,
        timestamp=timestamp,
    )
    date = time.strftime("%Y-%m-%d", time.gmtime(timestamp))
    authorization = (
        f"TC3-HMAC-SHA256 Credential={key.secret_id}/{date}/ses/tc3_request, "
        f"SignedHeaders=content-type;host, Signature={signature}"
    )
    return {
        "Authorization": authorization,
        "Content-Type": "application/json",
        "Host": host,
        "X-TC-Action": action,
        "X-TC-Version": "2020-10-02",
        "X-TC-Timestamp": str(timestamp),
        "X-TC-Region": "ap-hongkong",
    }


def post(live_server, headers, body):
    response = requests.post(
        live_server.url + "/", data=body, headers=headers, timeout=10
    )
    return response.json()["Response"]


def test_a_changed_body_is_a_signature_failure(live_server, api_key):
    headers = signed_post(live_server, *api_key, b'{"Limit": 10}')

    response = post(live_server, headers, b'{"Limit": 99}')

    assert response["Error"]["Code"] == "AuthFailure.SignatureFailure"


@pytest.mark.parametrize("offset", [301, -301])
def test_a_timestamp_301_seconds_off_has_expired(live_server, api_key, offset):
    body = b"{}"
    headers = signed_post(
        live_server, *api_key, body, timestamp=int(time.time()) + offset
    )

    assert (
        post(live_server, headers, body)["Error"]["Code"]
        == "AuthFailure.SignatureExpire"
    )


def test_a_replayed_request_is_refused(live_server, api_key):
    body = b"{}"
    headers = signed_post(live_server, *api_key, body)

    first = post(live_server, headers, body)
    second = post(live_server, headers, body)

    assert "Error" not in first
    assert second["Error"]["Code"] == "AuthFailure.SignatureFailure"
    assert "already used" in second["Error"]["Message"]


def test_a_malformed_authorization_is_invalid(live_server, api_key):
    headers = signed_post(live_server, *api_key, b"{}")
    headers["Authorization"] = "Bearer something"

    assert (
        post(live_server, headers, b"{}")["Error"]["Code"]
        == "AuthFailure.InvalidAuthorization"
    )


@pytest.mark.parametrize(
    ("change", "body", "code"),
    [
        ({"X-TC-Action": "NoSuchAction"}, b"{}", "InvalidAction"),
        ({"X-TC-Version": "2019-01-01"}, b"{}", "NoSuchVersion"),
        ({}, b"{not json", "InvalidParameter"),
        ({}, b'{"Limit": "ten"}', "InvalidParameter"),
        ({}, b'{"Color": "blue"}', "UnknownParameter"),
    ],
)
def test_bad_requests_get_their_standard_codes(
    live_server, api_key, change, body, code
):
    headers = signed_post(live_server, *api_key, body) | change

    response = post(live_server, headers, body)

    assert response["Error"]["Code"] == code
    assert response["RequestId"]


def test_more_than_20_requests_a_second_are_limited(live_server, api_key, settings):
    settings.SES_API_REQUESTS_PER_SECOND = 3
    codes = []
    for n in range(8):
        body = json.dumps({"Limit": n + 1}).encode()
        codes.append(
            post(live_server, signed_post(live_server, *api_key, body), body)
            .get("Error", {})
            .get("Code")
        )

    assert "RequestLimitExceeded" in codes
    assert codes[0] is None


def test_api_is_also_served_under_api_path(live_server, api_key):
    body = b"{}"
    headers = signed_post(live_server, *api_key, body)
    # /api/ is signed as its own path by clients behind a proxy.
    host = headers["Host"]
    headers["Authorization"] = headers["Authorization"].rsplit("Signature=", 1)[0] + (
        "Signature="
        + signing.signature(
            secret_key=api_key[1],
            method="POST",
            path="/api/",
            query="",
            headers={"content-type": "application/json", "host": host},
            signed_headers=["content-type", "host"],
            payload=body,
            timestamp=int(headers["X-TC-Timestamp"]),
        )
    )

    response = requests.post(
        live_server.url + "/api/", data=body, headers=headers, timeout=10
    )

    assert response.json()["Response"]["Total"] == 0
