"""The DNS records a sender domain must publish, and checking what is published.

`expected_records` says what to publish; the `evaluate_*` functions are pure
rules over the values seen; `check_records` looks them up with dnspython
against `SES_DNS_RESOLVERS`. A lookup that times out or gets SERVFAIL is
"could not check" (UNKNOWN), never a failure: DNS trouble must not unverify
a domain.
"""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import dns.exception
import dns.nameserver
import dns.rdatatype
import dns.resolver
from django.conf import settings

from domains.dkim import txt_record_value
from domains.models import CheckStatus, RecordKind, SenderDomain

MX_PRIORITY = 10


@dataclass(frozen=True)
class ExpectedRecord:
    kind: RecordKind
    type: str
    host: str
    value: str


@dataclass(frozen=True)
class RecordCheck:
    kind: RecordKind
    status: CheckStatus
    seen: list[str] = field(default_factory=list)
    message: str = ""


class CouldNotCheck(Exception):
    """The resolver gave no answer we can trust (timeout, SERVFAIL, …)."""


def spf_value() -> str:
    return f"v=spf1 include:{settings.SES_SPF_INCLUDE} ~all"


def dmarc_value(domain: str) -> str:
    return f"v=DMARC1; p=none; rua=mailto:dmarc@{domain}"


def expected_records(domain: SenderDomain) -> list[ExpectedRecord]:
    return [
        ExpectedRecord(
            RecordKind.MX, "MX", domain.name, f"{MX_PRIORITY} {settings.SES_MX_HOST}"
        ),
        ExpectedRecord(RecordKind.SPF, "TXT", domain.name, spf_value()),
        ExpectedRecord(
            RecordKind.DKIM,
            "TXT",
            domain.dkim_host,
            txt_record_value(domain.dkim_public_key),
        ),
        ExpectedRecord(
            RecordKind.DMARC, "TXT", f"_dmarc.{domain.name}", dmarc_value(domain.name)
        ),
    ]


# --- Rules over what was seen ----------------------------------------------


def _hostname(value: str) -> str:
    return value.strip().lower().removesuffix(".")


def _tags(record: str) -> dict[str, str]:
    tags = {}
    for part in record.split(";"):
        name, _, value = part.partition("=")
        if name.strip():
            tags[name.strip().lower()] = "".join(value.split())
    return tags


def evaluate_mx(seen: list[str]) -> RecordCheck:
    wanted = _hostname(settings.SES_MX_HOST)
    if not seen:
        return RecordCheck(RecordKind.MX, CheckStatus.FAIL, seen, "No MX record.")
    hosts = [_hostname(value.split()[-1]) for value in seen]
    if wanted in hosts:
        return RecordCheck(RecordKind.MX, CheckStatus.PASS, seen)
    return RecordCheck(
        RecordKind.MX,
        CheckStatus.FAIL,
        seen,
        f"No MX record points to {wanted}.",
    )


def evaluate_spf(seen: list[str]) -> RecordCheck:
    include = f"include:{_hostname(settings.SES_SPF_INCLUDE)}"
    spf = [value for value in seen if value.lower().split(" ")[0] == "v=spf1"]
    if not spf:
        return RecordCheck(RecordKind.SPF, CheckStatus.FAIL, seen, "No SPF record.")
    if len(spf) > 1:
        return RecordCheck(
            RecordKind.SPF,
            CheckStatus.FAIL,
            spf,
            f"{len(spf)} SPF records: receivers treat that as an error. Merge "
            f"them into one record that has {include}.",
        )
    terms = [term.lower() for term in spf[0].split()]
    if include in terms:
        return RecordCheck(RecordKind.SPF, CheckStatus.PASS, spf)
    return RecordCheck(
        RecordKind.SPF,
        CheckStatus.FAIL,
        spf,
        f"Your SPF record lacks {include}. Do not add a second record: add "
        f"{include} to this one, e.g. “{merged_spf(spf[0])}”.",
    )


def merged_spf(existing: str) -> str:
    """The operator's SPF record with our include added before its `all`."""
    include = f"include:{settings.SES_SPF_INCLUDE}"
    terms = existing.split()
    for index, term in enumerate(terms):
        if term.lower().lstrip("+-~?") == "all":
            return " ".join([*terms[:index], include, *terms[index:]])
    return " ".join([*terms, include])


def evaluate_dkim(seen: list[str], public_key: str) -> RecordCheck:
    records = [value for value in seen if "p=" in value.replace(" ", "")]
    if not records:
        return RecordCheck(RecordKind.DKIM, CheckStatus.FAIL, seen, "No DKIM record.")
    for record in records:
        tags = _tags(record)
        if tags.get("p") == public_key and tags.get("k", "rsa").lower() == "rsa":
            return RecordCheck(RecordKind.DKIM, CheckStatus.PASS, seen)
    return RecordCheck(
        RecordKind.DKIM,
        CheckStatus.FAIL,
        seen,
        "The DKIM record does not hold this domain's public key. Copy the "
        "expected value exactly (some DNS hosts need it split into 255-character "
        "strings).",
    )


def evaluate_dmarc(seen: list[str]) -> RecordCheck:
    dmarc = [v for v in seen if _tags(v).get("v", "").upper() == "DMARC1"]
    if not dmarc:
        return RecordCheck(
            RecordKind.DMARC, CheckStatus.FAIL, seen, "No DMARC record (v=DMARC1)."
        )
    if len(dmarc) > 1:
        return RecordCheck(
            RecordKind.DMARC,
            CheckStatus.FAIL,
            dmarc,
            "More than one DMARC record: keep exactly one.",
        )
    policy = _tags(dmarc[0]).get("p", "").lower()
    if policy not in {"none", "quarantine", "reject"}:
        return RecordCheck(
            RecordKind.DMARC,
            CheckStatus.FAIL,
            dmarc,
            "The DMARC record needs a policy tag: p=none, p=quarantine or p=reject.",
        )
    return RecordCheck(RecordKind.DMARC, CheckStatus.PASS, dmarc)


# --- Lookups ----------------------------------------------------------------


def parse_resolver(entry: str) -> tuple[str, int]:
    """`1.2.3.4`, `1.2.3.4:5353`, `::1` or `[::1]:5353` → (host, port)."""
    entry = entry.strip()
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        return host, int(rest.removeprefix(":") or 53)
    if entry.count(":") == 1:
        host, port = entry.split(":")
        return host, int(port)
    return entry, 53


def make_resolver() -> dns.resolver.Resolver:
    """A resolver for SES_DNS_RESOLVERS (`host[:port]`), or the system's."""
    timeout = settings.SES_DNS_TIMEOUT
    if not settings.SES_DNS_RESOLVERS:
        resolver = dns.resolver.Resolver()
    else:
        resolver = dns.resolver.Resolver(configure=False)
        nameservers = [
            dns.nameserver.Do53Nameserver(*parse_resolver(entry))
            for entry in settings.SES_DNS_RESOLVERS
        ]
        resolver.nameservers = nameservers
    resolver.timeout = timeout
    resolver.lifetime = timeout
    resolver.cache = None
    return resolver


def lookup(resolver: dns.resolver.Resolver, host: str, rdtype: str) -> list[str]:
    """Values published at `host`; [] when there are none; CouldNotCheck on trouble."""
    try:
        answer = resolver.resolve(host, rdtype, raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return []
    except (dns.exception.Timeout, dns.resolver.LifetimeTimeout):
        raise CouldNotCheck(
            f"No answer for {host} within {resolver.lifetime:g} s."
        ) from None
    except dns.resolver.NoNameservers:
        raise CouldNotCheck(
            f"The DNS servers failed to answer for {host} (SERVFAIL)."
        ) from None
    except dns.exception.DNSException as error:
        raise CouldNotCheck(f"DNS lookup of {host} failed: {error}.") from None
    if answer.rrset is None:
        return []
    if answer.rdtype == dns.rdatatype.TXT:
        return [b"".join(r.strings).decode(errors="replace") for r in answer.rrset]
    if answer.rdtype == dns.rdatatype.MX:
        return [
            f"{r.preference} {r.exchange.to_text(omit_final_dot=True)}"
            for r in answer.rrset
        ]
    return [r.to_text() for r in answer.rrset]


def check_records(domain: SenderDomain) -> list[RecordCheck]:
    """Look up the four records at once and judge each."""
    resolver = make_resolver()
    plans: list[tuple[RecordKind, str, str, Callable[[list[str]], RecordCheck]]] = [
        (RecordKind.MX, domain.name, "MX", evaluate_mx),
        (RecordKind.SPF, domain.name, "TXT", evaluate_spf),
        (
            RecordKind.DKIM,
            domain.dkim_host,
            "TXT",
            lambda seen: evaluate_dkim(seen, domain.dkim_public_key),
        ),
        (RecordKind.DMARC, f"_dmarc.{domain.name}", "TXT", evaluate_dmarc),
    ]

    def run(plan: tuple) -> RecordCheck:
        kind, host, rdtype, evaluate = plan
        try:
            return evaluate(lookup(resolver, host, rdtype))
        except CouldNotCheck as error:
            return RecordCheck(kind, CheckStatus.UNKNOWN, [], str(error))

    with ThreadPoolExecutor(max_workers=len(plans)) as pool:
        return list(pool.map(run, plans))
