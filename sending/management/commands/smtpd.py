import signal
import threading

from django.core.management.base import BaseCommand

from sending.smtp.server import SmtpService


class Command(BaseCommand):
    help = (
        "Run the SMTP service: submission (STARTTLS and implicit TLS, AUTH by "
        "sender address and SMTP password) and the inbound bounce receiver."
    )

    def add_arguments(self, parser: object) -> None:
        parser.add_argument("--host", help="Bind address (SES_SMTP_HOST).")
        parser.add_argument("--port", type=int, help="STARTTLS port (SES_SMTP_PORT).")
        parser.add_argument("--tls-port", type=int, help="Implicit TLS port.")
        parser.add_argument("--inbound-port", type=int, help="Inbound port.")

    def handle(self, *args: object, **options: object) -> None:
        service = SmtpService(
            host=options["host"],
            port=options["port"],
            tls_port=options["tls_port"],
            inbound_port=options["inbound_port"],
        )
        stopping = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        signal.signal(signal.SIGINT, lambda *_: stopping.set())
        with service:
            ports = service.ports
            self.stdout.write(
                f"SMTP service on {service.host}: submission {ports['submission']} "
                f"(STARTTLS), {ports['tls']} (TLS), inbound {ports['inbound']}",
            )
            self.stdout.flush()
            stopping.wait()
        self.stdout.write("SMTP service stopped.")
