"""API actions and their parameter schemas.

An action is a function `(context, params) -> dict` registered with
`@api_action("Name", Param=required(str), ...)`. Parameters are checked
before it runs, as Tencent does: a missing one is `MissingParameter`, an
unknown one `UnknownParameter`, a wrong JSON type `InvalidParameter`.
Schemas: `str`, `int`, `bool`, `[item]` for arrays, `{...}` for objects.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.utils.module_loading import autodiscover_modules

from accounts.models import Account, ApiKey
from sesconsole.api.errors import missing, unknown, wrong_type

VERSION = "2020-10-02"


@dataclass(frozen=True)
class Field:
    type: object
    required: bool = False


def required(kind: object) -> Field:
    return Field(kind, required=True)


def optional(kind: object) -> Field:
    return Field(kind, required=False)


@dataclass(frozen=True)
class ApiContext:
    account: Account
    api_key: ApiKey
    request_id: str


@dataclass(frozen=True)
class Action:
    name: str
    handler: Callable[[ApiContext, dict], dict]
    schema: dict[str, Field] = field(default_factory=dict)


ACTIONS: dict[str, Action] = {}


def api_action(name: str, **schema: Field) -> Callable:
    def register(handler: Callable[[ApiContext, dict], dict]) -> Callable:
        ACTIONS[name] = Action(name=name, handler=handler, schema=schema)
        return handler

    return register


@cache
def discover() -> dict[str, Action]:
    """Import every app's `api_actions` module once."""
    autodiscover_modules("api_actions")
    return ACTIONS


_TYPE_NAMES = {str: "a String", int: "an Integer", bool: "a Boolean"}


def _check(kind: object, value: object, path: str) -> object:
    if isinstance(kind, dict):
        if not isinstance(value, dict):
            raise wrong_type(path, "an Object")
        return validate(kind, value, prefix=f"{path}.")
    if isinstance(kind, list):
        if not isinstance(value, list):
            raise wrong_type(path, "an Array")
        return [_check(kind[0], item, f"{path}.{n}") for n, item in enumerate(value)]
    if kind is int:
        # JSON has one number type; bools are not integers here.
        if isinstance(value, bool) or not isinstance(value, int):
            raise wrong_type(path, "an Integer")
        return value
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise wrong_type(path, _TYPE_NAMES.get(kind, str(kind)))
    return value


def validate(schema: dict[str, Field], data: dict, *, prefix: str = "") -> dict:
    """The parameters checked against `schema`; unknown names are refused."""
    for name in data:
        if name not in schema:
            raise unknown(f"{prefix}{name}")
    checked = {}
    for name, spec in schema.items():
        if name not in data or data[name] is None:
            if spec.required:
                raise missing(f"{prefix}{name}")
            continue
        checked[name] = _check(spec.type, data[name], f"{prefix}{name}")
    return checked
