"""Template variables: `{{name}}` found, checked and replaced by plain strings.

No template engine ever runs on an author's text. A variable is `{{name}}`
(letters, digits and underscores, spaces inside the braces allowed); anything
else between `{{` and `}}`, and any `{%`, is refused when the template is
saved (`check_syntax`). Rendering is one regular-expression pass that puts
each value in as a string — HTML-escaped in HTML bodies — so a value that
looks like template code stays text.

For the sending app:

- `render_subject(subject, values) -> str` — the subject with its variables
  replaced; raises `SubjectLineBreak` when the subject or a value holds a line
  break, `MissingVariables` when a value is missing, `UnsafeTemplateSyntax`
  for template code in the subject.
- `render_version(version, values) -> RenderedBodies(html, text)` — a
  `TemplateVersion`'s bodies with values in place. `html` is a complete HTML
  document, or "" for a plain-text template; `text` is the plain-text part.
  Raises `MissingVariables` (code `InvalidParameterValue.TemplateNotMatchData`)
  when `values` does not cover `version.variables`, and `UnsafeVariableValue`
  when a value would turn a link into a `javascript:` (or other non-web) URL.
"""

import html as html_lib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from templates_app.errors import (
    MissingVariables,
    SubjectLineBreak,
    UnsafeTemplateSyntax,
    UnsafeVariableValue,
)
from templates_app.sanitizing import is_safe_url

VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_]{1,64})\s*\}\}")
# Everything that looks like template code: `{{ … }}` pairs, an unclosed
# `{{`, and the statement / comment openers of Django, Jinja and friends.
_CANDIDATE = re.compile(r"\{\{.*?\}\}|\{\{|\{%|\{#", re.DOTALL)

# Every character str.splitlines() breaks on: any of them in a header could
# start a new one in some mail program.
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")

DOCUMENT = (
    "<!DOCTYPE html>\n"
    '<html><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "</head>\n<body>\n{body}\n</body></html>\n"
)


class RenderableVersion(Protocol):
    """What render_version needs of a TemplateVersion."""

    body_html: str
    body_text: str
    variables: list[str]
    url_templates: list[str]


@dataclass(frozen=True)
class RenderedBodies:
    html: str
    text: str


def find_variables(*texts: str) -> list[str]:
    """The variable names in `texts`, each once, in order of appearance."""
    names: dict[str, None] = {}
    for text in texts:
        for match in VARIABLE.finditer(text):
            names.setdefault(match[1])
    return list(names)


def unsafe_syntax(text: str) -> list[str]:
    """The pieces of `text` that look like template code but are no variable."""
    found: dict[str, None] = {}
    for match in _CANDIDATE.finditer(text):
        piece = match[0]
        if not VARIABLE.fullmatch(piece):
            shown = " ".join(piece.split())
            found.setdefault(shown if len(shown) <= 40 else shown[:37] + "…")
    return list(found)


def check_syntax(text: str, *, field: str = "body") -> None:
    """Refuse template code other than `{{name}}` variables."""
    if snippets := unsafe_syntax(text):
        raise UnsafeTemplateSyntax(snippets, field=field)


def substitute(text: str, values: Mapping[str, object], *, escape: bool) -> str:
    """Replace each variable of `text` by its value, in one pass.

    Values are inserted as text, never read again: a value holding `{{x}}`
    stays `{{x}}`. Variables without a value are left as they are.
    """

    def value_of(match: re.Match[str]) -> str:
        name = match[1]
        if name not in values:
            return match[0]
        value = str(values[name])
        return html_lib.escape(value, quote=True) if escape else value

    return VARIABLE.sub(value_of, text)


def missing_values(names: Iterable[str], values: Mapping[str, object]) -> list[str]:
    return [name for name in names if name not in values]


def _has_line_break(text: str) -> bool:
    return any(char in LINE_BREAKS for char in text)


def render_subject(subject: str, values: Mapping[str, object]) -> str:
    """The subject with its variables replaced, safe to use as a header."""
    if _has_line_break(subject):
        raise SubjectLineBreak
    check_syntax(subject, field="subject")
    if missing := missing_values(find_variables(subject), values):
        raise MissingVariables(missing)
    rendered = substitute(subject, values, escape=False)
    if _has_line_break(rendered):
        raise SubjectLineBreak("A value used in the subject contains a line break.")
    return rendered


def check_link_values(
    url_templates: Iterable[str], values: Mapping[str, object]
) -> None:
    """Refuse values that would make a link's URL anything but a web link."""
    for template in url_templates:
        url = substitute(template, values, escape=False)
        if not is_safe_url(url):
            names = ", ".join(f"{{{{{n}}}}}" for n in find_variables(template))
            raise UnsafeVariableValue(
                f"The value of {names} would make the link “{url[:60]}” unsafe; "
                "links must be http, https or mailto."
            )


def render_version(
    version: RenderableVersion, values: Mapping[str, object]
) -> RenderedBodies:
    """The version's HTML document and plain text with `values` in place."""
    if missing := missing_values(version.variables, values):
        raise MissingVariables(missing)
    check_link_values(version.url_templates, values)
    text = substitute(version.body_text, values, escape=False)
    if not version.body_html:
        return RenderedBodies(html="", text=text)
    body = substitute(version.body_html, values, escape=True)
    return RenderedBodies(html=DOCUMENT.format(body=body), text=text)
