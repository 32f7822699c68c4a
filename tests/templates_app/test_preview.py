"""The preview: a form of sample values and a sandboxed frame with its own CSP."""

import pytest
from django.urls import reverse

from tests.factories import EmailTemplateFactory


@pytest.fixture
def template(account, owner):
    return EmailTemplateFactory(
        account=account,
        author=owner,
        body='<p>Hi {{name}}</p><a href="{{link}}">Open</a>',
    )


def frame(template):
    return reverse("templates_app:preview_frame", args=[template.pk, 1])


def preview(template):
    return reverse("templates_app:preview", args=[template.pk, 1])


def test_the_frame_has_a_strict_policy_of_its_own(owner_client, template):
    response = owner_client.get(frame(template))

    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy
    assert "sandbox" in policy.split("; ")
    assert "nonce" not in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Referrer-Policy"] == "no-referrer"


def test_console_pages_still_refuse_framing(owner_client, template):
    response = owner_client.get(preview(template))

    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_the_frame_renders_sample_values_escaped(owner_client, template):
    response = owner_client.get(
        frame(template),
        {"v-name": "<b>Ann</b>", "v-link": "https://shop.example/1"},
    )

    assert "<p>Hi &lt;b&gt;Ann&lt;/b&gt;</p>" in response.text
    assert 'href="https://shop.example/1"' in response.text


def test_missing_values_show_as_placeholders(owner_client, template):
    response = owner_client.get(frame(template))

    assert "<p>Hi [name]</p>" in response.text


def test_an_unsafe_link_value_is_explained_not_rendered(owner_client, template):
    response = owner_client.get(frame(template), {"v-link": "javascript:alert(1)"})

    assert "would make the link" in response.text
    assert 'href="javascript' not in response.text


def test_the_preview_page_builds_a_form_from_the_variables(owner_client, template):
    response = owner_client.get(preview(template), {"v-name": "Ann"})

    page = response.text
    assert 'name="v-name"' in page
    assert 'name="v-link"' in page
    assert 'value="Ann"' in page
    assert "v-name=Ann" in page  # passed on to the frame
    assert "<iframe" in page
    assert " sandbox " in page
    assert "Hi Ann" in page  # the plain-text part


def test_the_width_switch_uses_classes_not_inline_styles(owner_client, template):
    desktop = owner_client.get(preview(template)).text
    narrow = owner_client.get(preview(template), {"width": "narrow"}).text

    assert 'class="device desktop"' in desktop
    assert 'class="device narrow"' in narrow
    assert ' style="' not in narrow


def test_htmx_width_switch_returns_the_stage_only(owner_client, template):
    response = owner_client.get(
        preview(template),
        {"width": "narrow", "v-name": "Ann"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="preview-stage",
    )

    assert response.text.lstrip().startswith('<section class="panel stage"')
    assert 'class="device narrow"' in response.text
    assert "v-name=Ann" in response.text


def test_plain_text_templates_preview_as_escaped_text(account, owner, owner_client):
    template = EmailTemplateFactory(
        account=account, author=owner, kind="text", body="Hello {{name}}"
    )

    response = owner_client.get(frame(template), {"v-name": "<script>x</script>"})

    assert "Hello &lt;script&gt;x&lt;/script&gt;" in response.text
