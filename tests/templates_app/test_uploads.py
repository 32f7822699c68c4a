"""Uploaded files are decoded as declared, or refused with a clear reason."""

import codecs

import pytest

from templates_app.errors import TemplateContentTooLarge, UnreadableUpload
from templates_app.uploads import read_upload


def read(name: str, data: bytes, max_bytes: int = 10_000):
    return read_upload(name=name, data=data, max_bytes=max_bytes)


def test_utf8_html_and_text_files_are_read_with_their_kind():
    assert read("mail.HTML", "<p>Grüße</p>".encode()).kind == "html"
    assert read("mail.htm", b"<p>x</p>").kind == "html"
    upload = read("mail.txt", "Grüße {{name}}".encode())
    assert (upload.kind, upload.text) == ("text", "Grüße {{name}}")


def test_a_declared_charset_is_honoured():
    data = '<meta charset="gbk"><p>你好</p>'.encode("gbk")

    assert "你好" in read("cn.html", data).text


def test_a_http_equiv_charset_is_honoured():
    data = (
        '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        "<p>café</p>"
    ).encode("latin-1")

    assert "café" in read("fr.html", data).text


def test_byte_order_marks_win():
    assert read("a.txt", codecs.BOM_UTF8 + b"ok").text == "ok"
    assert read("a.txt", "hé".encode("utf-16")).text == "hé"


def test_undeclared_non_utf8_is_refused_with_the_position():
    with pytest.raises(UnreadableUpload) as caught:
        read("latin.html", "<p>café</p>".encode("latin-1"))

    assert "not valid UTF-8: byte 0xe9 at position 6" in caught.value.message
    assert caught.value.field == "upload"


def test_an_unknown_declared_charset_is_refused():
    with pytest.raises(UnreadableUpload, match="“klingon”, which we do not know"):
        read("a.html", b'<meta charset="klingon"><p>x</p>')


@pytest.mark.parametrize("name", ["logo.png", "mail.docx", "noextension"])
def test_other_files_are_refused(name):
    with pytest.raises(
        UnreadableUpload, match=r"Upload an \.html, \.htm or \.txt file"
    ):
        read(name, b"<p>x</p>")


def test_a_file_over_the_limit_is_refused_with_both_sizes():
    with pytest.raises(TemplateContentTooLarge) as caught:
        read_upload(name="big.html", data=b"x" * 2049, max_bytes=2048, size=5 << 20)

    assert caught.value.message == "The file is 5.0 MB; the limit is 2 KB."
    assert caught.value.field == "upload"


def test_empty_and_binary_files_are_refused():
    with pytest.raises(UnreadableUpload, match="empty"):
        read("a.txt", b"  \n")
    with pytest.raises(UnreadableUpload, match="binary"):
        read("a.txt", b"ab\x00cd")
