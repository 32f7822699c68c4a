from django import forms
from django.conf import settings

from templates_app.errors import TemplateError
from templates_app.models import Kind, TemplateVersion
from templates_app.uploads import read_upload


class TemplateForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        error_messages={"required": "Give the template a name."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label="Type",
        choices=Kind.choices,
        initial=Kind.HTML,
        widget=forms.RadioSelect,
    )
    summary = forms.CharField(
        max_length=255,
        required=False,
        help_text="What the template is for, for reviewers and teammates.",
    )
    body = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 16, "class": "code", "spellcheck": "false"}
        ),
        help_text="Write variables as {{name}}: letters, digits and underscores. "
        "Values are inserted as plain text, never run as code.",
    )
    upload = forms.FileField(
        required=False,
        label="Or upload a file",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".html,.htm,.txt,text/html,text/plain"}
        ),
    )
    text_alternative = forms.CharField(
        label="Plain-text alternative",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "code"}),
        help_text="For mail programs that do not show HTML (HTML templates only). "
        "Leave it empty and we write it from the HTML.",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        limit = settings.SES_TEMPLATE_MAX_BYTES
        self.fields["upload"].help_text = (
            "An .html or .txt file, UTF-8 or with its charset declared, up to "
            f"{limit // 1024:,} KB. It replaces the body above, and an .html "
            "file makes an HTML template, a .txt file a plain-text one."
        )

    @classmethod
    def for_version(cls, version: TemplateVersion) -> "TemplateForm":
        template = version.template
        return cls(
            initial={
                "name": template.name,
                "kind": template.kind,
                "summary": template.summary,
                "body": version.body_html
                if template.kind == Kind.HTML
                else version.body_text,
                "text_alternative": ""
                if version.text_generated or template.kind == Kind.TEXT
                else version.body_text,
            }
        )

    def clean(self) -> dict:
        data = super().clean()
        upload = data.get("upload")
        data["source_filename"] = ""
        if upload:
            limit = settings.SES_TEMPLATE_MAX_BYTES
            try:
                read = read_upload(
                    name=upload.name,
                    data=upload.read(limit + 1),
                    max_bytes=limit,
                    size=upload.size,
                )
            except TemplateError as error:
                self.add_error("upload", error.message)
                return data
            data["body"] = read.text
            data["kind"] = read.kind
            data["source_filename"] = upload.name
        elif not (data.get("body") or "").strip() and "body" not in self.errors:
            self.add_error("body", "Type the body of the template or upload a file.")
        return data

    def content(self) -> dict[str, str]:
        """The cleaned values, as the keyword arguments of the services."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "kind": data["kind"],
            "summary": data.get("summary", ""),
            "body": data["body"],
            "text_alternative": data.get("text_alternative", "")
            if data["kind"] == Kind.HTML
            else "",
            "source_filename": data["source_filename"],
        }


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why, so the author knows what to fix."},
        help_text="The author sees this next to the template.",
    )


def sample_value(name: str) -> str:
    return f"[{name}]"


PREVIEW_PREFIX = "v"


def preview_values(variables: list[str], query: dict[str, str]) -> dict[str, str]:
    """Each variable's value from a query string, or a visible sample value."""
    values = {}
    for name in variables:
        value = query.get(f"{PREVIEW_PREFIX}-{name}", "")
        values[name] = value[:2000] if value else sample_value(name)
    return values


def preview_form(variables: list[str], values: dict[str, str]) -> forms.Form:
    """A form with one field per variable, filled with `values`.

    Its fields are prefixed so that no variable name clashes with the
    preview's own parameters.
    """
    fields = {
        name: forms.CharField(label=f"{{{{{name}}}}}", required=False, max_length=2000)
        for name in variables
    }
    form_class = type("PreviewForm", (forms.Form,), fields)
    return form_class(initial=values, prefix=PREVIEW_PREFIX)
