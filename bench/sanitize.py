"""Time sanitising and rendering a 100 KB marketing email.

Run: .venv/bin/python bench/sanitize.py [--runs N]

The script writes its own email: a full HTML page of product rows in nested
tables with inline styles, images, tracked links with {{variables}}, a
<style> block and a few things the sanitiser must remove. It prints the
median time per call of each step beside the cost of merely parsing the same
HTML with the standard library's html.parser, the floor for any approach that
reads the markup.
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "sesconsole.settings"
os.environ["DEBUG"] = "1"

import django

django.setup()

from templates_app.sanitizing import sanitize_html  # noqa: E402
from templates_app.services import prepare_content  # noqa: E402
from templates_app.variables import render_version  # noqa: E402

TARGET_BYTES = 100 * 1024

HEAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Spring sale</title>
<style>@media (max-width: 600px) { .col { display: block !important; } }</style>
</head><body style="margin:0;padding:0;background-color:#f4f4f4">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"
 bgcolor="#f4f4f4">
<tr><td align="center" style="padding:24px 0">
<table role="presentation" width="600" cellpadding="0" cellspacing="0"
 style="background-color:#ffffff;border-collapse:collapse;font-family:Arial,sans-serif">
<tr><td style="padding:24px;text-align:center">
<a href="https://shop.example.com/?utm_source=mail&amp;u={{user_id}}">
<img src="https://cdn.example.com/logo.png" width="160" height="48" alt="Acme"
 border="0"></a>
<h1 style="font-size:26px;line-height:32px;color:#1d2433;margin:16px 0 8px">
Hello {{first_name}}, spring is here</h1>
<p style="font-size:15px;color:#5b6477;margin:0">
Our biggest sale of the season, for you.</p>
</td></tr>
"""
ROW = """<tr><td class="col" style="padding:16px 24px;border-top:1px solid #e3e7ee">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr>
<td width="120" valign="top"><a href="https://shop.example.com/p/{n}?u={{{{user_id}}}}">
<img src="https://cdn.example.com/p/{n}.jpg" width="120" height="120" alt="Product {n}"
 style="display:block;border-radius:6px"></a></td>
<td valign="top" style="padding-left:16px">
<h2 style="font-size:18px;margin:0 0 6px;color:#1d2433">Product number {n}</h2>
<p style="font-size:14px;line-height:21px;color:#5b6477;margin:0 0 10px">
A sturdy, well-made thing that {{{{first_name}}}} will love; now {d}% off until Sunday.
<span onmouseover="track({n})">Limited stock.</span></p>
<a href="https://shop.example.com/cart/add/{n}?u={{{{user_id}}}}"
 style="display:inline-block;background-color:#0b6cff;color:#ffffff;padding:10px 18px;
 border-radius:4px;text-decoration:none;font-weight:bold">Add to cart</a>
</td></tr></table></td></tr>
"""
FOOT = """<tr><td style="padding:24px;font-size:12px;color:#8a93a6;text-align:center">
Acme Ltd, 1 Market Street.
<a href="{{unsubscribe_url}}" style="color:#8a93a6">Unsubscribe</a>
<script>trackOpen()</script></td></tr>
</table></td></tr></table></body></html>
"""
VALUES = {
    "first_name": "Ada <Lovelace>",
    "user_id": "u-1234567",
    "unsubscribe_url": "https://shop.example.com/unsubscribe/abc",
}


def marketing_html() -> str:
    rows = []
    n = 0
    while len(HEAD) + sum(map(len, rows)) + len(FOOT) < TARGET_BYTES:
        n += 1
        rows.append(ROW.format(n=n, d=10 + n % 40))
    return HEAD + "".join(rows) + FOOT


class _Parser(HTMLParser):
    """Reads every tag and text and does nothing with them."""


def parse_only(html: str) -> None:
    parser = _Parser()
    parser.feed(html)
    parser.close()


def median_ms(call: Callable[[], object], runs: int) -> float:
    call()  # warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--runs", type=int, default=25)
    runs = arguments.parse_args().runs

    html = marketing_html()
    content = prepare_content(kind="html", body=html)
    version = type(
        "Version",
        (),
        {
            "body_html": content.body_html,
            "body_text": content.body_text,
            "variables": content.variables,
            "url_templates": content.url_templates,
        },
    )()

    def sanitise_and_render() -> None:
        prepared = prepare_content(kind="html", body=html)
        version.body_html = prepared.body_html
        render_version(version, VALUES)

    steps = [
        ("html.parser: parse only (baseline)", lambda: parse_only(html)),
        ("sanitise only (bleach safelist)", lambda: sanitize_html(html)),
        (
            "sanitise, text part, checks (save)",
            lambda: prepare_content(kind="html", body=html),
        ),
        ("render with values (per message)", lambda: render_version(version, VALUES)),
        ("sanitise + render", sanitise_and_render),
    ]
    removed = ", ".join(f"{r['what']} (x{r['count']})" for r in content.removed)
    print(f"Email: {len(html.encode()):,} bytes of HTML, {html.count('<tr>')} rows")
    print(f"Variables: {', '.join(content.variables)}")
    print(f"Removed: {removed}")
    print(f"Median of {runs} runs, {sys.implementation.name} {sys.version.split()[0]}")
    print()
    baseline = None
    for label, call in steps:
        ms = median_ms(call, runs)
        baseline = baseline or ms
        print(f"  {label:<40} {ms:9.2f} ms  {ms / baseline:6.1f}x parse")


if __name__ == "__main__":
    main()
