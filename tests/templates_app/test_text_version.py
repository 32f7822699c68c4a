from templates_app.text_version import html_to_text


def test_blocks_lists_links_and_images_become_readable_text():
    html = (
        "<h1>Hello {{name}}</h1><p>Your order <b>#42</b> has shipped.</p>"
        "<ul><li>Socks</li><li>Shoes</li></ul>"
        '<p><a href="https://shop.example/track">Track it</a> or write to '
        '<a href="mailto:help@example.com">help@example.com</a>.</p>'
        '<img src="logo.png" alt="Acme">Line one<br>Line two'
    )

    assert html_to_text(html) == (
        "Hello {{name}}\n\n"
        "Your order #42 has shipped.\n\n"
        "- Socks\n- Shoes\n\n"
        "Track it (https://shop.example/track) or write to help@example.com.\n\n"
        "Acme Line one\nLine two"
    )


def test_hidden_parts_and_extra_whitespace_disappear():
    html = "<style>p { color: red }</style>\n\n  <p>  spaced    out  </p>\n\n\n"

    assert html_to_text(html) == "spaced out"


def test_table_cells_are_separated():
    assert html_to_text("<table><tr><td>A</td><td>B</td></tr></table>") == "A B"
