"""The shape of an entry in the shared isolation test (tests/test_isolation.py)."""

from collections.abc import Callable
from dataclasses import dataclass, field

from accounts.models import Account, User


@dataclass(frozen=True)
class ConsoleUrl:
    name: str
    # Builds URL kwargs from this account's objects; None for pages without one.
    kwargs: Callable[[Account, User], dict] | None = None
    method: str = "get"
    data: dict = field(default_factory=dict)

    @property
    def has_object(self) -> bool:
        return self.kwargs is not None
