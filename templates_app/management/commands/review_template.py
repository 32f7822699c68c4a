from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from templates_app import services
from templates_app.errors import TemplateError
from templates_app.models import EmailTemplate, Status


class Command(BaseCommand):
    help = (
        "Approve or reject the version of a template that waits for review, as "
        "REVIEWER (a reviewer of the template's account, or staff)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("template_id", type=int, help="ID of the template.")
        parser.add_argument("decision", choices=["approve", "reject"])
        parser.add_argument("--reason", default="", help="Why (needed to reject).")
        parser.add_argument(
            "--reviewer", required=True, help="Email of the person reviewing."
        )

    def handle(self, *args: object, **options: object) -> None:
        template = (
            EmailTemplate.objects.filter(pk=options["template_id"])
            .select_related("current_version", "account")
            .first()
        )
        if template is None:
            raise CommandError(
                f"There is no template with ID {options['template_id']}."
            )
        version = template.current_version
        if version is None or version.status != Status.PENDING:
            raise CommandError(
                f"“{template.name}” has no version waiting for review "
                f"(its status is {template.get_status_display().lower()})."
            )
        reviewer = User.objects.filter(
            email__iexact=options["reviewer"], is_active=True
        ).first()
        if reviewer is None:
            raise CommandError(f"There is no active user {options['reviewer']}.")
        try:
            if options["decision"] == "approve":
                services.approve_version(version=version, reviewer=reviewer)
            else:
                services.reject_version(
                    version=version, reviewer=reviewer, reason=options["reason"]
                )
        except TemplateError as error:
            raise CommandError(f"{error.message} ({error.code})") from None
        verb = "Approved" if options["decision"] == "approve" else "Rejected"
        self.stdout.write(
            f"{verb} “{template.name}” version {version.number} "
            f"({template.account.name}) as {reviewer.email}."
        )
