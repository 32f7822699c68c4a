"""Users, accounts (tenants) and who may do what in each account."""

import secrets

from django.conf import settings
from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(
        self, email: str, password: str | None = None, **fields: object
    ) -> "User":
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(
        self, email: str, password: str | None = None, **fields: object
    ) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username or "")


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email address."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(
        default=False, help_text="Can log in to the staff admin."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    OPERATOR = "operator", "Operator"
    REVIEWER = "reviewer", "Reviewer"


class AccountQuerySet(models.QuerySet["Account"]):
    def for_user(self, user: User) -> "AccountQuerySet":
        return self.filter(memberships__user=user).distinct()


slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    "Use 1 to 50 lower-case letters, digits and hyphens, not starting or ending "
    "with a hyphen.",
)


class Account(models.Model):
    """A tenant: every domain, template and message belongs to one account."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=50, unique=True, validators=[slug_validator])
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        help_text="How dates are shown to this account's members.",
    )
    allow_raw_content = models.BooleanField(
        default=False,
        help_text="May send content without an approved template "
        "(Tencent's 'Simple' content). Set by staff.",
    )
    track_opens_and_clicks = models.BooleanField(
        default=True,
        help_text="HTML mail carries an open pixel and click-tracking links.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """One role held by a user in an account; a user may hold several."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account", "user", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "user", "role"], name="unique_membership_role"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.account}"


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An owner's invitation of an email address to join an account."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    roles = models.JSONField(default=list)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "email"],
                condition=models.Q(accepted_at__isnull=True),
                name="unique_open_invitation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.account}"

    @property
    def role_labels(self) -> list[str]:
        return [Role(role).label for role in self.roles]

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


def new_secret_id() -> str:
    """A Tencent-style SecretId: `AKID` and 32 letters and digits."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "AKID" + "".join(secrets.choice(alphabet) for _ in range(32))


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def for_account(self, account: Account) -> "ApiKeyQuerySet":
        return self.filter(account=account)

    def enabled(self) -> "ApiKeyQuerySet":
        return self.filter(disabled_at__isnull=True)


class ApiKey(models.Model):
    """A SecretId / SecretKey pair for the Tencent-compatible HTTP API.

    The SecretKey is needed to check each request's signature, so it is
    stored encrypted (sesconsole.encryption), not hashed.
    """

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100, blank=True)
    secret_id = models.CharField(max_length=64, unique=True, default=new_secret_id)
    secret_key_encrypted = models.TextField(editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.secret_id

    @property
    def is_enabled(self) -> bool:
        return self.disabled_at is None
