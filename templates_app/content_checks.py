"""Look for content a reviewer must see before a template can be sent.

`check_content(text=…, html=…)` returns findings: sensitive words
(`SES_SENSITIVE_WORDS`), blocking words (`SES_BLOCKING_WORDS`, which refuse
the submission), social-media contact details that regulators and mailbox
providers treat as spam markers (WeChat / Weixin IDs, QQ numbers, QR codes,
group invitations), and a body over `SES_TEMPLATE_MAX_BYTES`.

Findings are advice to the author and the reviewer, except blocking ones.
Words match case-insensitively; words written in Latin letters match whole
words only (so "ass" is not found in "class"), others anywhere.
"""

import re
from dataclasses import asdict, dataclass
from html.parser import HTMLParser

from django.conf import settings

from templates_app.text_version import html_to_text


class Kind:
    SENSITIVE_WORD = "sensitive_word"
    BLOCKED_WORD = "blocked_word"
    WECHAT = "wechat"
    QQ = "qq"
    QR_CODE = "qr_code"
    GROUP_INVITATION = "group_invitation"
    SIZE = "size"


@dataclass(frozen=True)
class Finding:
    kind: str
    label: str
    excerpt: str = ""
    blocking: bool = False

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> "Finding":
        return cls(
            **{key: data[key] for key in ("kind", "label", "excerpt", "blocking")}
        )


_WECHAT_NAMES = r"(?:微信|威信|薇信|维信|v信|weixin|wei\s?xin|we\s?chat|\bvx\b|\bwx\b)"
WECHAT_ID = re.compile(
    _WECHAT_NAMES + r"\s*(?:号|id|号码)?\s*[:\uff1a]?\s*([a-z][-_a-z0-9]{5,19})\b",
    re.IGNORECASE,
)
WECHAT_MENTION = re.compile(
    r"加微信|加我微信|微信联系|添加微信|(?:add|contact|message)\s+(?:me|us)\s+on\s+we\s?chat",
    re.IGNORECASE,
)
QQ_NUMBER = re.compile(
    r"(?:\bqq|扣扣|企鹅)\s*(?:号码|号|群|group)?\s*[:\uff1a]?\s*([1-9]\d{4,11})\b",
    re.IGNORECASE,
)
QR_CODE = re.compile(
    r"二维码|扫码|扫一扫|\bqr[\s_-]?codes?\b|scan\s+(?:the|this|our|my)\s+(?:qr\s+)?code",
    re.IGNORECASE,
)
QR_IMAGE = re.compile(r"qr[-_]?code|(?<![a-z])qr(?![a-z])", re.IGNORECASE)
GROUP_INVITATION = re.compile(
    r"加群|进群|入群|群号|拉你进群|"
    r"(?:join|add\s+(?:me|us)\s+to)\s+(?:our|my|the)\s+"
    r"(?:wechat|weixin|qq|telegram|whatsapp|line|discord|signal)\s+(?:group|channel)|"
    r"chat\.whatsapp\.com/|t\.me/(?:joinchat/|\+)|qm\.qq\.com|jq\.qq\.com|"
    r"discord\.gg/|u\.wechat\.com/",
    re.IGNORECASE,
)

_PATTERNS = [
    (Kind.WECHAT, WECHAT_ID, "WeChat ID {0}"),
    (Kind.WECHAT, WECHAT_MENTION, "Asks readers to add a WeChat contact"),
    (Kind.QQ, QQ_NUMBER, "QQ number {0}"),
    (Kind.QR_CODE, QR_CODE, "Mentions a QR code"),
    (Kind.GROUP_INVITATION, GROUP_INVITATION, "Invitation to join a group"),
]


class _Attributes(HTMLParser):
    """Link targets, image sources and alt texts: where contact details hide."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        if tag == "img":
            self.images.append(
                " ".join(filter(None, [values.get("src"), values.get("alt")]))
            )


def _excerpt(text: str, start: int, end: int) -> str:
    before = text[max(0, start - 30) : start]
    after = text[end : end + 30]
    snippet = " ".join(f"{before}{text[start:end]}{after}".split())
    return f"…{snippet}…" if len(snippet) > 4 else snippet


def _word_pattern(word: str) -> re.Pattern[str]:
    escaped = re.escape(word)
    if re.fullmatch(r"[A-Za-z0-9 '\-]+", word):
        escaped = rf"(?<![A-Za-z0-9]){escaped}(?![A-Za-z0-9])"
    return re.compile(escaped, re.IGNORECASE)


def _words(text: str, words: list[str], kind: str, blocking: bool) -> list[Finding]:
    findings = []
    for word in words:
        if match := _word_pattern(word).search(text):
            adjective = "Blocked" if blocking else "Sensitive"
            findings.append(
                Finding(
                    kind=kind,
                    label=f"{adjective} word “{word}”",
                    excerpt=_excerpt(text, match.start(), match.end()),
                    blocking=blocking,
                )
            )
    return findings


def check_content(
    *, text: str, html: str = "", html_as_text: str | None = None
) -> list[Finding]:
    """Every finding in a template's plain text and HTML, each once.

    `html_as_text` is `html_to_text(html)` when the caller already has it.
    """
    if html and html_as_text is None:
        html_as_text = html_to_text(html)
    attributes = _Attributes()
    if html:
        attributes.feed(html)
        attributes.close()
    readable = "\n".join(filter(None, [html_as_text, text, *attributes.links]))
    findings = [
        *_words(readable, settings.SES_BLOCKING_WORDS, Kind.BLOCKED_WORD, True),
        *_words(readable, settings.SES_SENSITIVE_WORDS, Kind.SENSITIVE_WORD, False),
    ]
    for kind, pattern, label in _PATTERNS:
        for match in pattern.finditer(readable):
            findings.append(
                Finding(
                    kind=kind,
                    label=label.format(*match.groups()),
                    excerpt=_excerpt(readable, match.start(), match.end()),
                )
            )
    for image in attributes.images:
        if QR_IMAGE.search(image):
            findings.append(
                Finding(
                    kind=Kind.QR_CODE,
                    label="Image that looks like a QR code",
                    excerpt=image[:80],
                )
            )
    size = len(html.encode()) + len(text.encode())
    limit = settings.SES_TEMPLATE_MAX_BYTES
    if size > limit:
        findings.append(
            Finding(
                kind=Kind.SIZE,
                label=f"Content is {size:,} bytes; the limit is {limit:,}",
                blocking=True,
            )
        )
    unique: dict[tuple[str, str], Finding] = {}
    for finding in findings:
        unique.setdefault((finding.kind, finding.label), finding)
    return list(unique.values())
