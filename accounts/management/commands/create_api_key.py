import json

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Account, Role, User
from accounts.services import create_api_key


class Command(BaseCommand):
    help = 'Create an API key; prints {"SecretId": ..., "SecretKey": ...} as JSON.'

    def add_arguments(self, parser: object) -> None:
        parser.add_argument("--email", required=True, help="An owner of the account.")
        parser.add_argument("--account", help="Account slug (needed if several).")
        parser.add_argument("--name", default="", help="A label for the key.")

    def handle(self, *args: object, **options: object) -> None:
        user = User.objects.filter(email__iexact=options["email"]).first()
        if user is None:
            raise CommandError(f"No user with the email {options['email']}.")
        accounts = Account.objects.filter(
            memberships__user=user, memberships__role=Role.OWNER
        ).distinct()
        if options["account"]:
            accounts = accounts.filter(slug=options["account"])
        if not accounts.exists():
            raise CommandError(
                f"{user.email} is not an owner of "
                + (
                    f"an account named {options['account']}."
                    if options["account"]
                    else "any account."
                )
            )
        if accounts.count() > 1:
            slugs = ", ".join(a.slug for a in accounts)
            raise CommandError(
                f"{user.email} owns several accounts ({slugs}): pass --account."
            )
        key, secret_key = create_api_key(
            account=accounts.get(), created_by=user, name=options["name"]
        )
        self.stdout.write(
            json.dumps({"SecretId": key.secret_id, "SecretKey": secret_key})
        )
