from django import forms

from accounts.models import Account
from domains.models import SenderDomain, UnsubscribeLanguage


class DomainForm(forms.Form):
    name = forms.CharField(
        label="Domain",
        max_length=300,
        help_text="The domain in your From addresses, like example.com or "
        "mail.example.com.",
        widget=forms.TextInput(attrs={"placeholder": "example.com"}),
    )
    key_bits = forms.TypedChoiceField(
        label="DKIM key",
        choices=[(2048, "RSA 2048 (recommended)"), (1024, "RSA 1024")],
        coerce=int,
        initial=2048,
        help_text="Choose 1024 only if your DNS host cannot store long TXT records.",
    )


class SenderAddressForm(forms.Form):
    local_part = forms.CharField(
        label="Address prefix",
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": "noreply"}),
    )
    domain = forms.ModelChoiceField(
        queryset=SenderDomain.objects.none(),
        empty_label=None,
        help_text="Only verified domains can have sender addresses.",
    )
    sender_name = forms.CharField(
        label="Sender name",
        max_length=200,
        help_text="What recipients see as the sender, like “Acme Support”.",
    )
    unsubscribe_language = forms.ChoiceField(
        label="Unsubscribe link",
        choices=UnsubscribeLanguage.choices,
        required=False,
        help_text="Append an unsubscribe link in this language to mail from "
        "this address.",
    )

    def __init__(self, *args: object, account: Account, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        domains = SenderDomain.objects.for_account(account)
        self.fields["domain"].queryset = domains
        self.fields["domain"].label_from_instance = lambda domain: (
            domain.display_name
            if domain.status in {"verified", "broken"}
            else f"{domain.display_name} (not verified)"
        )


class SenderAddressSettingsForm(forms.Form):
    sender_name = forms.CharField(label="Sender name", max_length=200)
    unsubscribe_language = forms.ChoiceField(
        label="Unsubscribe link", choices=UnsubscribeLanguage.choices, required=False
    )


class SmtpPasswordForm(forms.Form):
    password = forms.CharField(
        label="New SMTP password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="10 to 20 characters with a digit, a lower-case and an upper-case "
        "letter. Leave empty to have one generated.",
    )


class QuotaRequestForm(forms.Form):
    wanted_limit = forms.IntegerField(
        min_value=1_000_001,
        max_value=100_000_000,
        label="Daily limit wanted",
        help_text="Above level 20's 1,000,000 a day.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="What you send, to whom, and why you need more.",
    )
