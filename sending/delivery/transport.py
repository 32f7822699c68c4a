"""SMTP transports: a relay (smarthost) or direct delivery to each domain's MX.

`SES_DELIVERY_URL` chooses: `smtp://[user:pass@]host:port[?starttls=1]` or
`mx://` (`mx://?port=N` to reach test servers on another port). Connections
stay open and are reused for the next message to the same destination.
Every command and reply is written to the attempt's transcript.
"""

import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

import dns.exception
import dns.resolver
from django.conf import settings

from domains.dns_records import make_resolver

CONNECTION_ERRORS = (OSError, smtplib.SMTPException, socket.timeout)
_DOT_AT_LINE_START = re.compile(rb"(?m)^\.")


@dataclass
class Attempt:
    """The final answer to one message (None: no SMTP answer at all)."""

    code: int | None
    response: str
    transcript: list[str] = field(default_factory=list)
    permanent_without_smtp: bool = False  # e.g. the domain does not exist
    # The final dot was (or may have been) sent: the server may have the
    # message even though no answer arrived. Never send such a message again.
    handed_over: bool = False


class Connection:
    """One SMTP session, with its handshake kept for transcripts."""

    def __init__(self, host: str, port: int, *, starttls: bool, login: tuple | None):
        self.address = f"{host}:{port}"
        self.handshake: list[str] = []
        self.smtp = smtplib.SMTP(timeout=settings.SES_SMTP_TIMEOUT_SECONDS)
        code, banner = self.smtp.connect(host, port)
        # The final dot goes out as its own small write after the body; with
        # Nagle's algorithm it would wait for the server's delayed ACK (40 ms).
        self.smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._log(f"connected to {self.address}", code, banner)
        code, text = self.smtp.ehlo(settings.SES_EHLO_HOSTNAME)
        self._log(f"EHLO {settings.SES_EHLO_HOSTNAME}", code, text)
        if starttls:
            code, text = self.smtp.starttls(context=ssl.create_default_context())
            self._log("STARTTLS", code, text)
            self.smtp.ehlo(settings.SES_EHLO_HOSTNAME)
        if login:
            self.smtp.login(*login)
            self.handshake.append("> AUTH (credentials hidden)\n< 235 accepted")
        self.used = 0

    def _log(self, command: str, code: int, text: bytes | str) -> None:
        reply = text.decode(errors="replace") if isinstance(text, bytes) else text
        self.handshake.append(f"> {command}\n< {code} {reply}")

    def send(
        self,
        envelope_from: str,
        recipient: str,
        data: bytes,
        handing_over: Callable[[], None],
    ) -> Attempt:
        lines = [
            f"# {'reused' if self.used else 'new'} connection to {self.address}",
            *([] if self.used else self.handshake),
        ]
        self.used += 1
        smtp = self.smtp

        def step(command: str, reply: tuple[int, bytes]) -> int:
            lines.append(
                f"> {command}\n< {reply[0]} {reply[1].decode(errors='replace')}"
            )
            return reply[0]

        code = step(f"MAIL FROM:<{envelope_from}>", smtp.mail(envelope_from))
        if code == 250:
            code = step(f"RCPT TO:<{recipient}>", smtp.rcpt(recipient))
        if code in (250, 251):
            smtp.putcmd("data")
            code = step("DATA", smtp.getreply())
            if code == 354:
                body = _DOT_AT_LINE_START.sub(b"..", data)
                if not body.endswith(b"\r\n"):
                    body += b"\r\n"
                smtp.send(body)
                # The last moment the message can still be withdrawn: the
                # server keeps nothing until it reads the final dot.
                handing_over()
                smtp.send(b".\r\n")
                reply = smtp.getreply()
                code = step(f"<message, {len(data)} bytes>", reply)
                return Attempt(code, lines[-1].split("\n< ", 1)[-1], lines)
        # A refused MAIL, RCPT or DATA: reset so the connection can be reused.
        last = lines[-1].split("\n< ", 1)[-1]
        try:
            smtp.rset()
        except CONNECTION_ERRORS:
            self.close()
        return Attempt(code, last, lines)

    def close(self) -> None:
        try:
            self.smtp.quit()
        except CONNECTION_ERRORS:
            self.smtp.close()


class Transport:
    """Deliver messages, reusing a connection per destination host."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.scheme = parts.scheme
        if self.scheme not in {"smtp", "mx"}:
            raise ValueError(f"SES_DELIVERY_URL must be smtp:// or mx://, not {url!r}")
        self.relay = (
            (parts.hostname, parts.port or 25) if self.scheme == "smtp" else None
        )
        self.mx_port = int(options.get("port", 25))
        self.starttls = options.get("starttls") in {"1", "true", "yes"}
        self.login = (
            (unquote(parts.username), unquote(parts.password or ""))
            if parts.username
            else None
        )
        self._connections: dict[tuple[str, int], Connection] = {}
        self._mx_cache: dict[str, list[str]] = {}

    def send(
        self,
        envelope_from: str,
        recipient: str,
        data: bytes,
        handing_over: Callable[[], None] = lambda: None,
    ) -> Attempt:
        """Deliver one message; `handing_over` runs just before the final dot."""
        if self.relay:
            return self._send_via(
                self.relay, envelope_from, recipient, data, handing_over, []
            )
        domain = recipient.rpartition("@")[2].lower()
        try:
            hosts = self._mx_hosts(domain)
        except LookupError as error:
            return Attempt(
                None, str(error), [f"# {error}"], permanent_without_smtp=True
            )
        except dns.exception.DNSException as error:
            return Attempt(None, f"MX lookup for {domain} failed: {error}", [])
        transcript: list[str] = []
        attempt = Attempt(None, f"No MX host of {domain} answered.", transcript)
        for host in hosts:
            attempt = self._send_via(
                (host, self.mx_port),
                envelope_from,
                recipient,
                data,
                handing_over,
                transcript,
            )
            if attempt.code is not None or attempt.handed_over:
                return attempt
        return attempt

    def _send_via(
        self,
        destination: tuple[str, int],
        envelope_from: str,
        recipient: str,
        data: bytes,
        handing_over: Callable[[], None],
        transcript: list[str],
    ) -> Attempt:
        handed: list[bool] = []

        def mark_handed_over() -> None:
            handed.append(True)
            handing_over()

        for retry in (False, True):
            connection = self._connections.get(destination)
            try:
                if connection is None:
                    connection = Connection(
                        *destination, starttls=self.starttls, login=self.login
                    )
                    self._connections[destination] = connection
                attempt = connection.send(
                    envelope_from, recipient, data, mark_handed_over
                )
                attempt.transcript[:0] = transcript
                return attempt
            except CONNECTION_ERRORS as error:
                self._drop(destination)
                transcript.append(f"# {destination[0]}:{destination[1]}: {error!r}")
                if handed:
                    return Attempt(
                        None,
                        f"Connection lost after the message was handed over: {error}",
                        transcript,
                        handed_over=True,
                    )
                # A reused connection may have been closed by the server while
                # idle: try once more on a fresh one.
                if retry or connection is None or connection.used <= 1:
                    return Attempt(None, f"Connection failed: {error}", transcript)
        raise AssertionError("unreachable")

    def _drop(self, destination: tuple[str, int]) -> None:
        connection = self._connections.pop(destination, None)
        if connection is not None:
            connection.close()

    def _mx_hosts(self, domain: str) -> list[str]:
        if domain in self._mx_cache:
            return self._mx_cache[domain]
        resolver = make_resolver()
        try:
            answer = resolver.resolve(domain, "MX")
            hosts = [
                r.exchange.to_text(omit_final_dot=True)
                for r in sorted(answer, key=lambda r: r.preference)
            ]
        except dns.resolver.NoAnswer:
            hosts = [domain]  # RFC 5321: no MX means the domain itself
        except dns.resolver.NXDOMAIN:
            raise LookupError(f"550 5.1.2 The domain {domain} does not exist") from None
        if hosts == [""] or hosts == ["."]:
            raise LookupError(f"556 5.1.10 {domain} accepts no mail (null MX)")
        # Resolve the exchanges with the same resolvers, so SES_DNS_RESOLVERS
        # decides where mail goes (and tests need no system DNS).
        addresses = [
            address for host in hosts for address in self._a_records(resolver, host)
        ]
        self._mx_cache[domain] = addresses
        return addresses

    @staticmethod
    def _a_records(resolver: dns.resolver.Resolver, host: str) -> list[str]:
        try:
            return [r.address for r in resolver.resolve(host, "A")]
        except dns.exception.DNSException:
            return []

    def close(self) -> None:
        for destination in list(self._connections):
            self._drop(destination)
