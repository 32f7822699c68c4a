"""Variables: found, refused when they are template code, replaced as text."""

from dataclasses import dataclass, field

import pytest

from templates_app.errors import (
    MissingVariables,
    SubjectLineBreak,
    UnsafeTemplateSyntax,
    UnsafeVariableValue,
)
from templates_app.variables import (
    check_syntax,
    find_variables,
    render_subject,
    render_version,
    substitute,
    unsafe_syntax,
)


@dataclass
class Version:
    body_html: str = ""
    body_text: str = ""
    variables: list[str] = field(default_factory=list)
    url_templates: list[str] = field(default_factory=list)


def test_variables_are_listed_once_in_order_of_appearance():
    names = find_variables("Hi {{name}}, {{ code }} and {{name}} again", "{{zip_2}}")

    assert names == ["name", "code", "zip_2"]


@pytest.mark.parametrize(
    "text",
    [
        "{{ a.b }}",
        "{{name|upper}}",
        "{% if x %}y{% endif %}",
        "{# comment #}",
        "{{{raw}}}",
        "unclosed {{name",
        "{{ }}",
        "{{na me}}",
    ],
)
def test_template_code_other_than_plain_variables_is_refused(text):
    with pytest.raises(UnsafeTemplateSyntax) as caught:
        check_syntax(text)

    assert "Only plain variables like {{name}}" in caught.value.message
    assert caught.value.code == "InvalidParameterValue.TemplateContentIsWrong"


def test_the_refusal_names_the_offending_pieces():
    assert unsafe_syntax("Hi {{ user.name }} {% for x in y %}") == [
        "{{ user.name }}",
        "{%",
    ]


def test_plain_text_with_single_braces_is_fine():
    check_syntax('CSS like a{color:red} and JSON {"a": 1} are text')


def test_values_are_inserted_once_and_never_read_again():
    rendered = substitute("{{a}} {{b}}", {"a": "{{b}}", "b": "{% now %}"}, escape=False)

    assert rendered == "{{b}} {% now %}"


def test_html_values_are_escaped_text_values_are_not():
    values = {"name": '<b>Ann</b> & "co"'}

    assert substitute("<p>{{name}}</p>", values, escape=True) == (
        "<p>&lt;b&gt;Ann&lt;/b&gt; &amp; &quot;co&quot;</p>"
    )
    assert substitute("{{name}}", values, escape=False) == values["name"]


def test_subject_is_rendered_without_escaping():
    assert render_subject("Order {{id}} for {{name}}", {"id": "42", "name": "A&B"}) == (
        "Order 42 for A&B"
    )


@pytest.mark.parametrize("value", ["x\r\nBcc: evil@example.com", "a\nb", "a\u2028b"])
def test_a_line_break_in_a_subject_value_is_refused(value):
    with pytest.raises(SubjectLineBreak):
        render_subject("Hi {{name}}", {"name": value})


def test_a_line_break_in_the_subject_itself_is_refused():
    with pytest.raises(SubjectLineBreak):
        render_subject("Hi\r\nBcc: x@example.com", {})


def test_a_missing_subject_value_is_named():
    with pytest.raises(MissingVariables) as caught:
        render_subject("Hi {{name}} {{code}}", {"name": "x"})

    assert caught.value.missing == ["code"]
    assert caught.value.code == "InvalidParameterValue.TemplateNotMatchData"


def test_render_version_gives_a_document_and_text():
    version = Version(
        body_html="<p>Hi {{name}}</p>",
        body_text="Hi {{name}}",
        variables=["name"],
    )

    rendered = render_version(version, {"name": "<Ann>"})

    assert "<p>Hi &lt;Ann&gt;</p>" in rendered.html
    assert rendered.html.startswith("<!DOCTYPE html>")
    assert rendered.text == "Hi <Ann>"


def test_plain_text_versions_have_no_html_part():
    version = Version(body_text="Code {{code}}", variables=["code"])

    assert render_version(version, {"code": "7"}).html == ""


def test_render_version_refuses_missing_values():
    version = Version(body_text="{{a}} {{b}}", variables=["a", "b"])

    with pytest.raises(MissingVariables) as caught:
        render_version(version, {"b": "1", "unused": "2"})

    assert caught.value.missing == ["a"]


@pytest.mark.parametrize(
    "value",
    ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "vbscript:x", "data:text/html,x"],
)
def test_a_value_that_would_make_a_link_executable_is_refused(value):
    version = Version(
        body_html='<a href="{{link}}">Go</a>',
        variables=["link"],
        url_templates=["{{link}}"],
    )

    with pytest.raises(UnsafeVariableValue):
        render_version(version, {"link": value})


def test_a_value_cannot_complete_a_scheme_written_around_it():
    version = Version(
        body_html='<a href="{{a}}:alert(1)">Go</a>',
        variables=["a"],
        url_templates=["{{a}}:alert(1)"],
    )

    with pytest.raises(UnsafeVariableValue):
        render_version(version, {"a": "javascript"})


def test_web_links_with_values_render():
    version = Version(
        body_html='<a href="{{link}}">Go</a><a href="https://x.example/?u={{id}}">U</a>',
        variables=["link", "id"],
        url_templates=["{{link}}", "https://x.example/?u={{id}}"],
    )

    rendered = render_version(
        version, {"link": "https://shop.example/o/1", "id": 'a:b"c'}
    )

    assert 'href="https://shop.example/o/1"' in rendered.html
    assert 'href="https://x.example/?u=a:b&quot;c"' in rendered.html
