"""Make an author's HTML safe to send and to show: one safelist, behind bleach.

`sanitize_html(html)` keeps what email clients render — tables, inline
`style` (against a CSS safelist), images, links with http/https/mailto — and
removes the rest: scripts, event handlers, forms, frames, embedded objects,
`javascript:`/`vbscript:` URLs, and `data:` URLs except raster images in
`<img src>`. It returns the cleaned HTML and a list of what it removed, so
the author sees it.

Elements whose content is code or hidden text (`<script>`, `<style>`,
`<svg>`, `<iframe>`, `<textarea>`, …) are removed with their content; other
disallowed elements (`<form>`, `<font>`-like wrappers we do not keep) are
unwrapped and their text kept.

The parse is html5lib's (bleach's vendored copy), the algorithm browsers use,
so what we check is what a client would build.
"""

import re
import threading
from collections import Counter
from dataclasses import dataclass, field

import tinycss2
from bleach import html5lib_shim
from bleach.css_sanitizer import CSSSanitizer
from bleach.sanitizer import BleachSanitizerFilter

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "address", "article", "b", "bdi", "bdo", "big",
        "blockquote", "br", "caption", "center", "cite", "code", "col",
        "colgroup", "dd", "del", "dfn", "div", "dl", "dt", "em", "figcaption",
        "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hr", "i", "img", "ins", "kbd", "li", "main", "mark", "ol",
        "p", "pre", "q", "s", "samp", "section", "small", "span", "strike",
        "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
        "thead", "time", "tr", "tt", "u", "ul", "var", "wbr",
    }
)  # fmt: skip

# Removed together with everything inside them: code, hidden text, or content
# that only makes sense with the element (options of a <select>).
DROP_WITH_CONTENT = frozenset(
    {
        "applet", "audio", "button", "canvas", "datalist", "embed", "frame",
        "frameset", "iframe", "link", "math", "meta", "noembed", "noframes",
        "noscript", "object", "optgroup", "option", "plaintext", "script",
        "select", "style", "svg", "template", "textarea", "title", "video",
        "xmp", "base", "input", "param", "source", "track", "portal",
    }
)  # fmt: skip

# Document furniture an uploaded page always has: dropped without a report.
QUIET_TAGS = frozenset({"title"})
QUIET_META = re.compile(r"^(charset|viewport|content-type|x-ua-compatible)$", re.I)

_COMMON_ATTRS = ["style", "class", "id", "dir", "lang", "title", "align"]
_CELL_ATTRS = ["width", "height", "valign", "bgcolor", "background", "nowrap"]
ALLOWED_ATTRIBUTES: dict[str, list[str]] = {
    "*": _COMMON_ATTRS,
    "a": [*_COMMON_ATTRS, "href", "name", "target", "rel"],
    "img": [*_COMMON_ATTRS, "src", "alt", "width", "height", "border", "hspace"],
    "table": [
        *_COMMON_ATTRS,
        "border",
        "cellpadding",
        "cellspacing",
        "role",
        "width",
        "height",
        "bgcolor",
        "background",
    ],
    "td": [*_COMMON_ATTRS, *_CELL_ATTRS, "colspan", "rowspan", "scope"],
    "th": [*_COMMON_ATTRS, *_CELL_ATTRS, "colspan", "rowspan", "scope"],
    "tr": [*_COMMON_ATTRS, "valign", "bgcolor", "height"],
    "tbody": [*_COMMON_ATTRS, "valign"],
    "thead": [*_COMMON_ATTRS, "valign"],
    "tfoot": [*_COMMON_ATTRS, "valign"],
    "col": [*_COMMON_ATTRS, "span", "width"],
    "colgroup": [*_COMMON_ATTRS, "span", "width"],
    "font": [*_COMMON_ATTRS, "color", "face", "size"],
    "ol": [*_COMMON_ATTRS, "start", "type", "reversed"],
    "ul": [*_COMMON_ATTRS, "type"],
    "li": [*_COMMON_ATTRS, "value"],
    "hr": [*_COMMON_ATTRS, "width", "size", "noshade", "color"],
    "blockquote": [*_COMMON_ATTRS, "cite"],
    "q": [*_COMMON_ATTRS, "cite"],
    "del": [*_COMMON_ATTRS, "cite", "datetime"],
    "ins": [*_COMMON_ATTRS, "cite", "datetime"],
    "time": [*_COMMON_ATTRS, "datetime"],
    "div": [*_COMMON_ATTRS, "role"],
}

LINK_PROTOCOLS = frozenset({"http", "https", "mailto"})
IMAGE_PROTOCOLS = frozenset({"http", "https", "cid"})
# Raster images only: an SVG image can carry script.
DATA_IMAGE = re.compile(r"^data:image/(png|gif|jpe?g|webp|bmp);base64,[a-z0-9+/=]*$")

ALLOWED_CSS_PROPERTIES = frozenset(
    {
        "background", "background-color", "background-image",
        "background-position", "background-repeat", "background-size",
        "border", "border-bottom", "border-bottom-color",
        "border-bottom-left-radius", "border-bottom-right-radius",
        "border-bottom-style", "border-bottom-width", "border-collapse",
        "border-color", "border-left", "border-left-color", "border-left-style",
        "border-left-width", "border-radius", "border-right",
        "border-right-color", "border-right-style", "border-right-width",
        "border-spacing", "border-style", "border-top", "border-top-color",
        "border-top-left-radius", "border-top-right-radius", "border-top-style",
        "border-top-width", "border-width", "box-sizing", "caption-side",
        "clear", "color", "direction", "display", "float", "font",
        "font-family", "font-size", "font-style", "font-variant", "font-weight",
        "height", "letter-spacing", "line-height", "list-style",
        "list-style-position", "list-style-type", "margin", "margin-bottom",
        "margin-left", "margin-right", "margin-top", "max-height", "max-width",
        "min-height", "min-width", "mso-hide", "mso-line-height-rule",
        "mso-table-lspace", "mso-table-rspace", "opacity", "outline",
        "overflow", "overflow-wrap", "padding", "padding-bottom",
        "padding-left", "padding-right", "padding-top", "table-layout",
        "text-align", "text-decoration", "text-indent", "text-transform",
        "vertical-align", "visibility", "white-space", "width", "word-break",
        "word-spacing", "word-wrap", "-ms-text-size-adjust",
        "-webkit-text-size-adjust",
    }
)  # fmt: skip
CSS_FUNCTIONS = frozenset({"rgb", "rgba", "hsl", "hsla", "calc"})

VARIABLE_MARK = "{{"


@dataclass(frozen=True)
class Removal:
    what: str
    count: int

    def __str__(self) -> str:
        return f"{self.what} (\u00d7{self.count})" if self.count > 1 else self.what


@dataclass(frozen=True)
class SanitizedHtml:
    html: str
    removed: list[Removal]
    # URL attribute values that contain variables: checked again, with the
    # values in place, every time the template is rendered.
    url_templates: list[str] = field(default_factory=list)
    # Style attributes that contain variables: refused by the caller.
    style_variables: list[str] = field(default_factory=list)


class _Report:
    def __init__(self) -> None:
        self.removed: Counter[str] = Counter()
        self.url_templates: list[str] = []
        self.style_variables: list[str] = []

    def remove(self, what: str) -> None:
        self.removed[what] += 1


def _normalized_url(value: str) -> str:
    """The URL as a browser would read its scheme (entities, spaces, controls)."""
    url = html5lib_shim.convert_entities(value)
    url = re.sub(r"[`\000-\040\177-\240\s]+", "", url)
    url = re.sub(r"[^\x00-\x7f]", "", url)
    return url.lower()


def url_scheme(value: str) -> str | None:
    """The scheme of `value` as a browser reads it; None for a relative URL."""
    match = re.match(r"^([a-z][a-z0-9+.\-]*):", _normalized_url(value))
    return match[1] if match else None


def is_safe_url(value: str, protocols: frozenset[str] = LINK_PROTOCOLS) -> bool:
    """True for relative URLs and URLs whose scheme is in `protocols`."""
    url = _normalized_url(value)
    scheme = url_scheme(value)
    if scheme is None:
        # A colon before any "/", "?" or "#" that did not parse as a scheme
        # (`java{{x}}script:`) could still become one: refuse it.
        head = re.split(r"[/?#]", url, maxsplit=1)[0]
        return ":" not in head
    return scheme in protocols


def is_safe_image_url(value: str) -> bool:
    if DATA_IMAGE.match(_normalized_url(value)):
        return True
    return is_safe_url(value, IMAGE_PROTOCOLS)


def _css_value_problem(tokens: list) -> str | None:
    """Why a CSS value is unsafe, or None: only plain values and a few functions."""
    for token in tokens:
        if token.type == "url":
            if not is_safe_url(token.value, frozenset({"http", "https"})):
                return "url()"
        elif token.type == "function":
            if token.lower_name == "url":
                args = [t for t in token.arguments if t.type == "string"]
                if len(args) != 1 or not is_safe_url(
                    args[0].value, frozenset({"http", "https"})
                ):
                    return "url()"
            elif token.lower_name not in CSS_FUNCTIONS:
                return f"{token.lower_name}()"
            elif problem := _css_value_problem(token.arguments):
                return problem
        elif token.type in {"() block", "[] block", "{} block"}:
            return "a bracketed block"
        elif token.type == "error":
            return "malformed CSS"
        elif token.type == "at-keyword":
            return token.type
    return None


class _EmailCssSanitizer(CSSSanitizer):
    """Keep safelisted properties with plain values; report what goes."""

    def __init__(self, report: _Report) -> None:
        super().__init__(allowed_css_properties=ALLOWED_CSS_PROPERTIES)
        self.report = report

    def sanitize_css(self, style: str) -> str:
        kept: list[str] = []
        for item in tinycss2.parse_declaration_list(
            style, skip_comments=True, skip_whitespace=True
        ):
            if item.type != "declaration":
                self.report.remove("unreadable CSS in a style attribute")
                continue
            name = item.lower_name
            if name not in self.allowed_css_properties:
                self.report.remove(f"CSS property {name}")
                continue
            value = tinycss2.serialize(item.value).strip()
            # Escapes hide names from filters (`\75rl(` is `url(`); email CSS
            # never needs them.
            problem = "escaped characters" if "\\" in value else None
            if problem := problem or _css_value_problem(item.value):
                self.report.remove(f"CSS {name} using {problem}")
                continue
            important = " !important" if item.important else ""
            kept.append(f"{name}: {value}{important}")
        return "; ".join(kept)


class _RecordingSanitizer(BleachSanitizerFilter):
    """bleach's sanitizer, reporting each removal and handling our URL rules."""

    def __init__(self, source: object, report: _Report) -> None:
        super().__init__(
            source=_drop_with_content(source, report),
            allowed_tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            allowed_protocols=LINK_PROTOCOLS,
            strip_disallowed_tags=True,
            strip_html_comments=True,
            css_sanitizer=_EmailCssSanitizer(report),
        )
        self.report = report

    def sanitize_token(self, token: dict) -> object:
        kind = token["type"]
        if kind in {"StartTag", "EmptyTag"} and token["name"] not in ALLOWED_TAGS:
            self.report.remove(f"<{token['name']}> element")
        elif kind == "Comment":
            self.report.remove("HTML comment")
        return super().sanitize_token(token)

    def allow_token(self, token: dict) -> dict:
        if not token.get("data"):
            return token
        tag = token["name"]
        kept = {}
        for (namespace, name), value in token["data"].items():
            if namespace is not None or not self.attr_filter(tag, name, value):
                label = "event handler" if name.startswith("on") else "attribute"
                self.report.remove(f"{name} {label} on <{tag}>")
                continue
            if (None, name) in self.attr_val_is_uri:
                safe = (
                    is_safe_image_url(value)
                    if (tag, name) == ("img", "src")
                    else is_safe_url(value)
                )
                if not safe:
                    scheme = url_scheme(value)
                    label = f"{scheme}: URL" if scheme else "unsafe URL"
                    self.report.remove(f"{label} in {name} on <{tag}>")
                    continue
                if VARIABLE_MARK in value:
                    self.report.url_templates.append(value)
            if name == "style":
                if VARIABLE_MARK in value:
                    self.report.style_variables.append(value)
                value = self.css_sanitizer.sanitize_css(value)
                if not value:
                    continue
            kept[(None, name)] = value
        token["data"] = kept
        return token


def _drop_with_content(tokens: object, report: _Report) -> object:
    """Skip DROP_WITH_CONTENT elements and everything inside them.

    The tree walker emits balanced tokens, so counting start and end tags
    finds where a dropped element ends.
    """
    depth = 0
    for token in tokens:
        kind = token["type"]
        if depth:
            if kind == "StartTag":
                depth += 1
            elif kind == "EndTag":
                depth -= 1
            continue
        name = token.get("name", "")
        if kind in {"StartTag", "EmptyTag"} and name in DROP_WITH_CONTENT:
            if not _is_quiet(token):
                report.remove(f"<{name}> element")
            if kind == "StartTag":
                depth = 1
            continue
        yield token


def _is_quiet(token: dict) -> bool:
    name = token["name"]
    if name in QUIET_TAGS:
        return True
    if name != "meta":
        return False
    attrs = {key[1]: value for key, value in (token.get("data") or {}).items()}
    kind = (
        attrs.get("http-equiv")
        or attrs.get("name")
        or ("charset" if "charset" in attrs else "")
    )
    return bool(QUIET_META.match(kind))


class _Machinery(threading.local):
    """html5lib's parser keeps state between calls: one per thread."""

    def __init__(self) -> None:
        self.parser = html5lib_shim.BleachHTMLParser(
            tags=None, strip=True, consume_entities=False, namespaceHTMLElements=False
        )
        self.walker = html5lib_shim.getTreeWalker("etree")
        self.serializer = html5lib_shim.BleachHTMLSerializer(
            quote_attr_values="always",
            omit_optional_tags=False,
            escape_lt_in_attrs=True,
            resolve_entities=False,
            sanitize=False,
            alphabetical_attributes=False,
        )


_machinery = _Machinery()


def sanitize_html(html: str) -> SanitizedHtml:
    """Clean `html` (a fragment or a whole page) against the email safelist."""
    report = _Report()
    if not html:
        return SanitizedHtml(html="", removed=[])
    dom = _machinery.parser.parseFragment(html)
    stream = _RecordingSanitizer(_machinery.walker(dom), report)
    cleaned = _machinery.serializer.render(stream).strip()
    return SanitizedHtml(
        html=cleaned,
        removed=[Removal(what, count) for what, count in report.removed.items()],
        url_templates=list(dict.fromkeys(report.url_templates)),
        style_variables=report.style_variables,
    )
