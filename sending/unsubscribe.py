"""Signed unsubscribe links: one per message, for the footer and the headers."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "sending.unsubscribe"

FOOTER_TEXT = {
    "en": "Unsubscribe",
    "zh-hans": "退订",
    "zh-hant": "取消訂閱",
    "ja": "配信停止",
    "ko": "수신 거부",
    "es": "Darse de baja",
    "fr": "Se désabonner",
    "de": "Abmelden",
    "pt": "Cancelar inscrição",
    "ru": "Отписаться",
}


def token_for(message_id: str) -> str:
    return signing.dumps(message_id, salt=SALT, compress=True)


def message_id_from(token: str) -> str | None:
    """The message id in a valid token; None for a forged or garbled one."""
    try:
        return signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None


def url_for(message_id: str) -> str:
    path = reverse("unsubscribe", args=[token_for(message_id)])
    return f"{settings.SES_CONSOLE_URL}{path}"


def mailto_for(message_id: str) -> str:
    return f"mailto:unsubscribe-{message_id}@{settings.SES_BOUNCE_DOMAIN}"


def footer_label(language: str) -> str:
    return FOOTER_TEXT.get(language, FOOTER_TEXT["en"])
