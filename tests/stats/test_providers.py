import pytest

from stats.providers import UNKNOWN, provider_for, provider_for_domain


@pytest.mark.parametrize(
    ("address", "provider"),
    [
        ("ana@gmail.com", "gmail.com"),
        ("Ana <ana@GoogleMail.COM>", "gmail.com"),
        ("bo@outlook.com", "outlook.com"),
        ("bo@hotmail.com", "outlook.com"),
        ("bo@hotmail.co.uk", "outlook.com"),
        ("bo@hotmail.fr", "outlook.com"),
        ("bo@live.com", "outlook.com"),
        ("bo@live.cn", "outlook.com"),
        ("bo@outlook.de", "outlook.com"),
        ("bo@msn.com", "outlook.com"),
        ("cy@yahoo.com", "yahoo.com"),
        ("cy@yahoo.co.uk", "yahoo.com"),
        ("cy@yahoo.com.tw", "yahoo.com"),
        ("cy@ymail.com", "yahoo.com"),
        ("cy@rocketmail.com", "yahoo.com"),
        ("dee@qq.com", "qq.com"),
        ("dee@foxmail.com", "qq.com"),
        ("dee@vip.qq.com", "qq.com"),
        ("ed@163.com", "163.com"),
        ("ed@126.com", "163.com"),
        ("ed@yeah.net", "163.com"),
        ("fay@icloud.com", "icloud.com"),
        ("fay@me.com", "icloud.com"),
        ("fay@mac.com", "icloud.com"),
        ("gus@proton.me", "proton.me"),
        ("gus@protonmail.com", "proton.me"),
        ("hal@gmx.de", "gmx.net"),
        ("ivy@hanmail.net", "daum.net"),
    ],
)
def test_big_providers_are_grouped(address, provider):
    assert provider_for(address) == provider


@pytest.mark.parametrize(
    ("address", "provider"),
    [
        # Any other domain is its own provider, in lower case.
        ("jo@Acme-Corp.example", "acme-corp.example"),
        ("jo@mail.acme.co.uk.", "mail.acme.co.uk"),
        # Yahoo! JAPAN is another company.
        ("jo@yahoo.co.jp", "yahoo.co.jp"),
        # A brand label under someone's own domain is not the brand.
        ("jo@live.acme.com", "live.acme.com"),
        ("jo@hotmail.example.org", "hotmail.example.org"),
        # Internationalised domains in their ASCII form.
        ("jo@bücher.de", "xn--bcher-kva.de"),
        ("success@simulator.invalid", "simulator.invalid"),
    ],
)
def test_other_domains_stay_themselves(address, provider):
    assert provider_for(address) == provider


@pytest.mark.parametrize("address", ["", "no-at-sign", "jo@", "jo@localhost", " @ "])
def test_addresses_without_a_usable_domain_are_unknown(address):
    assert provider_for(address) == UNKNOWN


def test_a_provider_name_maps_to_itself():
    for name in ("gmail.com", "outlook.com", "yahoo.com", "qq.com", "163.com"):
        assert provider_for_domain(name) == name
