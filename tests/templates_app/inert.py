"""An independent check that HTML can run nothing: parsed as a browser would.

It parses with html5lib's tree builder (the HTML standard's algorithm, as in
browsers) and fails on any element, attribute, URL or CSS that can execute
code or load active content. It shares no code with templates_app.sanitizing.
"""

import re

from bleach._vendor import html5lib

ACTIVE_ELEMENTS = {
    "applet", "audio", "base", "bgsound", "button", "embed", "form", "frame",
    "frameset", "iframe", "input", "isindex", "keygen", "link",
    "math", "meta", "noscript", "object", "param", "portal", "script",
    "select", "style", "svg", "template", "textarea", "video", "xml",
}  # fmt: skip
URL_ATTRIBUTES = {
    "action", "background", "cite", "codebase", "data", "dynsrc", "formaction",
    "href", "longdesc", "lowsrc", "ping", "poster", "src", "srcset", "usemap",
}  # fmt: skip
SAFE_SCHEMES = {"http", "https", "mailto", "cid"}
RASTER_DATA_IMAGE = re.compile(r"^data:image/(png|gif|jpe?g|webp|bmp);base64,")
CSS_DANGER = re.compile(
    r"expression|javascript|vbscript|behavior|binding|@import|\\|url\((?!\s*['\"]?https?:)",
    re.IGNORECASE,
)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def _scheme(value: str) -> str | None:
    squeezed = re.sub(r"[\x00-\x20\x7f-\xa0\s]+", "", value).lower()
    match = re.match(r"([a-z][a-z0-9+.\-]*):", squeezed)
    return match[1] if match else None


def problems(html: str) -> list[str]:
    """Everything in `html` that could run code; empty when it is inert."""
    found = []
    if "<script" in html.lower():
        found.append("the text <script")
    fragment = html5lib.parseFragment(html, namespaceHTMLElements=False)
    for element in fragment.iter():
        if not isinstance(element.tag, str):
            found.append("a comment or processing instruction")
            continue
        tag = _local(element.tag)
        if tag in ACTIVE_ELEMENTS or element.tag.startswith("{"):
            found.append(f"<{tag}> element")
        for raw_name, value in element.attrib.items():
            name = _local(raw_name)
            if name.startswith("on"):
                found.append(f"{name} handler on <{tag}>")
            if name in URL_ATTRIBUTES:
                scheme = _scheme(value)
                if (
                    tag == "img"
                    and name == "src"
                    and RASTER_DATA_IMAGE.match(re.sub(r"\s+", "", value).lower())
                ):
                    continue
                if scheme is not None and scheme not in SAFE_SCHEMES:
                    found.append(f"{scheme}: URL in {name} on <{tag}>")
            if name == "style" and CSS_DANGER.search(value):
                found.append(f"active CSS {value!r} on <{tag}>")
    return found


def assert_inert(html: str) -> None:
    assert not problems(html), f"{problems(html)} in {html!r}"
