"""The API endpoint: authenticate, check, dispatch, answer as Tencent does."""

import hmac
import json
import logging
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from accounts.models import ApiKey
from accounts.services import find_api_key
from sesconsole import row_cache
from sesconsole.api import signing
from sesconsole.api.errors import ApiError
from sesconsole.api.registry import VERSION, ApiContext, discover, validate
from sesconsole.encryption import decrypt_text
from sesconsole.errors import ServiceError

log = logging.getLogger(__name__)

MAX_SKEW_SECONDS = 300


def _answer(request_id: str, body: dict) -> JsonResponse:
    return JsonResponse({"Response": {**body, "RequestId": request_id}})


def _error(request_id: str, code: str, message: str) -> JsonResponse:
    return _answer(request_id, {"Error": {"Code": code, "Message": message}})


@csrf_exempt
def api_endpoint(request: HttpRequest) -> JsonResponse:
    """POST / (with X-TC-Action) and POST /api/."""
    request_id = str(uuid.uuid4())
    try:
        with row_cache.one_version():
            context, action, params = _authenticate_and_parse(request, request_id)
            return _answer(request_id, action.handler(context, params))
    except ServiceError as error:
        return _error(request_id, error.code, error.message)
    except RequestDataTooBig:
        return _error(
            request_id, "RequestSizeLimitExceeded", "The request body is over 8 MB."
        )
    except Exception:
        log.exception("API request %s failed", request_id)
        return _error(request_id, "InternalError", "An internal error occurred.")


def _header(request: HttpRequest, name: str) -> str:
    return request.META.get("HTTP_" + name.upper().replace("-", "_"), "")


def _authenticate_and_parse(request: HttpRequest, request_id: str) -> tuple:
    if request.method != "POST":
        raise ApiError("UnsupportedProtocol", "Only POST requests are supported.")
    authorization = signing.parse_authorization(_header(request, "Authorization"))
    try:
        timestamp = int(_header(request, "X-TC-Timestamp"))
    except ValueError:
        raise ApiError(
            "AuthFailure.InvalidAuthorization", "X-TC-Timestamp must be a Unix time."
        ) from None
    skew = abs(time.time() - timestamp)
    if skew > MAX_SKEW_SECONDS:
        raise ApiError(
            "AuthFailure.SignatureExpire",
            f"The request time is {skew:.0f} s away from the server's "
            f"(at most {MAX_SKEW_SECONDS} s allowed).",
        )
    key = find_api_key(authorization.secret_id)
    if key is None:
        raise ApiError("AuthFailure.SecretIdNotFound", "The SecretId does not exist.")
    if not key.is_enabled:
        raise ApiError("AuthFailure.InvalidSecretId", "The SecretId is disabled.")
    headers = {
        "content-type": request.META.get("CONTENT_TYPE", ""),
        "host": request.META.get("HTTP_HOST", ""),
        **{
            name: _header(request, name)
            for name in authorization.signed_headers
            if name not in {"content-type", "host"}
        },
    }
    expected = signing.signature(
        secret_key=decrypt_text(key.secret_key_encrypted),
        method=request.method,
        path=request.path,
        query=request.META.get("QUERY_STRING", ""),
        headers=headers,
        signed_headers=authorization.signed_headers,
        payload=request.body,
        timestamp=timestamp,
    )
    if not _same(expected, authorization.signature):
        raise ApiError(
            "AuthFailure.SignatureFailure",
            "The signature does not match: check the SecretKey and sign the "
            "request exactly as sent.",
        )
    # A valid signature is accepted once per action: within the time window
    # a copy of the same request is a replay. (The SDK signs only the body,
    # host and content type, so different actions with the same body in the
    # same second share a signature; they are not replays of each other.)
    replay_key = (
        f"api:signature:{authorization.signature}:{_header(request, 'X-TC-Action')}"
    )
    if not cache.add(replay_key, 1, 2 * MAX_SKEW_SECONDS):
        raise ApiError(
            "AuthFailure.SignatureFailure", "This signature was already used."
        )
    _rate_limit(key.account_id)
    _touch(key)

    version = _header(request, "X-TC-Version")
    if version != VERSION:
        raise ApiError(
            "NoSuchVersion", f"Version `{version}` is not supported; use {VERSION}."
        )
    name = _header(request, "X-TC-Action")
    action = discover().get(name)
    if action is None:
        raise ApiError("InvalidAction", f"The action `{name}` does not exist.")
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(
            "InvalidParameter", "The request body is not valid JSON."
        ) from None
    if not isinstance(body, dict):
        raise ApiError("InvalidParameter", "The request body must be a JSON object.")
    params = validate(action.schema, body)
    context = ApiContext(account=key.account, api_key=key, request_id=request_id)
    return context, action, params


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _rate_limit(account_id: int) -> None:
    window = int(time.time())
    key = f"api:rate:{account_id}:{window}"
    # Increment first: every request of a busy second but its first finds
    # the key, so one round trip to the cache is enough.
    try:
        count = cache.incr(key)
    except ValueError:
        count = 1 if cache.add(key, 1, 5) else cache.incr(key)
    if count > settings.SES_API_REQUESTS_PER_SECOND:
        raise ApiError(
            "RequestLimitExceeded",
            f"More than {settings.SES_API_REQUESTS_PER_SECOND} requests in one "
            "second for this account.",
        )


def _touch(key: ApiKey) -> None:
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        # The key is this process's shared copy: keep it from writing again.
        key.last_used_at = now
