"""Validate the names operators type: sender domains, local parts, sender names."""

import ipaddress
import re

import idna
from publicsuffixlist import PublicSuffixList

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_LOCAL_PART = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._+-]{0,62}[A-Za-z0-9])?$")
_public_suffixes = PublicSuffixList(accept_unknown=False)


class InvalidName(ValueError):
    """A name that cannot be used, with a message for the operator."""


def normalize_domain(raw: str) -> str:
    """Return the ASCII (IDNA) form of a sender domain, or raise InvalidName."""
    name = raw.strip().lower().removesuffix(".")
    if not name:
        raise InvalidName("Enter a domain name, like mail.example.com.")
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        pass
    else:
        raise InvalidName("An IP address cannot be a sender domain; use a name.")
    if any(char in name for char in " /:@\\?#\t") or "\n" in name:
        raise InvalidName(
            "Enter only the domain name, like example.com — no spaces, "
            "addresses, ports or paths."
        )
    try:
        ascii_name = idna.encode(name, uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise InvalidName(
            f"“{raw.strip()}” is not a valid domain name ({error})."
        ) from None
    if len(ascii_name) > 253:
        raise InvalidName("A domain name has at most 253 characters.")
    labels = ascii_name.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise InvalidName(
            f"“{raw.strip()}” is not a valid domain name: use letters, digits and "
            "hyphens, with at least one dot."
        )
    if _public_suffixes.publicsuffix(ascii_name) is None:
        raise InvalidName(f"“.{labels[-1]}” is not a known top-level domain.")
    if _public_suffixes.is_public(ascii_name):
        raise InvalidName(
            f"“{ascii_name}” is a public suffix that anyone can register under; "
            "enter your own domain."
        )
    return ascii_name


def display_domain(ascii_name: str) -> str:
    """The Unicode form of an IDNA name, for showing to people."""
    try:
        return idna.decode(ascii_name)
    except idna.IDNAError:
        return ascii_name


def validate_local_part(raw: str) -> str:
    local = raw.strip()
    if not _LOCAL_PART.match(local) or ".." in local:
        raise InvalidName(
            "Use 1 to 64 letters, digits, dots, hyphens, underscores or plus "
            "signs, starting and ending with a letter or digit (like noreply)."
        )
    return local.lower()


def validate_sender_name(raw: str) -> str:
    """A display name: one line, no `:` or angle brackets or quotes."""
    name = " ".join(raw.split())
    if not name:
        raise InvalidName("Enter the name recipients see, like “Acme Support”.")
    if len(name) > 64:
        raise InvalidName("A sender name has at most 64 characters.")
    if any(char in name for char in ':<>"\\'):
        raise InvalidName(
            'A sender name cannot contain : < > " or \\ (they break the From header).'
        )
    return name
