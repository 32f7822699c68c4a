"""TC3-HMAC-SHA256, verified exactly as tencentcloud-sdk-python signs.

Canonical request: method, URI, query string, the signed headers (lower-case
`name:value` lines), their names, and the SHA-256 of the body; the string to
sign adds the timestamp and the credential scope `date/ses/tc3_request`; the
key is derived from the SecretKey through HMAC-SHA256 of date, service and
`tc3_request`.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sesconsole.api.errors import ApiError

ALGORITHM = "TC3-HMAC-SHA256"
SERVICE = "ses"
_AUTHORIZATION = re.compile(
    r"^TC3-HMAC-SHA256 Credential=(?P<secret_id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/"
    r"(?P<service>[^/]+)/tc3_request, SignedHeaders=(?P<headers>[a-z0-9;-]+), "
    r"Signature=(?P<signature>[0-9a-f]{64})$"
)


@dataclass(frozen=True)
class Authorization:
    secret_id: str
    date: str
    service: str
    signed_headers: list[str]
    signature: str


def parse_authorization(value: str) -> Authorization:
    match = _AUTHORIZATION.match(value.strip())
    if match is None:
        raise ApiError(
            "AuthFailure.InvalidAuthorization",
            "The Authorization header is not a TC3-HMAC-SHA256 authorization.",
        )
    authorization = Authorization(
        secret_id=match["secret_id"],
        date=match["date"],
        service=match["service"],
        signed_headers=match["headers"].split(";"),
        signature=match["signature"],
    )
    if authorization.service != SERVICE:
        raise ApiError(
            "AuthFailure.InvalidAuthorization",
            f"The credential scope names service `{authorization.service}`, not `ses`.",
        )
    if "content-type" not in authorization.signed_headers or (
        "host" not in authorization.signed_headers
    ):
        raise ApiError(
            "AuthFailure.InvalidAuthorization",
            "SignedHeaders must include content-type and host.",
        )
    return authorization


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def signature(
    *,
    secret_key: str,
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    signed_headers: list[str],
    payload: bytes,
    timestamp: int,
) -> str:
    """The hex signature the SDK computes for this request."""
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    canonical_headers = "".join(
        f"{name}:{headers.get(name, '').strip()}\n" for name in signed_headers
    )
    canonical_request = "\n".join(
        [
            method,
            path,
            query,
            canonical_headers,
            ";".join(signed_headers),
            hashlib.sha256(payload).hexdigest(),
        ]
    )
    scope = f"{date}/{SERVICE}/tc3_request"
    string_to_sign = "\n".join(
        [
            ALGORITHM,
            str(timestamp),
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), SERVICE), "tc3_request")
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
