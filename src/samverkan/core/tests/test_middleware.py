"""The client address behind our own proxies, and never a forged one."""

from __future__ import annotations

from django.test import RequestFactory

from samverkan.core.middleware import client_ip


def _request(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


def test_behind_a_trusted_balancer_the_client_is_the_last_untrusted_hop(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    # the client forged "1.2.3.4"; our balancer appended the real address 203.0.113.9
    assert client_ip(_request("10.0.0.2", "1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(_request("10.0.0.2", "203.0.113.9, 10.0.0.3")) == "203.0.113.9"


def test_a_request_not_from_a_trusted_proxy_cannot_claim_an_address(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(_request("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


def test_garbage_in_the_header_falls_back_to_the_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(_request("10.0.0.2", "not-an-address")) == "10.0.0.2"
    assert client_ip(_request("10.0.0.2", "")) == "10.0.0.2"
