import factory
from django.utils import timezone

from accounts.models import Account, Membership, Role, User
from sesconsole.encryption import encrypt_text

TEST_PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password(TEST_PASSWORD)


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    account = factory.SubFactory(AccountFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.OPERATOR


# --- domains ---


def _key_pair() -> tuple[str, str]:
    from domains.dkim import generate_key_pair

    return generate_key_pair(1024)


class SenderDomainFactory(factory.django.DjangoModelFactory):
    """A domain with a real (1024-bit, for speed) DKIM key pair."""

    class Meta:
        model = "domains.SenderDomain"

    class Params:
        key_pair = factory.LazyFunction(_key_pair)
        verified = factory.Trait(
            status="verified", verified_at=factory.LazyFunction(timezone.now)
        )

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"mail{n}.example.com")
    dkim_selector = factory.Sequence(lambda n: f"ses{n:06x}")
    dkim_key_bits = 1024
    dkim_private_key_encrypted = factory.LazyAttribute(
        lambda o: encrypt_text(o.key_pair[0])
    )
    dkim_public_key = factory.LazyAttribute(lambda o: o.key_pair[1])


class SenderAddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "domains.SenderAddress"

    domain = factory.SubFactory(SenderDomainFactory, verified=True)
    account = factory.SelfAttribute("domain.account")
    local_part = factory.Sequence(lambda n: f"sender{n}")
    sender_name = "Acme Support"


# --- templates_app ---


class EmailTemplateFactory(factory.django.DjangoModelFactory):
    """A template made through the real services: sanitised, checked, versioned.

    `status` takes it through the workflow: "draft" (default), "pending",
    "approved" or "rejected"; `author` defaults to a new operator of the
    account, the reviewer to a new reviewer of it.
    """

    class Meta:
        model = "templates_app.EmailTemplate"

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"Template {n}")
    kind = "html"
    summary = ""
    body = "<p>Hello {{name}}</p>"
    text_alternative = ""

    @classmethod
    def _create(
        cls,
        model_class: type,
        *args: object,
        author: User | None = None,
        status: str = "draft",
        **kwargs: object,
    ) -> object:
        from templates_app import services

        account = kwargs["account"]
        if author is None:
            author = MembershipFactory(account=account, role=Role.OPERATOR).user
        template = services.create_template(
            author=author, submit=status != "draft", **kwargs
        )
        if status in {"approved", "rejected"}:
            reviewer = MembershipFactory(account=account, role=Role.REVIEWER).user
            version = template.current_version
            if status == "approved":
                services.approve_version(version=version, reviewer=reviewer)
            else:
                services.reject_version(
                    version=version, reviewer=reviewer, reason="Not this time."
                )
        template.refresh_from_db()
        return template


# --- sending ---


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sending.Message"

    domain = factory.SubFactory(SenderDomainFactory, verified=True)
    account = factory.SelfAttribute("domain.account")
    request_id = factory.Sequence(lambda n: f"request{n:08d}")
    from_name = "Acme Support"
    from_email = factory.LazyAttribute(lambda o: f"noreply@{o.domain.name}")
    recipient = factory.Sequence(lambda n: f"someone{n}@example.org")
    subject = "Hello"


class SuppressionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sending.Suppression"

    account = factory.SubFactory(AccountFactory)
    address = factory.Sequence(lambda n: f"blocked{n}@example.org")
    reason = "manual"
