"""Errors of templates and their review, each with its Tencent Cloud error code.

`field` names the console form field an error belongs to, so a view can show
it inline next to what the author typed; None means the whole form.
"""

from collections.abc import Iterable
from typing import Self

from sesconsole.errors import ServiceError


class TemplateError(ServiceError):
    code = "FailedOperation"
    field: str | None = None

    def on(self, field: str) -> Self:
        """Show this error on another form field."""
        self.field = field
        return self


class TemplateNameIllegal(TemplateError):
    code = "InvalidParameterValue.TemplateNameIllegal"
    default_message = "Give the template a name of 1 to 100 characters."
    field = "name"


class TemplateContentIsNull(TemplateError):
    code = "InvalidParameterValue.TemplateContentIsNULL"
    default_message = "Type the body of the template or upload a file."
    field = "body"


class TemplateContentIsWrong(TemplateError):
    code = "InvalidParameterValue.TemplateContentIsWrong"
    default_message = "The template content cannot be used."
    field = "body"


class UnsafeTemplateSyntax(TemplateContentIsWrong):
    """Template code other than plain `{{name}}` variables."""

    def __init__(self, snippets: Iterable[str], *, field: str = "body") -> None:
        self.snippets = list(snippets)
        self.field = field
        shown = ", ".join(self.snippets[:5])
        more = f" and {len(self.snippets) - 5} more" if len(self.snippets) > 5 else ""
        super().__init__(
            "Only plain variables like {{name}} (letters, digits and underscores) "
            f"are allowed; remove or rewrite {shown}{more}."
        )


class VariableInStyle(TemplateContentIsWrong):
    default_message = (
        "Variables cannot be used inside style attributes: a value could change "
        "the CSS. Put the variable in the text instead."
    )


class UnreadableUpload(TemplateContentIsWrong):
    default_message = "The file could not be read."
    field = "upload"


class TemplateContentTooLarge(TemplateError):
    code = "FailedOperation.TemplateContentToolarge"
    default_message = "The template is too large."
    field = "body"


class TemplateStatusError(TemplateError):
    code = "OperationDenied.TemplateStatusError"
    default_message = "The template is not in a state that allows this."


class ContainsBlockedContent(TemplateError):
    code = "FailedOperation.ContainSensitiveWord"
    default_message = "The template contains words that cannot be sent."


class NotAllowed(TemplateError):
    code = "AuthFailure.UnauthorizedOperation"
    default_message = "You do not have the role this needs in the account."


class CannotReviewOwnSubmission(TemplateError):
    code = "OperationDenied.ReviewOwnSubmission"
    default_message = (
        "You submitted this version, so another reviewer has to review it."
    )


class RejectReasonMissing(TemplateError):
    code = "MissingParameter.RejectReason"
    default_message = "Say why the template is rejected, so the author can fix it."
    field = "reason"


class MissingVariables(TemplateError):
    """The values given do not cover every variable of the template."""

    code = "InvalidParameterValue.TemplateNotMatchData"

    def __init__(self, missing: Iterable[str]) -> None:
        self.missing = list(missing)
        names = ", ".join(f"{{{{{name}}}}}" for name in self.missing)
        super().__init__(f"No value given for {names}.")


class SubjectLineBreak(TemplateError):
    code = "InvalidParameterValue.SubjectLineBreak"
    default_message = "The subject cannot contain line breaks."
    field = "subject"


class UnsafeVariableValue(TemplateError):
    code = "FailedOperation.IllegalURL"
    default_message = "A value would make a link unsafe."


class TemplateNameIsNull(TemplateError):
    code = "InvalidParameterValue.TemplateNameIsNULL"
    default_message = "Give the template a name."
    field = "name"


class TemplateNotExist(TemplateError):
    code = "InvalidParameterValue.TemplateNotExist"
    default_message = "This template does not exist."


class TemplateInUse(TemplateError):
    """Messages keep the version they were rendered from, so it cannot go."""

    code = "OperationDenied.TemplateInUse"
    default_message = (
        "Messages were sent with this template, so it cannot be deleted while "
        "they are kept."
    )


class KeyCreatorNotAuthor(TemplateError):
    """An API key writes templates as its creator, who must still be an author."""

    code = "OperationDenied.KeyCreatorNotAuthor"
    default_message = (
        "The user who created this API key is no longer an owner or operator of "
        "the account, so the key cannot change templates. Create a new key as "
        "an owner or operator."
    )
