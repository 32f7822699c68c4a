"""Mail arriving for the bounce domain (the SMTP service's inbound port)."""

import logging

from sending.models import InboundMail

log = logging.getLogger(__name__)


def receive_inbound(
    *, peer: str, mail_from: str, rcpt_tos: list[str], data: bytes
) -> InboundMail:
    """Store what arrived and log it; bounce and complaint parsing reads it later."""
    mail = InboundMail.objects.create(
        peer=peer, mail_from=mail_from, rcpt_tos=rcpt_tos, data=data
    )
    log.info(
        "Inbound mail %s from %s for %s (%d bytes) stored for processing",
        mail.pk,
        mail_from or "<>",
        ", ".join(rcpt_tos),
        len(data),
    )
    return mail
