"""The address of the person at the keyboard, also behind the documented reverse proxy."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or the entry our own proxies added to X-Forwarded-For.

    With ``DJANGO_PROXY_COUNT = n`` trusted proxies, the first of them appended the client's
    address, so it is the n-th entry from the right; anything further left was sent by the client
    itself and is not trusted (it would let anyone dodge the log-in lockout).
    """
    proxies = settings.PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies and _is_address(forwarded[-proxies]):
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def _is_address(text: str) -> bool:
    # An entry that is no address (a proxy passing the client's own header on, a wrong proxy
    # count) would make the lockout's address field fail on every refused log-in.
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
