"""Forms of the batch-sending pages: recipient lists, uploads, batch tasks."""

from django import forms
from django.contrib.humanize.templatetags.humanize import intcomma

from accounts.models import Account
from domains.models import SenderAddress
from sending.forms import unsubscribe_field
from sending.models import AdLocation, ListStatus, RecipientList, TaskType
from sending.recipients import MAX_DATA_BYTES
from templates_app.models import EmailTemplate

VARIABLE_PREFIX = "var"
MAX_INTERVAL_HOURS = 24 * 365


class RecipientListForm(forms.Form):
    name = forms.CharField(
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "May newsletter readers"}),
    )
    description = forms.CharField(
        max_length=300,
        required=False,
        help_text="Optional: what the list is for, for your teammates.",
    )


class RecipientUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        widget=forms.FileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
        help_text="UTF-8 text. The first line is a header with an <code>email</code> "
        "column and one column per template variable (letters, digits and "
        f"underscores). At most {MAX_DATA_BYTES} bytes of values per recipient.",
        error_messages={
            "required": "Choose the CSV file to upload.",
            "empty": "The file is empty.",
        },
    )


class RecipientListChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: RecipientList) -> str:
        return f"{obj.name} ({intcomma(obj.valid_count)} recipients)"


class BatchTaskForm(forms.Form):
    from_address = forms.ChoiceField(label="From")
    recipient_list = RecipientListChoiceField(
        queryset=RecipientList.objects.none(),
        empty_label="Choose a recipient list",
        help_text="Only lists whose upload is complete.",
        error_messages={"required": "Choose the list to send to."},
    )
    template = forms.ModelChoiceField(
        queryset=EmailTemplate.objects.none(),
        empty_label="Choose an approved template",
        error_messages={"required": "Choose the template to send."},
    )
    subject = forms.CharField(
        max_length=998,
        help_text="Variables like {{name}} are filled in per recipient.",
    )
    unsubscribe_language = unsubscribe_field()
    ad_location = forms.TypedChoiceField(
        label="Ad label",
        choices=AdLocation.choices,
        coerce=int,
        initial=AdLocation.NONE,
        widget=forms.RadioSelect,
        help_text="Marketing mail must carry “[AD]” in its subject.",
    )
    task_type = forms.TypedChoiceField(
        label="When",
        choices=TaskType.choices,
        coerce=int,
        initial=TaskType.IMMEDIATE,
        widget=forms.RadioSelect,
    )
    begin_at = forms.DateTimeField(
        label="Begin time (UTC)",
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
        help_text="Scheduled and recurring tasks: when the first run starts.",
    )
    interval_hours = forms.IntegerField(
        label="Repeat every (hours)",
        required=False,
        min_value=1,
        max_value=MAX_INTERVAL_HOURS,
        help_text="Recurring tasks only.",
    )

    TIMED = (TaskType.SCHEDULED, TaskType.RECURRING)

    def __init__(
        self,
        *args: object,
        account: Account,
        variables: list[str] | None = None,
        columns: list[str] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        senders = (
            SenderAddress.objects.for_account(account)
            .sendable()
            .select_related("domain")
        )
        self.fields["from_address"].choices = [
            (sender.email, sender.from_header) for sender in senders
        ]
        self.fields["recipient_list"].queryset = (
            RecipientList.objects.for_account(account)
            .filter(status=ListStatus.COMPLETE, valid_count__gt=0)
            .order_by("name")
        )
        self.fields["template"].queryset = (
            EmailTemplate.objects.for_account(account).sendable().order_by("name")
        )
        # The template's and the subject's variables: those the list has a
        # column for come from each row; the rest need one value for all.
        self.variable_names = list(variables or [])
        known = set(columns or [])
        self.covered = [name for name in self.variable_names if name in known]
        self.missing = [name for name in self.variable_names if name not in known]
        for name in self.missing:
            self.fields[f"{VARIABLE_PREFIX}_{name}"] = forms.CharField(
                label=f"{{{{{name}}}}}",
                max_length=2000,
                error_messages={
                    "required": f"Give a value: the list has no “{name}” column."
                },
            )

    def clean(self) -> dict:
        data = super().clean()
        task_type = data.get("task_type")
        if task_type in self.TIMED and not data.get("begin_at"):
            kind = "scheduled" if task_type == TaskType.SCHEDULED else "recurring"
            self.add_error("begin_at", f"A {kind} task needs a begin time.")
        if (
            task_type == TaskType.RECURRING
            and not data.get("interval_hours")
            and "interval_hours" not in self.errors  # not one it refused already
        ):
            self.add_error(
                "interval_hours", "A recurring task needs an interval in hours."
            )
        return data

    def variable_fields(self) -> list[forms.BoundField]:
        return [self[f"{VARIABLE_PREFIX}_{name}"] for name in self.missing]

    def template_data(self) -> dict[str, str]:
        return {
            name: self.cleaned_data.get(f"{VARIABLE_PREFIX}_{name}", "")
            for name in self.missing
        }
