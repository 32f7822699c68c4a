from django.core.management.base import BaseCommand
from django.db import transaction

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
        for role, email, _ in DEMO_PEOPLE:
            self.stdout.write(f"{role.value} {email} {DEMO_PASSWORD}")
