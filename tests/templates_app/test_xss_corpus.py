"""No XSS payload survives sanitising, saving or rendering with values."""

import pytest

from templates_app.errors import UnsafeVariableValue
from templates_app.sanitizing import sanitize_html
from templates_app.variables import render_version
from tests.templates_app.inert import assert_inert, problems
from tests.templates_app.xss_corpus import XSS_PAYLOADS


@pytest.mark.parametrize(
    "html",
    [
        "<script>x</script>",
        '<a href="jav&#x09;ascript:x">y</a>',
        '<img src="x" onerror="y">',
        '<p style="width: expression(1)">x</p>',
        '<svg><a href="#">x</a></svg>',
        '<img src="data:image/svg+xml;base64,AAAA">',
        "<!-- a comment -->",
    ],
)
def test_the_inertness_check_itself_catches_active_html(html):
    assert problems(html)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_sanitising_leaves_nothing_executable(payload):
    cleaned = sanitize_html(f"<p>Before</p>{payload}<p>After</p>")

    assert_inert(cleaned.html)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_sanitising_twice_changes_nothing(payload):
    once = sanitize_html(payload).html

    assert sanitize_html(once).html == once


def test_removed_elements_and_handlers_are_reported_to_the_author():
    # Entity-encoded URLs without semicolons are not removed but neutralised:
    # their "&" is escaped, so the browser reads them as harmless text.
    active = [
        payload
        for payload in XSS_PAYLOADS
        if any("element" in p or "handler" in p for p in problems(payload))
    ]
    silent = [payload for payload in active if not sanitize_html(payload).removed]

    assert len(active) > 60
    assert not silent


class _Version:
    body_html = (
        '<p>{{text}}</p><a href="https://x.example/?q={{query}}" title="{{title}}">'
        'link</a><a href="{{link}}">go</a>'
    )
    body_text = "{{text}}"
    variables = ["text", "query", "title", "link"]
    url_templates = ["https://x.example/?q={{query}}", "{{link}}"]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payloads_as_variable_values_render_as_text(payload):
    values = {"text": payload, "query": payload, "title": payload, "link": "/ok"}

    rendered = render_version(_Version(), values)

    body = rendered.html.split("<body>", 1)[1].split("</body>", 1)[0]
    assert_inert(body)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payloads_as_a_link_value_are_refused_or_inert(payload):
    values = {"text": "t", "query": "q", "title": "t", "link": payload}

    try:
        rendered = render_version(_Version(), values)
    except UnsafeVariableValue:
        return  # refused: the link is never written
    body = rendered.html.split("<body>", 1)[1].split("</body>", 1)[0]
    assert_inert(body)
