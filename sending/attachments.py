"""Attachments of API sends: checked once, stored once, added at delivery."""

import base64
import mimetypes

from sending.errors import AttachmentRefused, AttachmentTooLarge, TooManyAttachments

MAX_FILES = 10
MAX_TOTAL_BYTES = 4 * 1024 * 1024
# Executables and scripts that mail providers reject or quarantine.
REFUSED_EXTENSIONS = {
    "exe", "bat", "cmd", "com", "scr", "pif", "msi", "vbs", "vbe", "js", "jse",
    "wsf", "wsh", "ps1", "jar", "cpl", "hta", "lnk", "reg", "dll",
}  # fmt: skip


def check_attachments(files: list[tuple[str, bytes]]) -> list[dict]:
    """The files as stored: refused whole when one of them may not be sent."""
    if len(files) > MAX_FILES:
        raise TooManyAttachments(f"{len(files)} attachments; at most {MAX_FILES}.")
    total = sum(len(data) for _, data in files)
    if total > MAX_TOTAL_BYTES:
        raise AttachmentTooLarge(
            f"The attachments have {total:,} bytes; at most {MAX_TOTAL_BYTES:,} in all."
        )
    stored = []
    for filename, data in files:
        name = filename.strip()
        if (
            not name
            or len(name) > 255
            or any(c in name for c in "\r\n\x00/\\")
            or name.rpartition(".")[2].lower() in REFUSED_EXTENSIONS
        ):
            raise AttachmentRefused(
                f"“{filename[:80]}” cannot be attached: use a plain file name of at "
                "most 255 characters, and no executable or script types."
            )
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        stored.append(
            {
                "filename": name,
                "content_type": content_type,
                "data": base64.b64encode(data).decode("ascii"),
            }
        )
    return stored
