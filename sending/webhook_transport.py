"""Opening a webhook URL: at the address that was checked, never elsewhere.

The endpoint's host name is resolved once. In production every address it
resolves to must be a public one (not loopback, private, link-local or
reserved), and the connection is then made to one of those very addresses,
with the host name still used for the Host header, TLS's server name and
the certificate check. Resolving again to connect would let a name whose
answer changes in between (DNS rebinding) reach an internal service.

Behind a proxy (HTTPS_PROXY, HTTP_PROXY) the proxy resolves the name and
connects; the addresses are still checked here first.
"""

import http.client
import ipaddress
import socket
import urllib.parse
import urllib.request
from functools import partial

from django.conf import settings


class Refused(Exception):
    """The URL's host cannot be reached from here (the message says why)."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect is an answer like any other non-2xx: following it would
    # send the signed event somewhere the owner did not register.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def open_checked(request: urllib.request.Request, *, timeout: float):
    """Send `request`, connecting only to addresses of its host that passed.

    Raises Refused, or what `urllib.request.OpenerDirector.open` raises.
    """
    parts = urllib.parse.urlsplit(request.full_url)
    if parts.scheme not in _PORTS:
        raise Refused(f"{parts.scheme}:// URLs are not supported.")
    port = parts.port or _PORTS[parts.scheme]
    addresses = checked_addresses(parts.hostname or "", port)
    handlers: list[urllib.request.BaseHandler] = [_NoRedirects()]
    if not _proxied(parts):
        handlers.append(_PinnedHandler(addresses))
    opener = urllib.request.build_opener(*handlers)
    return opener.open(request, timeout=timeout)


_PORTS = {"http": 80, "https": 443}


def checked_addresses(host: str, port: int) -> list[tuple]:
    """The socket addresses of `host`, each a public one unless allowed.

    Anything but public addresses is allowed only with DEBUG or
    SES_WEBHOOK_ALLOW_HTTP, for development and tests.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise Refused(f"Could not resolve {host}: {error}") from None
    if not (settings.DEBUG or settings.SES_WEBHOOK_ALLOW_HTTP):
        for info in infos:
            address = ipaddress.ip_address(info[4][0])
            if not address.is_global:
                raise Refused(f"{host} resolves to {address}, not a public address.")
    return [(family, address) for family, _, _, _, address in infos]


def _proxied(parts: urllib.parse.SplitResult) -> bool:
    proxies = urllib.request.getproxies()
    return parts.scheme in proxies and not urllib.request.proxy_bypass(
        parts.hostname or ""
    )


def _connect_to_any(
    addresses: list[tuple], _host_and_port: tuple, timeout: float, source=None
) -> socket.socket:
    """Like socket.create_connection, over addresses resolved beforehand."""
    error: OSError | None = None
    for family, address in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            if isinstance(timeout, int | float):  # else the default timeout
                sock.settimeout(timeout)
            if source:
                sock.bind(source)
            sock.connect(address)
            return sock
        except OSError as failure:
            error = failure
            sock.close()
    raise error or OSError("no address to connect to")


class _Pinned:
    """An http.client connection that connects to addresses given to it."""

    def __init__(self, *args: object, addresses: list[tuple], **kwargs: object):
        super().__init__(*args, **kwargs)
        self._create_connection = partial(_connect_to_any, addresses)


class _PinnedHTTPConnection(_Pinned, http.client.HTTPConnection):
    pass


class _PinnedHTTPSConnection(_Pinned, http.client.HTTPSConnection):
    # HTTPSConnection connects like HTTPConnection (_create_connection), then
    # wraps the socket with the host name as the server name: the
    # certificate is checked against the name, not the address.
    pass


class _PinnedHandler(urllib.request.HTTPHandler, urllib.request.HTTPSHandler):
    """Opens http:// and https:// URLs at addresses resolved beforehand."""

    def __init__(self, addresses: list[tuple]) -> None:
        super().__init__()
        self.addresses = addresses

    def http_open(self, req: urllib.request.Request):
        return self.do_open(
            partial(_PinnedHTTPConnection, addresses=self.addresses), req
        )

    def https_open(self, req: urllib.request.Request):
        return self.do_open(
            partial(_PinnedHTTPSConnection, addresses=self.addresses),
            req,
            context=self._context,
        )
