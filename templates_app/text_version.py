"""Write the plain-text alternative of an HTML email.

Used when the author gives none: headings and paragraphs become blocks,
list items get a dash, links show their address in brackets, images their
alt text. Variables (`{{name}}`) pass through as text.
"""

import re
from html.parser import HTMLParser

_BLOCKS = frozenset(
    {
        "address", "article", "blockquote", "caption", "center", "dd", "div",
        "dl", "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hr", "li", "main", "ol", "p", "pre", "section",
        "table", "tr", "ul",
    }
)  # fmt: skip
_PARAGRAPHS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "table"})
_HIDDEN = frozenset({"head", "script", "style", "title", "template", "noscript"})
_CELLS = frozenset({"td", "th"})
_LINE_BREAK = 1
_PARAGRAPH_BREAK = 2


class _TextWriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str | int] = []
        self.hidden = 0
        self.links: list[tuple[str, int]] = []
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
            return
        attributes = dict(attrs)
        if tag == "br":
            self.parts.append(_LINE_BREAK)
        elif tag in _PARAGRAPHS:
            self.parts.append(_PARAGRAPH_BREAK)
        elif tag in _BLOCKS:
            self.parts.append(_LINE_BREAK)
        if tag == "li":
            self.parts.append("- ")
        elif tag in _CELLS:
            self.parts.append(" ")
        elif tag == "hr":
            self.parts.append("-" * 20)
            self.parts.append(_LINE_BREAK)
        elif tag == "pre":
            self.pre += 1
        elif tag == "img" and (alt := (attributes.get("alt") or "").strip()):
            self.parts.append(f" {alt} ")
        elif tag == "a":
            self.links.append((attributes.get("href") or "", len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
            return
        if tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(p for p in self.parts[start:] if isinstance(p, str))
            label = label.strip()
            shown = href.removeprefix("mailto:")
            if href and not href.startswith("#") and shown != label:
                self.parts.append(f" ({shown})" if label else shown)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag in _PARAGRAPHS:
            self.parts.append(_PARAGRAPH_BREAK)
        elif tag in _BLOCKS:
            self.parts.append(_LINE_BREAK)

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.pre:
            for number, line in enumerate(data.split("\n")):
                if number:
                    self.parts.append(_LINE_BREAK)
                self.parts.append(line)
        else:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """A readable plain-text version of `html`."""
    writer = _TextWriter()
    writer.feed(html)
    writer.close()
    out: list[str] = []
    pending = 0
    for part in writer.parts:
        if isinstance(part, int):
            pending = max(pending, part)
            continue
        if not part.strip() and (pending or not out):
            continue  # spaces between blocks
        if pending and out:
            out.append("\n" * pending)
        pending = 0
        out.append(part)
    lines = "".join(out).split("\n")
    text = "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
