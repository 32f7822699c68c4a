"""Run the SMTP service's three listeners (`manage.py smtpd`, and the tests)."""

from typing import Self

from aiosmtpd.controller import Controller
from django.conf import settings

from sending.smtp.handlers import InboundHandler, SubmissionHandler
from sending.smtp.tls import server_context

# Room above SES_SMTP_MAX_BYTES so our own check answers 552 5.3.4 with the
# platform's code; past this, aiosmtpd itself refuses the data.
_DATA_SLACK = 1024 * 1024


class _Controller(Controller):
    def _trigger_server(self) -> None:
        # With port 0 the OS picked a free port: learn it before the check.
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpService:
    """Submission with STARTTLS, submission with implicit TLS, and inbound."""

    def __init__(
        self,
        *,
        host: str | None = None,
        port: int | None = None,
        tls_port: int | None = None,
        inbound_port: int | None = None,
    ) -> None:
        self.host = host or settings.SES_SMTP_HOST
        self.ports = {
            "submission": settings.SES_SMTP_PORT if port is None else port,
            "tls": settings.SES_SMTP_TLS_PORT if tls_port is None else tls_port,
            "inbound": (
                settings.SES_SMTP_INBOUND_PORT if inbound_port is None else inbound_port
            ),
        }
        self._controllers: dict[str, _Controller] = {}

    def start(self) -> None:
        tls = server_context()
        common = {
            "hostname": self.host,
            "server_hostname": settings.SES_SMTP_HOSTNAME,
            "data_size_limit": settings.SES_SMTP_MAX_BYTES + _DATA_SLACK,
            "enable_SMTPUTF8": True,
        }
        submission = SubmissionHandler()
        self._controllers = {
            "submission": _Controller(
                submission,
                port=self.ports["submission"],
                tls_context=tls,
                require_starttls=True,
                auth_require_tls=True,
                **common,
            ),
            # The whole connection is TLS here, which aiosmtpd does not see
            # (it only tracks STARTTLS), so it must not wait for STARTTLS.
            "tls": _Controller(
                submission,
                port=self.ports["tls"],
                ssl_context=tls,
                auth_require_tls=False,
                **common,
            ),
            "inbound": _Controller(
                InboundHandler(), port=self.ports["inbound"], **common
            ),
        }
        for name, controller in self._controllers.items():
            controller.start()
            self.ports[name] = controller.port

    def stop(self) -> None:
        for controller in self._controllers.values():
            controller.stop()
        self._controllers = {}

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
