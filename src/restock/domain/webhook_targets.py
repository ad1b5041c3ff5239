"""Where a webhook may point: public addresses only, unless an admin allowed a private network by name.

A webhook URL is chosen by whoever holds an admin key; without this rule a leaked key would turn the worker
into a scanner of the network it runs in (the database, the cloud's metadata service at 169.254.169.254).
The host is resolved and every address it resolves to must be public, at registration (services.webhooks)
and again before each delivery (notify.webhooks; a name can be re-pointed after it was registered).
This module decides; the callers resolve. RESTOCK_WEBHOOK_ALLOW_PRIVATE lists the
networks that are allowed anyway (a receiver on the same host or in the same private network).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOW_SETTING = "RESTOCK_WEBHOOK_ALLOW_PRIVATE"


class UnsafeTarget(ValueError):
    """The URL's host is (or resolves to) an address a webhook must not reach."""


def networks(allowed: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(n, strict=False) for n in allowed)


def kind_of(address: Address) -> str | None:
    """Why this address is not public (the first rule it breaks), or None for a public address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    rules = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("non-public", not address.is_global),
    )
    return next((name for name, broken in rules if broken), None)


def check_address(host: str, address: Address, allowed: tuple[Network, ...]) -> None:
    """Refuse a non-public address that no allowed network contains."""
    kind = kind_of(address)
    if kind is None or any(address in network for network in allowed if network.version == address.version):
        return
    shown = host if host == str(address) else f"{host} ({address})"
    what = f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} address"
    raise UnsafeTarget(f"a webhook may not point at {shown}: {what} (allow its network with {ALLOW_SETTING})")


def literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def host_and_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)


def addresses_of(infos: Iterable[tuple[object, ...]]) -> list[Address]:
    """The addresses in getaddrinfo's answer (its fifth field is the socket address, the first item the host)."""
    found: list[Address] = []
    for info in infos:
        sockaddr = info[4]
        assert isinstance(sockaddr, tuple)
        found.append(ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0]))
    return found


def check_addresses(host: str, addresses: Iterable[Address], allowed: Iterable[str]) -> None:
    """Every address the host resolves to is public or in an allowed network; else `UnsafeTarget`."""
    nets = networks(allowed)
    for address in addresses:
        check_address(host, address, nets)
