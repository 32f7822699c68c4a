"""The official Tencent Cloud SDK, pointed at a live test server."""

from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
    TencentCloudSDKException,
)
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.ses.v20201002 import models, ses_client

from accounts.services import create_api_key


def sdk_client(
    live_server: object, secret_id: str, secret_key: str
) -> ses_client.SesClient:
    http = HttpProfile(endpoint=urlsplit(live_server.url).netloc, reqTimeout=30)
    http.scheme = "http"
    return ses_client.SesClient(
        credential.Credential(secret_id, secret_key),
        "ap-hongkong",
        ClientProfile(httpProfile=http),
    )


@pytest.fixture
def api_key(account, owner) -> tuple[object, str]:
    """(ApiKey, SecretKey) of the persona account."""
    return create_api_key(account=account, created_by=owner, name="tests")


@pytest.fixture
def ses(live_server, api_key) -> ses_client.SesClient:
    """An SDK client for the persona account (`account`)."""
    key, secret_key = api_key
    return sdk_client(live_server, key.secret_id, secret_key)


@pytest.fixture
def outsider_ses(live_server, other_account, outsider) -> ses_client.SesClient:
    """An SDK client for another account."""
    key, secret_key = create_api_key(account=other_account, created_by=outsider)
    return sdk_client(live_server, key.secret_id, secret_key)


def call(client: ses_client.SesClient, action: str, **params: object) -> object:
    """Call `action` with `params` through the SDK and return its response model."""
    request = getattr(models, f"{action}Request")()
    request._deserialize(params)
    return getattr(client, action)(request)


def refused(client: ses_client.SesClient, action: str, **params: object) -> str:
    """Call `action`, expecting the SDK to raise; return the error code."""
    with pytest.raises(TencentCloudSDKException) as error:
        call(client, action, **params)
    return error.value.code


__all__ = ["Callable", "call", "refused", "sdk_client"]
