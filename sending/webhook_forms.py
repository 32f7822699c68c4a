"""The form of the event-webhooks page: an endpoint's URL and its event kinds."""

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.models import Account
from sending.models import EventKind, WebhookEndpoint
from sending.webhooks import MAX_ENDPOINTS_PER_ACCOUNT, TENCENT_EVENTS, WEBHOOK_KINDS


def kind_choices() -> list[tuple[str, str]]:
    """Each event kind with the `event` name receivers see."""
    return [
        (kind, f"{EventKind(kind).label} ({TENCENT_EVENTS[kind][0]})")
        for kind in WEBHOOK_KINDS
    ]


def http_allowed() -> bool:
    return settings.DEBUG or settings.SES_WEBHOOK_ALLOW_HTTP


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(
        label="Endpoint URL",
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(
            attrs={"placeholder": "https://example.com/ses/events", "size": 60}
        ),
        error_messages={"required": "Enter the URL that receives the events."},
    )
    event_kinds = forms.MultipleChoiceField(
        label="Events",
        choices=kind_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks kinds"}),
        help_text="None ticked: every event, including kinds added later.",
    )

    def __init__(
        self,
        *args: object,
        account: Account,
        endpoint: WebhookEndpoint | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.account = account
        self.endpoint = endpoint
        self.fields["url"].help_text = (
            "Events are POSTed here as JSON. It must answer 2xx within "
            f"{settings.SES_WEBHOOK_TIMEOUT_SECONDS} seconds; anything else is "
            f"retried for {settings.SES_WEBHOOK_RETRY_HOURS} hours."
        )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        scheme = urlsplit(url).scheme.lower()
        if scheme != "https" and not (scheme == "http" and http_allowed()):
            raise ValidationError(
                "Use an https:// URL: events carry your recipients' addresses."
            )
        others = WebhookEndpoint.objects.filter(account=self.account)
        if self.endpoint is not None:
            others = others.exclude(pk=self.endpoint.pk)
        if others.filter(url=url).exists():
            raise ValidationError("This URL is registered already.")
        return url

    def clean(self) -> dict:
        cleaned = super().clean()
        if (
            self.endpoint is None
            and WebhookEndpoint.objects.filter(account=self.account).count()
            >= MAX_ENDPOINTS_PER_ACCOUNT
        ):
            raise ValidationError(
                f"An account has at most {MAX_ENDPOINTS_PER_ACCOUNT} endpoints; "
                "delete one first."
            )
        return cleaned
