"""Console URLs of the domains app, for the shared isolation test."""

from accounts.models import Account, User
from tests.console_urls import ConsoleUrl
from tests.factories import SenderAddressFactory, SenderDomainFactory


def _domain(account: Account, owner: User) -> dict:
    return {"domain_id": SenderDomainFactory(account=account).pk}


def _address(account: Account, owner: User) -> dict:
    return {"address_id": SenderAddressFactory(domain__account=account).pk}


URLS = [
    ConsoleUrl("domains:list"),
    ConsoleUrl("domains:create", method="post", data={"name": "", "key_bits": 1024}),
    ConsoleUrl("domains:detail", _domain),
    ConsoleUrl("domains:check", _domain, method="post"),
    ConsoleUrl("domains:delete", _domain, method="post"),
    ConsoleUrl("domains:quota_request", _domain, method="post"),
    ConsoleUrl("domains:addresses"),
    ConsoleUrl("domains:address_create", method="post", data={"local_part": "x"}),
    ConsoleUrl("domains:address_detail", _address),
    ConsoleUrl(
        "domains:address_update", _address, method="post", data={"sender_name": "X"}
    ),
    ConsoleUrl("domains:address_password", _address, method="post"),
    ConsoleUrl("domains:address_delete", _address, method="post"),
]
