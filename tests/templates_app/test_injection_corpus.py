"""Template-injection payloads: each is refused at save or rendered literally.

Nothing an author writes is ever evaluated: `{{7*7}}` never becomes 49,
`{{config}}` is a plain variable named "config" and never shows settings.
"""

import pytest
from django.conf import settings

from accounts.models import Role
from templates_app import services
from templates_app.errors import UnsafeTemplateSyntax
from templates_app.variables import VARIABLE, render_version, unsafe_syntax
from tests.factories import MembershipFactory

REFUSED = [
    "{{7*7}}",
    "{{ 7*7 }}",
    "{{ '7'*7 }}",
    "{{''.__class__}}",
    "{{''.__class__.__mro__[1].__subclasses__()}}",
    "{{ self._TemplateReference__context }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ config.items() }}",
    "{{settings.SECRET_KEY}}",
    "{{ request.META }}",
    "{{name|upper}}",
    "{{ name | safe }}",
    "{{ name|default:'x' }}",
    "{% for x in y %}{{x}}{% endfor %}",
    "{% debug %}",
    "{% load log %}{% get_admin_log 10 as log %}",
    "{% include '/etc/passwd' %}",
    "{# hidden #}",
    "{{{raw}}}",
    "{{#each items}}x{{/each}}",
    "{{=7*7}}",
    "{{constructor.constructor('alert(1)')()}}",
    "{{dump(app)}}",
    "{{_self.env.registerUndefinedFilterCallback('exec')}}",
    "{{ name",
]
# Valid variables: replaced by the value given, nothing else.
VARIABLES = ["{{config}}", "{{request}}", "{{self}}", "{{ settings }}", "{{_}}"]
# Other engines' syntax: text to us.
LITERAL = ["${7*7}", "#{7*7}", "<%= 7*7 %>", "[[${7*7}]]", "*{7*7}", "@(1+2)", "{7*7}"]


@pytest.mark.parametrize("payload", REFUSED)
def test_template_code_is_refused(payload):
    assert unsafe_syntax(f"Hello {payload} bye")


@pytest.mark.parametrize("payload", VARIABLES + LITERAL)
def test_plain_variables_and_foreign_syntax_are_accepted(payload):
    assert unsafe_syntax(f"Hello {payload} bye") == []


class _Version:
    def __init__(self, text: str) -> None:
        self.body_html = f"<p>{text}</p>"
        self.body_text = text
        self.variables = [m[1] for m in VARIABLE.finditer(text)]
        self.url_templates: list[str] = []


@pytest.mark.parametrize("payload", VARIABLES + LITERAL)
def test_accepted_payloads_render_literally(payload):
    version = _Version(f"Hello {payload} bye")
    values = dict.fromkeys(version.variables, "VALUE")

    rendered = render_version(version, values)

    expected = VARIABLE.sub("VALUE", payload)
    assert rendered.text == f"Hello {expected} bye"
    assert "49" not in rendered.text
    assert "3" not in rendered.text
    assert settings.SECRET_KEY not in rendered.html + rendered.text


def test_a_value_holding_template_code_stays_text():
    version = _Version("Hi {{name}}")

    rendered = render_version(version, {"name": "{{7*7}}{% debug %}{{config}}"})

    assert rendered.text == "Hi {{7*7}}{% debug %}{{config}}"


@pytest.fixture
def author(account):
    return MembershipFactory(account=account, role=Role.OPERATOR).user


@pytest.mark.parametrize("kind", ["html", "text"])
@pytest.mark.parametrize("payload", REFUSED)
def test_saving_template_code_is_refused_and_nothing_is_written(
    account, author, kind, payload
):
    with pytest.raises(UnsafeTemplateSyntax) as caught:
        services.create_template(
            account=account,
            author=author,
            name="Injection",
            kind=kind,
            body=f"<p>Hello {payload}</p>",
        )

    assert "Only plain variables" in caught.value.message
    assert not account.email_templates.exists()


@pytest.mark.parametrize("payload", VARIABLES + LITERAL)
def test_saved_payloads_render_literally(account, author, payload):
    template = services.create_template(
        account=account,
        author=author,
        name="Literal",
        kind="html",
        body=f"<p>Hello {payload}</p>",
    )
    version = template.current_version
    values = dict.fromkeys(version.variables, "VALUE")

    rendered = render_version(version, values)

    assert "49" not in rendered.html
    assert settings.SECRET_KEY not in rendered.html + rendered.text
    assert "VALUE" in rendered.text or not version.variables
