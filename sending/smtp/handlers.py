"""aiosmtpd handlers: what the SMTP service answers, command by command.

The database is only touched through `sync_to_async` (threads), never on the
event loop, so a slow query or a password hash never stalls other sessions.
"""

import binascii
import logging
from base64 import b64decode

from aiosmtpd.smtp import MISSING, AuthResult, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings

from accounts.models import Account
from domains.models import SenderAddress
from domains.services import current_domain, smtp_password_matches
from sending.errors import (
    DomainNotVerified,
    ExceedSendLimit,
    IllegalEmailAddress,
    NoSuchSender,
    SenderNotAllowed,
    TemporaryBlocked,
    TooManyRecipients,
)
from sending.inbound import receive_inbound
from sending.quota import require_sending_domain
from sending.services import API_MAX_RECIPIENTS
from sending.smtp import throttle
from sending.submission import MessageTooBig, own_sender, send_submitted_email
from sesconsole.errors import ServiceError
from templates_app.errors import ContainsBlockedContent

log = logging.getLogger(__name__)

BAD_CREDENTIALS = "535 5.7.8 Authentication credentials invalid"
LOCKED = (
    "535 5.7.8 Too many failed logins for this address or from this client; "
    "try again in {minutes} minutes"
)
AUTH_REQUIRED = "530 5.7.0 Authentication required"

_REPLY_FOR = [
    ((ExceedSendLimit, TemporaryBlocked), "554 5.7.0"),
    ((MessageTooBig,), "552 5.3.4"),
    ((TooManyRecipients,), "452 4.5.3"),
    ((SenderNotAllowed, NoSuchSender, DomainNotVerified), "550 5.7.1"),
    ((ContainsBlockedContent,), "550 5.7.1"),
    ((IllegalEmailAddress,), "553 5.1.3"),
]


def reply_for(error: ServiceError) -> str:
    """An SMTP reply with an enhanced status code and the platform's error code."""
    status = next(
        (code for kinds, code in _REPLY_FOR if isinstance(error, kinds)), "554 5.0.0"
    )
    text = " ".join(error.message.split())
    return f"{status} {text} ({error.code})"


def _peer_ip(session: Session) -> str:
    peer = session.peer
    return peer[0] if isinstance(peer, tuple) else str(peer)


def check_login(login: str, password: str, ip: str) -> tuple[int, int] | str:
    """(account id, address id) for a right login; else the reply to send."""
    if throttle.is_locked(login, ip):
        return LOCKED.format(minutes=settings.SES_SMTP_AUTH_COOLOFF_MINUTES)
    local, _, domain = login.strip().lower().rpartition("@")
    address = (
        SenderAddress.objects.select_related("domain")
        .filter(local_part=local, domain__name=domain)
        .first()
    )
    if address is None or not smtp_password_matches(address, password):
        throttle.record_failure(login, ip)
        log.warning("SMTP login failed for %s from %s", login, ip)
        return BAD_CREDENTIALS
    return address.account_id, address.pk


def sender_allowed(account_id: int, address: str) -> str | None:
    """None if `address` may be an envelope sender of the account; else a reply."""
    account = Account.objects.get(pk=account_id)
    try:
        sender = own_sender(account, address, "envelope sender")
        require_sending_domain(current_domain(sender.domain_id))
    except ServiceError as error:
        return reply_for(error)
    return None


def submit(account_id: int, mail_from: str, rcpt_tos: list[str], data: bytes) -> str:
    account = Account.objects.get(pk=account_id)
    try:
        result = send_submitted_email(
            account=account, envelope_from=mail_from, recipients=rcpt_tos, data=data
        )
    except ServiceError as error:
        return reply_for(error)
    # The messages are committed: only now may the client hear 250.
    return f"250 2.0.0 Ok: queued as {result.request_id}"


class SubmissionHandler:
    """Authenticated submission (STARTTLS and implicit TLS ports)."""

    async def auth_PLAIN(self, server: object, args: list[str]) -> AuthResult:
        if len(args) == 1:
            response = await server.challenge_auth("")
            if response is MISSING:
                return AuthResult(success=False)
        else:
            try:
                response = b64decode(args[1], validate=True)
            except binascii.Error:
                return AuthResult(
                    success=False, handled=False, message="501 5.5.2 Bad base64"
                )
        try:
            _, login, password = response.split(b"\x00")
        except ValueError:
            return AuthResult(
                success=False, handled=False, message="501 5.5.2 Bad PLAIN data"
            )
        return await self._verify(server, login, password)

    async def auth_LOGIN(self, server: object, args: list[str]) -> AuthResult:
        if len(args) == 2:
            try:
                login = b64decode(args[1], validate=True)
            except binascii.Error:
                return AuthResult(
                    success=False, handled=False, message="501 5.5.2 Bad base64"
                )
        else:
            login = await server.challenge_auth("Username:")
            if login is MISSING:
                return AuthResult(success=False)
        password = await server.challenge_auth("Password:")
        if password is MISSING:
            return AuthResult(success=False)
        return await self._verify(server, login, password)

    async def _verify(
        self, server: object, login: bytes, password: bytes
    ) -> AuthResult:
        outcome = await sync_to_async(check_login, thread_sensitive=False)(
            login.decode(errors="replace"),
            password.decode(errors="replace"),
            _peer_ip(server.session),
        )
        if isinstance(outcome, str):
            return AuthResult(success=False, handled=False, message=outcome)
        return AuthResult(success=True, auth_data=outcome)

    async def handle_MAIL(
        self,
        server: object,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        if not session.authenticated:
            return AUTH_REQUIRED
        account_id, _ = session.auth_data
        refusal = await sync_to_async(sender_allowed, thread_sensitive=False)(
            account_id, address
        )
        if refusal:
            return refusal
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(
        self,
        server: object,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if len(envelope.rcpt_tos) >= API_MAX_RECIPIENTS:
            return reply_for(
                TooManyRecipients(
                    f"At most {API_MAX_RECIPIENTS} recipients per message."
                )
            )
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(
        self, server: object, session: Session, envelope: Envelope
    ) -> str:
        if not session.authenticated:
            return AUTH_REQUIRED
        account_id, _ = session.auth_data
        return await sync_to_async(submit, thread_sensitive=False)(
            account_id,
            envelope.mail_from,
            list(envelope.rcpt_tos),
            envelope.original_content or b"",
        )


class InboundHandler:
    """Plain SMTP for the bounce domain: DSNs and feedback-loop reports."""

    async def handle_RCPT(
        self,
        server: object,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        domain = address.rpartition("@")[2].lower()
        if domain != settings.SES_BOUNCE_DOMAIN.lower():
            return "550 5.7.1 Relaying denied: this server only accepts bounce mail"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(
        self, server: object, session: Session, envelope: Envelope
    ) -> str:
        mail = await sync_to_async(receive_inbound, thread_sensitive=False)(
            peer=_peer_ip(session),
            mail_from=envelope.mail_from or "",
            rcpt_tos=list(envelope.rcpt_tos),
            data=envelope.original_content or b"",
        )
        return f"250 2.0.0 Ok: stored as {mail.pk}"
