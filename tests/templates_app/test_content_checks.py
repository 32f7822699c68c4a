"""Content checks find what a reviewer must see; blocking words block."""

import pytest

from templates_app.content_checks import Kind, check_content


@pytest.fixture(autouse=True)
def word_lists(settings):
    settings.SES_SENSITIVE_WORDS = ["casino", "贷款"]
    settings.SES_BLOCKING_WORDS = ["赌博", "fake invoice"]
    settings.SES_TEMPLATE_MAX_BYTES = 10_000


def kinds(findings) -> list[str]:
    return [finding.kind for finding in findings]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("加微信: shop_2024abc 领取优惠", Kind.WECHAT),
        ("WeChat ID\uff1aacme-support", Kind.WECHAT),
        ("vx abcdef123 咨询", Kind.WECHAT),
        ("Add me on WeChat for a discount", Kind.WECHAT),
        ("QQ: 123456789", Kind.QQ),
        ("扣扣 88886666", Kind.QQ),
        ("QQ群 987654321", Kind.QQ),
        ("扫码领取红包", Kind.QR_CODE),
        ("Scan the QR code below", Kind.QR_CODE),
        ("欢迎加群交流", Kind.GROUP_INVITATION),
        ("Join our Telegram group today", Kind.GROUP_INVITATION),
        ("https://chat.whatsapp.com/AbCdEf", Kind.GROUP_INVITATION),
        ("Best casino bonuses", Kind.SENSITIVE_WORD),
        ("低息贷款", Kind.SENSITIVE_WORD),
    ],
)
def test_contact_details_and_sensitive_words_are_found(text, kind):
    findings = check_content(text=f"Hello,\n{text}\nThanks")

    assert kind in kinds(findings)
    assert not any(finding.blocking for finding in findings)


@pytest.mark.parametrize(
    "text",
    [
        "Your order 123456789 has shipped",
        "A classic casinos-free newsletter",
        "Contact us at help@example.com or +1 555 0100",
        "We chat about products every week",
    ],
)
def test_ordinary_text_has_no_findings(text):
    assert check_content(text=text) == []


def test_blocking_words_block():
    findings = check_content(text="网上赌博", html="<p>We sell a Fake Invoice</p>")

    assert [(f.kind, f.blocking) for f in findings] == [
        (Kind.BLOCKED_WORD, True),
        (Kind.BLOCKED_WORD, True),
    ]
    assert findings[1].label == "Blocked word “fake invoice”"
    assert "Fake Invoice" in findings[1].excerpt


def test_qr_code_images_and_group_links_in_html_are_found():
    findings = check_content(
        text="",
        html='<img src="https://cdn.example.com/qrcode.png" alt="">'
        '<a href="https://t.me/+AbCdEf">us</a>',
    )

    assert kinds(findings) == [Kind.GROUP_INVITATION, Kind.QR_CODE]


def test_content_over_the_size_limit_blocks():
    findings = check_content(text="x" * 10_001)

    assert [(f.kind, f.blocking) for f in findings] == [(Kind.SIZE, True)]
    assert "10,001 bytes; the limit is 10,000" in findings[0].label
