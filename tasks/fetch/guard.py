"""Which addresses a request may go to: the private-address (SSRF) guard.

:func:`_check_url` accepts http(s) URLs with a host and, unless ``FetchConfig.allow_private_addresses``, only
hosts all of whose resolved addresses are global unicast (:func:`_blocked_ip`). Every hop of every request,
redirects included, passes here. :func:`_resolve` is the only resolver the check uses; tests replace it (through
the package face, ``monkeypatch.setattr(tasks.fetch, "_resolve", fake)``).

Known limit: the check resolves the host itself, then httpx resolves again to connect; a DNS answer that changes
in between (DNS rebinding) is not caught.
"""

from __future__ import annotations

import ipaddress
import socket

import httpx

from tasks.config import FetchConfig
from tasks.fetch.items import _Reject


def _resolve(host: str, port: int) -> list[str]:
    """IP addresses ``host`` resolves to. Raises socket.gaierror. (Tests replace this function to make a name
    look public; it is the only resolver the private-address check uses.)"""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def _blocked_ip(addr: str) -> bool:
    try:
        ip = ipaddress.ip_address(addr.split("%", 1)[0])
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (not ip.is_global) or ip.is_multicast


def _check_url(url: str, cfg: FetchConfig) -> httpx.URL:
    """Validate one URL (scheme, host, port 1-65535) and, unless private addresses are allowed, its resolved
    addresses.

    Raises :class:`_Reject` with ``invalid_url``, ``dns_error`` or ``private_address``.
    """
    try:
        parsed = httpx.URL(url)
    except Exception as exc:  # httpx.InvalidURL and friends
        raise _Reject("invalid_url", f"{type(exc).__name__}: {exc}") from exc
    if parsed.scheme not in ("http", "https"):
        raise _Reject("invalid_url", f"scheme {parsed.scheme or 'none'!r} not allowed (http/https only)")
    if not parsed.raw_host:
        raise _Reject("invalid_url", "URL has no host")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise _Reject("invalid_url", f"port {parsed.port} is not a TCP port (1-65535)")
    if cfg.allow_private_addresses:
        return parsed
    host = parsed.raw_host.decode("ascii", "replace")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        addrs = _resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise _Reject("dns_error", f"cannot resolve {host}: {exc}") from exc
    bad = [a for a in addrs if _blocked_ip(a)]
    if bad or not addrs:
        raise _Reject("private_address", f"{host} resolves to non-public address(es) {', '.join(bad) or 'none'}")
    return parsed
