import json

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accounts.models import Account
from domains.models import SenderAddress, UnsubscribeLanguage
from sending.models import MessageStatus, SuppressionReason
from templates_app.models import EmailTemplate

CONSOLE_MAX_RECIPIENTS = 20
VARIABLE_PREFIX = "var"


def parse_recipient_lines(text: str) -> list[str]:
    """The recipients typed one per line; every bad line is named in the error."""
    problems, seen, recipients = [], set(), []
    for number, line in enumerate(text.splitlines(), start=1):
        address = line.strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            problems.append(f"Line {number}: “{address}” is not a valid email address.")
            continue
        if address.lower() in seen:
            problems.append(f"Line {number}: {address} is a duplicate.")
            continue
        seen.add(address.lower())
        recipients.append(address)
    if not recipients and not problems:
        problems.append("Enter at least one recipient, one per line.")
    if len(recipients) > CONSOLE_MAX_RECIPIENTS:
        problems.append(
            f"{len(recipients)} recipients: the console sends to at most "
            f"{CONSOLE_MAX_RECIPIENTS}. Use batch sending or the API for more."
        )
    if problems:
        raise ValidationError(problems)
    return recipients


def unsubscribe_field() -> forms.ChoiceField:
    """The unsubscribe option of the send form and the batch task form."""
    return forms.ChoiceField(
        label="Unsubscribe link",
        choices=UnsubscribeLanguage.choices,
        required=False,
        help_text="Append an unsubscribe link, with one-click List-Unsubscribe "
        "headers.",
    )


class SendForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=EmailTemplate.objects.none(),
        empty_label="Choose an approved template",
        error_messages={"required": "Choose the template to send."},
    )
    from_address = forms.ChoiceField(label="From")
    subject = forms.CharField(
        max_length=998,
        help_text="Variables like {{name}} are filled in too.",
    )
    recipients = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "ana@example.com"}),
        help_text=f"One address per line, at most {CONSOLE_MAX_RECIPIENTS}.",
    )
    variables_json = forms.CharField(
        label="Variables as JSON",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": '{"name": "Ana"}'}),
        help_text="Optional: overrides the fields above.",
    )
    unsubscribe_language = unsubscribe_field()

    def __init__(
        self,
        *args: object,
        account: Account,
        variables: list[str] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = (
            EmailTemplate.objects.for_account(account).sendable().order_by("name")
        )
        senders = (
            SenderAddress.objects.for_account(account)
            .sendable()
            .select_related("domain")
        )
        self.fields["from_address"].choices = [
            (sender.email, sender.from_header) for sender in senders
        ]
        self.variable_names = variables or []
        for name in self.variable_names:
            self.fields[f"{VARIABLE_PREFIX}_{name}"] = forms.CharField(
                label=f"{{{{{name}}}}}", required=False, max_length=2000
            )

    def clean_recipients(self) -> list[str]:
        return parse_recipient_lines(self.cleaned_data["recipients"])

    def clean_variables_json(self) -> dict[str, str] | None:
        raw = self.cleaned_data["variables_json"].strip()
        if not raw:
            return None
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as error:
            raise ValidationError(f"This is not valid JSON: {error.msg}.") from None
        if not isinstance(data, dict) or not all(
            isinstance(v, str | int | float) for v in data.values()
        ):
            raise ValidationError('Use an object of names and values: {"name": "Ana"}.')
        return {str(k): str(v) for k, v in data.items()}

    def variable_fields(self) -> list[forms.BoundField]:
        return [self[f"{VARIABLE_PREFIX}_{name}"] for name in self.variable_names]

    def template_data(self) -> dict[str, str]:
        if self.cleaned_data.get("variables_json") is not None:
            return self.cleaned_data["variables_json"]
        return {
            name: self.cleaned_data.get(f"{VARIABLE_PREFIX}_{name}", "")
            for name in self.variable_names
        }


class MessageSearchForm(forms.Form):
    q = forms.CharField(
        label="MessageId or recipient",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "MessageId or address"}),
    )
    status = forms.ChoiceField(
        choices=[("", "Any status"), *MessageStatus.choices], required=False
    )
    day = forms.DateField(
        label="Date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class SuppressionForm(forms.Form):
    address = forms.EmailField(
        error_messages={"invalid": "Enter a full email address, like ana@example.com."}
    )
    expires_at = forms.DateTimeField(
        label="Expires",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Leave empty to block until you remove it.",
    )
    note = forms.CharField(max_length=500, required=False)

    reason = SuppressionReason.MANUAL
