import pytest

from domains.names import (
    InvalidName,
    display_domain,
    normalize_domain,
    validate_local_part,
    validate_sender_name,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Example.COM", "example.com"),
        ("  mail.example.com.  ", "mail.example.com"),
        ("例子.中国", "xn--fsqu00a.xn--fiqs8s"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("shop.example.co.uk", "shop.example.co.uk"),
    ],
)
def test_valid_domains_are_normalized_to_ascii(raw, expected):
    assert normalize_domain(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Enter a domain name"),
        ("192.168.1.10", "IP address"),
        ("[::1]", "IP address"),
        ("example.com/path", "only the domain name"),
        ("example.com:25", "only the domain name"),
        ("user@example.com", "only the domain name"),
        ("example .com", "only the domain name"),
        ("localhost", "at least one dot"),
        ("-bad.example.com", "not a valid domain name"),
        ("a..example.com", "not a valid domain name"),
        ("example.notarealtld", "not a known top-level domain"),
        ("co.uk", "public suffix"),
        ("com.", "at least one dot"),
        ("x" * 64 + ".com", "not a valid domain name"),
    ],
)
def test_bad_domains_are_refused_with_a_reason(raw, message):
    with pytest.raises(InvalidName, match=message):
        normalize_domain(raw)


def test_idna_names_display_in_unicode():
    assert display_domain("xn--fsqu00a.xn--fiqs8s") == "例子.中国"


@pytest.mark.parametrize("local", ["noreply", "news.letter", "a", "team+ops", "x_y-z"])
def test_valid_local_parts(local):
    assert validate_local_part(local) == local


@pytest.mark.parametrize("local", ["", ".dot", "dot.", "a..b", "has space", "ä", "a@b"])
def test_bad_local_parts(local):
    with pytest.raises(InvalidName):
        validate_local_part(local)


def test_sender_name_is_one_line_without_header_breakers():
    assert validate_sender_name("  Acme   Support ") == "Acme Support"
    for bad in ["", "Acme: Support", 'Say "hi"', "<Acme>", "x" * 65]:
        with pytest.raises(InvalidName):
            validate_sender_name(bad)
