from sesconsole.errors import ServiceError


class AlreadyMember(ServiceError):
    code = "InvalidParameterValue.AlreadyMember"
    default_message = "This person is already a member of the account."


class LastOwner(ServiceError):
    code = "OperationDenied.LastOwner"
    default_message = "An account needs at least one owner."


class InvitationNotValid(ServiceError):
    code = "InvalidParameterValue.InvitationNotValid"
    default_message = "This invitation has expired, was revoked or was already used."


class InvitationForAnotherEmail(ServiceError):
    code = "OperationDenied.InvitationForAnotherEmail"
    default_message = "This invitation was sent to a different email address."
