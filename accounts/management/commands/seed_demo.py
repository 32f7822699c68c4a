from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Account, Role, User
from accounts.services import grant_roles

DEMO_PASSWORD = "ses-demo-2026"
DEMO_PEOPLE = [
    (Role.OWNER, "owner@demo.example.com", "Olivia Owner"),
    (Role.OPERATOR, "operator@demo.example.com", "Oscar Operator"),
    (Role.REVIEWER, "reviewer@demo.example.com", "Rita Reviewer"),
]


class Command(BaseCommand):
    help = (
        "Create (or reset) the demo account with an owner, an operator and a "
        "reviewer, and print their logins. Safe to run again."
    )

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        demo, _ = Account.objects.get_or_create(
            slug="demo", defaults={"name": "Demo Company"}
        )
        sandbox, _ = Account.objects.get_or_create(
            slug="demo-sandbox", defaults={"name": "Demo Sandbox"}
        )
        for role, email, name in DEMO_PEOPLE:
            user, _ = User.objects.get_or_create(
                email=email, defaults={"full_name": name}
            )
            user.set_password(DEMO_PASSWORD)
            user.is_active = True
            user.save()
            grant_roles(account=demo, user=user, roles=[role])
            if role == Role.OWNER:  # shows the account switcher
                grant_roles(account=sandbox, user=user, roles=[Role.OWNER])
        self._demo_sending(demo)
        for role, email, _ in DEMO_PEOPLE:
            self.stdout.write(f"{role.value} {email} {DEMO_PASSWORD}")

    def _demo_sending(self, demo: Account) -> None:
        """A ready-to-send demo: a domain marked verified, an address, a template.

        The domain is marked verified without DNS (its records are not
        published anywhere) and never re-checked, so the demo can send to the
        local mail sink at once. Real domains are verified by DNS.
        """
        from domains import services as domains
        from domains.models import SenderDomain
        from templates_app import services as templates
        from templates_app.models import EmailTemplate

        domain = SenderDomain.objects.filter(account=demo).first()
        if domain is None:
            domain = domains.create_domain(
                account=demo, name="demo-mail.example.com", key_bits=1024
            )
        SenderDomain.objects.filter(pk=domain.pk).update(
            status="verified", verified_at=timezone.now(), next_check_at=None
        )
        domain.refresh_from_db()
        if not domain.addresses.exists():
            domains.create_sender_address(
                account=demo,
                domain=domain,
                local_part="hello",
                sender_name="Demo Company",
                unsubscribe_language="en",
            )
        if not EmailTemplate.objects.filter(account=demo).exists():
            author = User.objects.get(email=DEMO_PEOPLE[1][1])
            reviewer = User.objects.get(email=DEMO_PEOPLE[2][1])
            template = templates.create_template(
                account=demo,
                author=author,
                name="Welcome",
                kind="html",
                summary="Greets a new customer by name.",
                body="<h1>Welcome, {{name}}!</h1><p>Thanks for joining Demo "
                "Company. Your account is ready.</p>",
                submit=True,
            )
            templates.approve_version(
                version=template.current_version, reviewer=reviewer
            )
        self._demo_recipients(demo)

    def _demo_recipients(self, demo: Account) -> None:
        """A small recipient list for trying batch sending on the local sink."""
        from sending import recipients
        from sending.models import RecipientList

        if RecipientList.objects.filter(account=demo).exists():
            return
        readers = recipients.create_list(
            account=demo,
            name="Demo readers",
            description="Addresses the local mail sink accepts, and its simulator.",
        )
        people = ["ana", "bo", "chen", "dana", "eli"]
        recipients.add_recipients(
            readers,
            [
                *((f"{name}@example.com", {"name": name.title()}) for name in people),
                ("complaint@simulator.invalid", {"name": "Complainer"}),
                ("bounce-async@simulator.invalid", {"name": "Bouncer"}),
            ],
        )
