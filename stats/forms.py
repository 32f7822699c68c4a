from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import Account
from domains.models import SenderDomain
from stats.providers import provider_for_domain
from stats.report import MAX_DAYS

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    domain: SenderDomain | None
    provider: str

    def query(self, **extra: str) -> dict[str, str]:
        """The GET parameters that select these filters (for links)."""
        params = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.domain is not None:
            params["domain"] = self.domain.name
        if self.provider:
            params["provider"] = self.provider
        return params | extra


class StatisticsFilterForm(forms.Form):
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    domain = forms.ModelChoiceField(
        label="Sender domain",
        queryset=SenderDomain.objects.none(),
        to_field_name="name",
        required=False,
        empty_label="All domains",
        error_messages={"invalid_choice": "Choose one of your sender domains."},
    )
    provider = forms.CharField(
        label="Mailbox provider",
        required=False,
        max_length=253,
        widget=forms.Select(choices=[("", "All providers")]),
    )

    def __init__(self, data: object, *, account: Account, today: date) -> None:
        super().__init__(data)
        self.today = today
        self.fields["domain"].queryset = SenderDomain.objects.for_account(
            account
        ).order_by("name")

    def clean_provider(self) -> str:
        raw = self.cleaned_data["provider"].strip()
        return provider_for_domain(raw) if raw else ""

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        end = data.get("end") or self.today
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise ValidationError("The start date is after the end date.")
        if (end - start).days + 1 > MAX_DAYS:
            raise ValidationError(f"Choose at most {MAX_DAYS} days.")
        data["start"], data["end"] = start, end
        # Show the range in effect, defaults included, in the date fields.
        self.data = self.data.copy()
        self.data["start"], self.data["end"] = start.isoformat(), end.isoformat()
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            start=data["start"],
            end=data["end"],
            domain=data.get("domain"),
            provider=data.get("provider", ""),
        )

    def offer_providers(self, providers: list[str]) -> None:
        """Fill the provider menu: `providers`, and the chosen one if missing."""
        chosen = self.cleaned_data.get("provider", "")
        if chosen and self.data.get("provider") != chosen:
            # Show the grouped name (gmail.com for googlemail.com) as chosen.
            self.data = self.data.copy()
            self.data["provider"] = chosen
        names = list(dict.fromkeys([*providers, *([chosen] if chosen else [])]))
        self.fields["provider"].widget.choices = [
            ("", "All providers"),
            *((name, name) for name in names),
        ]
