from sesconsole.errors import ServiceError


class InvalidDomainName(ServiceError):
    code = "InvalidParameterValue.InvalidEmailIdentity"
    default_message = "This is not a valid sender domain."


class DomainAlreadyAdded(ServiceError):
    code = "InvalidParameterValue.RepeatCreation"
    default_message = "This domain is already in your account."


class DomainCreatedByOther(ServiceError):
    code = "InvalidParameterValue.CreatedByOther"
    default_message = "This domain is verified by another account."


class ExceedDomainLimit(ServiceError):
    code = "OperationDenied.ExceedDomainLimit"
    default_message = "An account has at most 10 sender domains."


class DomainNotVerified(ServiceError):
    code = "OperationDenied.DomainNotVerified"
    default_message = "This domain is not verified yet."


class ExceedSenderLimit(ServiceError):
    code = "OperationDenied.ExceedSenderLimit"
    default_message = "A domain has at most 10 sender addresses."


class AddressAlreadyExists(ServiceError):
    code = "InvalidParameterValue.RepeatEmailAddress"
    default_message = "This sender address already exists."


class InvalidSenderAddress(ServiceError):
    code = "InvalidParameterValue.IllegalEmailAddress"
    default_message = "This is not a valid sender address."


class InvalidSenderName(ServiceError):
    code = "InvalidParameterValue.IllegalSenderName"
    default_message = "This sender name cannot be used."


class WeakSmtpPassword(ServiceError):
    code = "InvalidParameterValue.InvalidSmtpPassWord"
    default_message = (
        "An SMTP password has 10 to 20 characters with at least one digit, one "
        "lower-case and one upper-case letter."
    )


class DomainNotFound(ServiceError):
    code = "InvalidParameterValue.NotExistDomain"
    default_message = "This domain is not one of your sender domains."


class SenderAddressNotFound(ServiceError):
    code = "InvalidParameterValue.NoSuchSender"
    default_message = "This sender address does not exist in your account."


class QuotaRequestRefused(ServiceError):
    code = "OperationDenied"
    default_message = "This quota request cannot be filed."
