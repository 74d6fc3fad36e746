"""Where webhooks may be sent: public addresses over HTTPS, checked again at each connection.

A webhook URL is chosen by whoever holds the admin token, and every delivery makes the
server open a connection to it: left unchecked, that lets the URL reach what only the
server can reach (cloud metadata at 169.254.169.254, a database on 127.0.0.1, the office
network on 10/8) and, through the deliveries list, read the answers. So (issue 17 item 2):

* at registration (:meth:`TargetGuard.check_url`) the URL must be ``https`` (``http`` only
  where allowed), carry no credentials, name its host in a canonical form (no
  ``0x7f000001``, ``2130706433`` or ``127.1``), and every address the host resolves to
  must be a public unicast address; refused with 422 ``webhook_target_refused`` and the
  reason;
* at delivery, the connection itself (:class:`GuardedTransport`) resolves the host,
  checks every address again and connects to the address it checked, so a DNS answer
  that changed since registration (DNS rebinding) is refused as well; TLS still verifies
  the certificate against the host name. Redirects are never followed.

``allow_private`` (``--webhook-allow-private``, ``CONSENTRY_WEBHOOK_ALLOW_PRIVATE=1``)
lets private, loopback and shared (CGNAT) addresses through for tests and internal
deployments, and with them plain ``http``; link-local (cloud metadata), multicast,
unspecified and reserved addresses stay refused. ``allow_http``
(``CONSENTRY_WEBHOOK_ALLOW_HTTP=1``) allows plain ``http`` to public addresses.

Proxies: ``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY`` in the environment are ignored (a
proxy connects where it likes, past the address check). Where egress must go through a
proxy, ``proxy`` (``CONSENTRY_WEBHOOK_PROXY``) names it explicitly: the registration
checks still run, but at delivery the connection is to the proxy, so refusing private
and metadata addresses is then the proxy's job (`serve` and `deliver` say so at start).
"""

from __future__ import annotations

import ipaddress
import socket
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import httpcore
import httpx

from consentry.config.settings import Settings
from consentry.domain.errors import InvalidInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]
"""Host and port to the addresses it resolves to (text); `getaddrinfo` by default."""

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_INTERNAL = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)
"""What `allow_private` lets through besides loopback: RFC 1918, shared (CGNAT) space and
IPv6 unique local addresses. Not Python's wider `is_private` (TEST-NET, 0/8, 240/4…)."""


class WebhookTargetRefused(InvalidInput):
    """A webhook URL that may not be registered (422), with the reason."""

    code = "webhook_target_refused"


class TargetRefused(httpcore.ConnectError):
    """Raised inside a delivery's connection: the target resolved somewhere forbidden.

    ``reason`` is one short fixed phrase; it is what the delivery's record keeps.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(f"target refused: {reason}")
        self.reason = reason


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True)
class TargetGuard:
    """The rules above, with the resolver as a port (tests give a fake one)."""

    allow_private: bool = False
    allow_http: bool = False
    resolve: Resolver = field(default=system_resolver, compare=False)
    proxy: str | None = field(default=None, repr=False)
    """An explicit egress proxy (it may carry credentials: never shown)."""

    def check_url(self, url: str) -> str:
        """The URL, normalised, or :class:`WebhookTargetRefused` saying why not."""
        parsed = _parse(url)
        host = _canonical_host(parsed)
        addresses = self._addresses(host, parsed.port or _default_port(parsed.scheme))
        for address in addresses:
            problem = _refusal(address, self.allow_private)
            if problem is not None:
                raise WebhookTargetRefused(
                    f"url host {host!r} is refused: {address} is a {problem}; webhooks go to "
                    "public addresses only (--webhook-allow-private allows private ones)"
                )
        if parsed.scheme == "http" and not (self.allow_http or self.allow_private):
            raise WebhookTargetRefused(
                "url must use https (CONSENTRY_WEBHOOK_ALLOW_HTTP=1 allows plain http)"
            )
        return str(parsed)

    def check_delivery_url(self, url: str) -> None:
        """Before a delivery: the URL's own rules again (it may have been stored before
        they existed, or the settings changed), as :class:`TargetRefused`. Addresses are
        checked by the connection itself."""
        try:
            parsed = _parse(url)
            _canonical_host(parsed)
        except WebhookTargetRefused as refused:
            raise TargetRefused(_short(refused.message)) from None
        if parsed.scheme == "http" and not (self.allow_http or self.allow_private):
            raise TargetRefused("plain http")

    def addresses_for_connection(self, host: str, port: int) -> list[str]:
        """The checked addresses to connect to, or :class:`TargetRefused`."""
        try:
            addresses = self._addresses(_strip_brackets(host), port)
        except WebhookTargetRefused:
            raise TargetRefused("host does not resolve") from None
        for address in addresses:
            problem = _refusal(address, self.allow_private)
            if problem is not None:
                raise TargetRefused(problem)
        return [str(a) for a in addresses]

    def _addresses(self, host: str, port: int) -> list[IPAddress]:
        literal = _literal(host)
        if literal is not None:
            return [literal]
        resolved = []
        for text in self.resolve(host, port):
            try:
                resolved.append(ipaddress.ip_address(text.split("%", 1)[0]))
            except ValueError:
                continue
        if not resolved:
            raise WebhookTargetRefused(f"url host {host!r} does not resolve to an address")
        return resolved

    def client(self, timeout_s: float) -> httpx.Client:
        """An HTTP client that connects only where this guard allows (through the egress
        proxy, when one is set); no redirects, no proxy from the environment."""
        if self.proxy is not None:
            return httpx.Client(
                proxy=self.proxy,
                timeout=httpx.Timeout(timeout_s),
                follow_redirects=False,
                trust_env=False,
            )
        return httpx.Client(
            transport=GuardedTransport(self),
            timeout=httpx.Timeout(timeout_s),
            follow_redirects=False,
            trust_env=False,  # an environment proxy would connect where it likes
        )


def guard_for(settings: Settings) -> TargetGuard:
    """The guard of a deployment, from its settings."""
    return TargetGuard(
        allow_private=settings.webhook_allow_private,
        allow_http=settings.webhook_allow_http,
        proxy=settings.webhook_proxy,
    )


def egress_warning(guard: TargetGuard) -> str | None:
    """The line to log at start when deliveries go through an egress proxy."""
    if guard.proxy is None:
        return None
    return (
        f"webhooks go through the egress proxy {without_credentials(guard.proxy)} "
        "(CONSENTRY_WEBHOOK_PROXY): refusing private and metadata addresses at delivery "
        "is the proxy's job"
    )


def without_credentials(url: str) -> str:
    """`url` without a ``user:password@`` part (URLs stored before they were refused)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def _short(message: str) -> str:
    if "credentials" in message:
        return "credentials in the URL"
    if "non-canonical" in message:
        return "non-canonical numeric host"
    return "not an https URL"


def _parse(url: str) -> httpx.URL:
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise WebhookTargetRefused("url must not contain spaces or control characters")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise WebhookTargetRefused("url is not a valid URL") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise WebhookTargetRefused("url must be an absolute https:// URL")
    if parsed.userinfo:
        raise WebhookTargetRefused("url must not carry credentials (user:password@)")
    return parsed


def _canonical_host(parsed: httpx.URL) -> str:
    host = parsed.host.rstrip(".").lower()
    if not host:
        raise WebhookTargetRefused("url has no host")
    if _literal(host) is None and _legacy_ipv4(host):
        raise WebhookTargetRefused(
            f"url host {parsed.host!r} is a numeric address in a non-canonical form; "
            "write it as a dotted quad"
        )
    return host


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _strip_brackets(host: str) -> str:
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(_strip_brackets(host).split("%", 1)[0])
    except ValueError:
        return None


def _legacy_ipv4(host: str) -> bool:
    """True for forms that C's inet_aton reads as an IPv4 address but that are not a
    canonical dotted quad: ``2130706433``, ``0x7f000001``, ``0177.0.0.1``, ``127.1``."""
    try:
        socket.inet_aton(host)
    except (OSError, ValueError):
        return False
    return True


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _refusal(address: IPAddress, allow_private: bool) -> str | None:
    """None when `address` may be connected to, else the short reason it may not."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return _refusal(embedded, allow_private)
    if address.is_unspecified:
        return "non-routable (unspecified) address"
    if address.is_multicast:
        return "multicast address"
    if address.is_link_local:
        return "link-local address"  # 169.254.169.254 (cloud metadata) among them
    if address.is_loopback:
        return None if allow_private else "loopback address"
    if any(address in network for network in _INTERNAL):
        return None if allow_private else "private address"
    if address.is_reserved or not address.is_global:
        return "reserved address"
    return None


class _GuardedBackend(httpcore.SyncBackend):
    """Resolves and checks the host itself, then connects to an address it checked."""

    def __init__(self, guard: TargetGuard) -> None:
        self.guard = guard

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        last: Exception | None = None
        for address in self.guard.addresses_for_connection(host, port):
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as error:
                last = error
        assert last is not None
        raise last


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over a connection pool whose every TCP connection is guarded.

    TLS runs over the guarded connection with the URL's host name for SNI and certificate
    checks, so pinning the address does not weaken HTTPS.
    """

    def __init__(self, guard: TargetGuard, *, retries: int = 0) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            retries=retries,
            network_backend=_GuardedBackend(guard),
        )


def refused_reason(error: BaseException) -> str | None:
    """The fixed reason when `error` (or what caused it) is a refused target."""
    seen: Iterable[BaseException | None] = (error, error.__cause__, error.__context__)
    for item in seen:
        if isinstance(item, TargetRefused):
            return item.reason
    return None
