"""The receiving mailbox provider of a recipient, as statistics group it.

A provider is the recipient's domain, except that the big providers, which
answer for many domains, are grouped under one name: googlemail.com counts as
gmail.com, hotmail.co.uk as outlook.com, foxmail.com as qq.com. The names are
the ones Tencent's `ReceivingMailboxType` takes (`gmail.com`, …).
"""

from functools import lru_cache

import idna
from publicsuffixlist import PublicSuffixList

# The provider of a recipient address that has no usable domain.
UNKNOWN = "unknown"

# Exact domains → the provider they belong to.
_GROUPS: dict[str, tuple[str, ...]] = {
    "gmail.com": ("gmail.com", "googlemail.com"),
    "outlook.com": ("outlook.com", "msn.com", "passport.com", "windowslive.com"),
    "yahoo.com": ("yahoo.com", "ymail.com", "rocketmail.com"),
    "aol.com": ("aol.com", "aim.com"),
    "icloud.com": ("icloud.com", "me.com", "mac.com"),
    "qq.com": ("qq.com", "vip.qq.com", "foxmail.com"),
    "163.com": ("163.com", "126.com", "yeah.net", "188.com", "vip.163.com"),
    "sina.com": ("sina.com", "sina.cn", "vip.sina.com"),
    "aliyun.com": ("aliyun.com",),
    "sohu.com": ("sohu.com",),
    "139.com": ("139.com",),
    "proton.me": ("proton.me", "protonmail.com", "protonmail.ch", "pm.me"),
    "zoho.com": ("zoho.com", "zohomail.com"),
    "gmx.net": ("gmx.net", "gmx.de", "gmx.com", "gmx.at", "gmx.ch"),
    "web.de": ("web.de",),
    "mail.ru": ("mail.ru", "inbox.ru", "list.ru", "bk.ru"),
    "yandex.ru": ("yandex.ru", "yandex.com", "ya.ru"),
    "naver.com": ("naver.com",),
    "daum.net": ("daum.net", "hanmail.net"),
}
DOMAIN_TO_PROVIDER = {
    domain: provider for provider, domains in _GROUPS.items() for domain in domains
}
# Brands registered under many country suffixes: hotmail.fr, yahoo.co.uk, …
# The label before the public suffix decides.
_BRANDS = {
    "hotmail": "outlook.com",
    "outlook": "outlook.com",
    "live": "outlook.com",
    "yahoo": "yahoo.com",
    "aol": "aol.com",
}
# Same label, different company: Yahoo! JAPAN is run by LY Corporation.
_NOT_BRANDS = frozenset({"yahoo.co.jp"})

# The providers the console offers in its filter before any mail is counted.
KNOWN_PROVIDERS = tuple(_GROUPS)


@lru_cache(maxsize=1)
def _suffixes() -> PublicSuffixList:
    """The public suffix list, loaded once, when first needed (it takes a while)."""
    return PublicSuffixList()


def provider_for(address: str) -> str:
    """The mailbox provider of `address` (`Ana <ana@GoogleMail.com>` → gmail.com)."""
    _, at, domain = address.strip().rstrip(">").rpartition("@")
    if not at:
        return UNKNOWN
    return provider_for_domain(domain)


@lru_cache(maxsize=4096)
def provider_for_domain(domain: str) -> str:
    """The provider that answers for mail to `domain`, in ASCII lower case."""
    name = domain.strip().lower().removesuffix(".")
    if not name or "." not in name:
        return UNKNOWN
    try:
        name = idna.encode(name, uts46=True).decode("ascii")
    except idna.IDNAError:
        if not name.isascii():
            return UNKNOWN
    if len(name) > 253:
        return UNKNOWN
    if name in DOMAIN_TO_PROVIDER:
        return DOMAIN_TO_PROVIDER[name]
    if name not in _NOT_BRANDS and _suffixes().privatesuffix(name) == name:
        brand = name.split(".", 1)[0]
        if brand in _BRANDS:
            return _BRANDS[brand]
    return name
