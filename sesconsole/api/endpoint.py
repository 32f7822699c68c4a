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
        secret_id, version = _authenticate(request)
        with row_cache.pinned(version):
            context = _context(secret_id, request_id)
            action, params = _parse(request)
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


def _authenticate(request: HttpRequest) -> tuple[str, int]:
    """Check the signature, replay and rate; the SecretId and row-cache version."""
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
    # A copy of any age will do for the SecretKey, which never changes;
    # whether the key still exists and is enabled is checked afterwards
    # against the current version.
    key = find_api_key(authorization.secret_id, any_version=True)
    if key is None:
        raise _secret_id_not_found()
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
    first_use, count, version = _admit(
        replay_key=(
            f"api:signature:{authorization.signature}:{_header(request, 'X-TC-Action')}"
        ),
        rate_key=f"api:rate:{key.account_id}:{int(time.time())}",
    )
    if not first_use:
        raise ApiError(
            "AuthFailure.SignatureFailure", "This signature was already used."
        )
    if count > settings.SES_API_REQUESTS_PER_SECOND:
        raise ApiError(
            "RequestLimitExceeded",
            f"More than {settings.SES_API_REQUESTS_PER_SECOND} requests in one "
            "second for this account.",
        )
    return authorization.secret_id, version


# After the signature is checked, one round trip to Redis marks it used,
# counts the request in its second and reads the row-cache version.
ADMIT_SCRIPT = """
local first_use = redis.call('set', KEYS[1], 1, 'NX', 'EX', ARGV[1])
local count = redis.call('incr', KEYS[2])
if count == 1 then
    redis.call('expire', KEYS[2], ARGV[2])
end
return {first_use and 1 or 0, count, redis.call('get', KEYS[3])}
"""
RATE_WINDOW_TTL = 5


def _admit(*, replay_key: str, rate_key: str) -> tuple[bool, int, int]:
    """(first use of the signature, requests this second, row-cache version)."""
    run_script = getattr(cache, "run_script", None)
    if run_script is None:
        # The embedded file cache: the same steps, one call each.
        first_use = cache.add(replay_key, 1, 2 * MAX_SKEW_SECONDS)
        try:
            count = cache.incr(rate_key)
        except ValueError:
            added = cache.add(rate_key, 1, RATE_WINDOW_TTL)
            count = 1 if added else cache.incr(rate_key)
        return first_use, count, row_cache.current_version()
    first_use, count, version = run_script(
        ADMIT_SCRIPT,
        [replay_key, rate_key, row_cache.VERSION_KEY],
        [2 * MAX_SKEW_SECONDS, RATE_WINDOW_TTL],
    )
    if version is None:
        return bool(first_use), count, row_cache.current_version()
    return bool(first_use), count, int(version)


def _context(secret_id: str, request_id: str) -> ApiContext:
    """The key as it is now (under the pinned version), enabled, and its account."""
    key = find_api_key(secret_id)
    if key is None:
        raise _secret_id_not_found()
    if not key.is_enabled:
        raise ApiError("AuthFailure.InvalidSecretId", "The SecretId is disabled.")
    _touch(key)
    return ApiContext(account=key.account, api_key=key, request_id=request_id)


def _secret_id_not_found() -> ApiError:
    return ApiError("AuthFailure.SecretIdNotFound", "The SecretId does not exist.")


def _parse(request: HttpRequest) -> tuple:
    """The action and its checked parameters."""
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
    return action, validate(action.schema, body)


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _touch(key: ApiKey) -> None:
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        # The key is this process's shared copy: keep it from writing again.
        key.last_used_at = now
