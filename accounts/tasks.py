from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import connection
from django.template.loader import render_to_string

from accounts.models import Account, Invitation


@shared_task
def ping() -> dict[str, object]:
    """Answer from a worker: proves the broker, the worker and its database."""
    return {
        "pong": True,
        "database": connection.vendor,
        "accounts": Account.objects.count(),
    }


# Not acks_late: a redelivery after a lost worker would send the mail twice.
@shared_task
def send_invitation_email(invitation_id: int) -> None:
    invitation = Invitation.objects.pending().filter(pk=invitation_id).first()
    if invitation is None:
        return
    context = {"invitation": invitation, "base_url": settings.SES_CONSOLE_URL}
    send_mail(
        subject=f"You are invited to {invitation.account.name} on SES Console",
        message=render_to_string("accounts/invitation_email.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
