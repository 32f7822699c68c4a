from sesconsole.errors import ServiceError


class NoRecipients(ServiceError):
    code = "InvalidParameterValue.EmailAddressIsNULL"
    default_message = "Add at least one recipient."


class TooManyRecipients(ServiceError):
    code = "FailedOperation.TooManyRecipients"
    default_message = "Too many recipients in one request."


class IllegalEmailAddress(ServiceError):
    code = "InvalidParameterValue.IllegalEmailAddress"
    default_message = "An email address is not valid."


class NoSuchSender(ServiceError):
    code = "InvalidParameterValue.NoSuchSender"
    default_message = "This sender address does not exist in your account."


class DomainNotVerified(ServiceError):
    code = "OperationDenied.DomainNotVerified"
    default_message = "The sender's domain is not verified."


class TemporaryBlocked(ServiceError):
    code = "FailedOperation.TemporaryBlocked"
    default_message = "The sender's domain is blocked for the rest of the day."


class TemplateNotExist(ServiceError):
    code = "InvalidParameterValue.TemplateNotExist"
    default_message = "This template does not exist."


class TemplateStatusError(ServiceError):
    code = "OperationDenied.TemplateStatusError"
    default_message = "This template has no approved version yet."


class ExceedSendLimit(ServiceError):
    code = "FailedOperation.ExceedSendLimit"
    default_message = "This request would exceed the domain's daily limit."


class InvalidSubject(ServiceError):
    code = "InvalidParameterValue.EmailContentIsWrong"
    default_message = "The subject is not valid."


class SenderNotAllowed(ServiceError):
    code = "FailedOperation.NotAuthenticatedSender"
    default_message = "This sender is not allowed."


class SuppressionExists(ServiceError):
    code = "InvalidParameterValue"
    default_message = "This address is already on the blocklist."


class TooManyAttachments(ServiceError):
    code = "FailedOperation.TooManyAttachments"
    default_message = "Too many attachments."


class AttachmentTooLarge(ServiceError):
    code = "FailedOperation.AttachContentToolarge"
    default_message = "The attachments are too large."


class AttachmentRefused(ServiceError):
    code = "FailedOperation.InvalidAttachName"
    default_message = "This attachment cannot be sent."


class ListNameTaken(ServiceError):
    code = "InvalidParameterValue.RepeatReceiverName"
    default_message = "A recipient list with this name already exists."


class NoSuchList(ServiceError):
    code = "OperationDenied.ReceiverNotExist"
    default_message = "This recipient list does not exist."


class ListInUse(ServiceError):
    code = "OperationDenied.ReceiverIsOperating"
    default_message = "A batch task is using this recipient list."


class ListNotReady(ServiceError):
    code = "OperationDenied.ReceiverStatusError"
    default_message = "This recipient list cannot take that now."


class RecipientFileError(ServiceError):
    code = "InvalidParameterValue"
    default_message = "The file is not a recipient CSV."


class TooManyListRows(ServiceError):
    code = "LimitExceeded.ReceiverDetailRequestLimit"
    default_message = "Too many recipients in one request."


class BeginTimeInPast(ServiceError):
    code = "InvalidParameterValue.BeginTimeBeforeNow"
    default_message = "The begin time must be in the future."


class TimedParamMissing(ServiceError):
    code = "MissingParameter.TimedParamNecessary"
    default_message = "A scheduled task needs a begin time."


class CycleParamMissing(ServiceError):
    code = "MissingParameter.CycleParamNecessary"
    default_message = "A recurring task needs a begin time and an interval."


class TaskNotChangeable(ServiceError):
    code = "OperationDenied"
    default_message = "The task cannot do that in its current state."


class InvalidTaskOption(ServiceError):
    code = "InvalidParameterValue"
    default_message = "An option of the task is not valid."
