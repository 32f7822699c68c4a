"""The base of every service error.

Each error carries the Tencent Cloud API error code that names it, so the
console, the HTTP API and SMTP report one failure in their own way.
"""


class ServiceError(Exception):
    code = "FailedOperation"
    default_message = "The operation failed."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message
