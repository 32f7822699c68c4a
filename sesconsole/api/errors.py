"""Errors of the API layer itself (authentication, the request's shape)."""

from sesconsole.errors import ServiceError


class ApiError(ServiceError):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def missing(name: str) -> ApiError:
    return ApiError(
        "MissingParameter", f"The request is missing a required parameter `{name}`."
    )


def unknown(name: str) -> ApiError:
    return ApiError("UnknownParameter", f"The parameter `{name}` is not recognized.")


def wrong_type(name: str, expected: str) -> ApiError:
    return ApiError("InvalidParameter", f"The parameter `{name}` must be {expected}.")
