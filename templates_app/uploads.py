"""Read an uploaded template file: `.html` / `.htm` or `.txt`, decoded to text.

The charset is, in order: a byte-order mark; for HTML, a `<meta charset>` or
`<meta http-equiv="Content-Type" content="…; charset=…">` in the first
kilobytes; otherwise UTF-8. A file that does not decode is refused with the
position of the first bad byte, never guessed at.
"""

import codecs
import re
from dataclasses import dataclass
from pathlib import PurePath

from templates_app.errors import TemplateContentTooLarge, UnreadableUpload

HTML = "html"
TEXT = "text"
KINDS = {".html": HTML, ".htm": HTML, ".txt": TEXT}

_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_.:\-]+)""", re.IGNORECASE
)


@dataclass(frozen=True)
class Upload:
    text: str
    kind: str
    charset: str


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    return f"{count / 1024:.0f} KB" if count >= 1024 else f"{count} bytes"


def _charset(data: bytes, kind: str) -> str:
    for bom, charset in _BOMS:
        if data.startswith(bom):
            return charset
    if kind == HTML and (match := _META_CHARSET.search(data[:4096])):
        declared = match[1].decode("ascii")
        try:
            return codecs.lookup(declared).name
        except LookupError:
            raise UnreadableUpload(
                f"The file declares the charset “{declared}”, which we do not "
                "know. Save it as UTF-8 and upload it again."
            ) from None
    return "utf-8"


def read_upload(
    *, name: str, data: bytes, max_bytes: int, size: int | None = None
) -> Upload:
    """Decode an uploaded template file, or say clearly why it cannot be used.

    `size` is the file's full size when `data` holds only its first bytes (a
    caller need not read more than `max_bytes + 1` of a file that is too big).
    """
    size = len(data) if size is None else size
    kind = KINDS.get(PurePath(name).suffix.lower())
    if kind is None:
        raise UnreadableUpload(
            "Upload an .html, .htm or .txt file; "
            f"“{PurePath(name).name}” is none of them."
        )
    if size > max_bytes or len(data) > max_bytes:
        raise TemplateContentTooLarge(
            f"The file is {_size(max(size, len(data)))}; the limit is "
            f"{_size(max_bytes)}.",
        ).on("upload")
    if not data.strip():
        raise UnreadableUpload("The file is empty.")
    charset = _charset(data, kind)
    try:
        text = data.decode(charset)
    except UnicodeDecodeError as error:
        label = "UTF-8" if charset.replace("_", "-") == "utf-8" else charset
        raise UnreadableUpload(
            f"The file is not valid {label}: byte 0x{data[error.start]:02x} at "
            f"position {error.start} cannot be read. Save it as UTF-8 (or "
            "declare its charset in a <meta charset> tag) and upload it again."
        ) from None
    if "\x00" in text:
        raise UnreadableUpload("This looks like a binary file, not text or HTML.")
    return Upload(text=text, kind=kind, charset=charset)
