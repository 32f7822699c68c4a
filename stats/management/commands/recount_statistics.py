from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Account
from stats.counters import recount


class Command(BaseCommand):
    help = (
        "Rebuild the statistics of a sending day from the event table (all "
        "accounts, or one). Only for days whose events are all still stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--day", required=True, action="append", help="YYYY-MM-DD; repeatable."
        )
        parser.add_argument("--account", help="Only this account (its slug).")

    def handle(self, *args: object, **options: object) -> None:
        try:
            days = [date.fromisoformat(day) for day in options["day"]]
        except ValueError as error:
            raise CommandError(f"--day takes a date as YYYY-MM-DD ({error}).") from None
        account_id = None
        if options["account"]:
            account = Account.objects.filter(slug=options["account"]).first()
            if account is None:
                raise CommandError(f"No account with the slug {options['account']}.")
            account_id = account.pk
        for day in days:
            cells = recount(day=day, account_id=account_id)
            self.stdout.write(f"{day}: {cells} counter cell(s) rebuilt.")
