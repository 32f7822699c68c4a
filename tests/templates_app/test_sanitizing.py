"""The safelist keeps what email clients render and says what it removed."""

from templates_app.sanitizing import is_safe_url, sanitize_html

NEWSLETTER = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Spring sale</title>
<style>.x { color: red }</style></head>
<body>
<table role="presentation" width="600" cellpadding="0" cellspacing="0"
  bgcolor="#ffffff">
  <tr><td align="center"
    style="padding: 24px; font-family: Arial, sans-serif; color: #333333">
    <img src="https://cdn.example.com/logo.png" alt="Acme" width="120" height="40">
    <h1 style="font-size: 24px; margin: 0 0 12px">Hello {{first_name}}</h1>
    <p>Our <strong>spring sale</strong> starts <em>today</em>.</p>
    <a href="https://shop.example.com/?u={{user_id}}"
      style="background-color: #0b6cff; color: #fff; padding: 12px 20px;
      border-radius: 4px; text-decoration: none">Shop now</a>
    <p><a href="mailto:help@example.com">help@example.com</a></p>
  </td></tr>
</table>
</body></html>"""


def test_an_email_newsletter_keeps_its_layout_styles_images_and_links():
    cleaned = sanitize_html(NEWSLETTER).html

    for kept in [
        '<table role="presentation" width="600" cellpadding="0" cellspacing="0" '
        'bgcolor="#ffffff">',
        'style="padding: 24px; font-family: Arial, sans-serif; color: #333333"',
        '<img src="https://cdn.example.com/logo.png" alt="Acme" width="120" '
        'height="40">',
        "<h1",
        "Hello {{first_name}}",
        '<a href="https://shop.example.com/?u={{user_id}}"',
        "border-radius: 4px",
        '<a href="mailto:help@example.com">',
        "<strong>spring sale</strong>",
    ]:
        assert kept in cleaned


def test_document_furniture_goes_quietly_and_style_blocks_are_reported():
    result = sanitize_html(NEWSLETTER)

    removed = [str(item) for item in result.removed]
    assert removed == ["<style> element"]
    assert "Spring sale" not in result.html
    assert "color: red" not in result.html


def test_each_removal_is_named_and_counted():
    result = sanitize_html(
        '<a href="javascript:alert(1)" onclick="x()">a</a>'
        '<a href="https://ok.example" onclick="y()">b</a>'
        '<form action="/x"><input name="q">Text</form>'
        '<p style="position: absolute; color: red">p</p>'
    )

    assert [str(item) for item in result.removed] == [
        "javascript: URL in href on <a>",
        "onclick event handler on <a> (\u00d72)",
        "<form> element",
        "<input> element",
        "CSS property position",
    ]
    assert "Text" in result.html
    assert '<p style="color: red">p</p>' in result.html


def test_scripts_go_with_their_content_forms_keep_their_text():
    result = sanitize_html("<script>var secret = 1;</script><form>Visible</form>")

    assert result.html == "Visible"


def test_raster_data_images_are_kept_svg_data_images_are_not():
    png = "data:image/png;base64,iVBORw0KGgo="
    result = sanitize_html(
        f'<img src="{png}" alt="a">'
        '<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="b">'
        '<a href="data:image/png;base64,iVBORw0KGgo=">c</a>'
    )

    assert f'<img src="{png}" alt="a">' in result.html
    assert '<img alt="b">' in result.html
    assert "<a>c</a>" in result.html


def test_css_urls_are_kept_only_for_web_addresses():
    result = sanitize_html(
        '<table><tr><td style="background-image: url(https://cdn.example.com/bg.png)">'
        "a</td></tr></table>"
        '<div style="background: url(javascript:alert(1)); color: blue">b</div>'
        '<div style="width: expression(alert(1)); height: 10px">c</div>'
    )

    assert "url(https://cdn.example.com/bg.png)" in result.html
    assert '<div style="color: blue">b</div>' in result.html
    assert '<div style="height: 10px">c</div>' in result.html


def test_variables_in_urls_and_styles_are_noted():
    result = sanitize_html(
        '<a href="{{link}}">a</a><img src="https://x.example/{{id}}.png">'
        '<p style="color: {{colour}}">c</p>'
    )

    assert result.url_templates == ["{{link}}", "https://x.example/{{id}}.png"]
    assert result.style_variables == ["color: {{colour}}"]


def test_url_safety_reads_urls_as_a_browser_does():
    assert is_safe_url("https://example.com/a:b")
    assert is_safe_url("/relative/path?time=10:00")
    assert is_safe_url("mailto:a@example.com")
    assert is_safe_url("{{link}}")
    assert not is_safe_url("  JaVa\tScRiPt:alert(1)")
    assert not is_safe_url("&#106;avascript:alert(1)")
    assert not is_safe_url("java{{x}}script:alert(1)")
    assert not is_safe_url("data:text/html,x")
