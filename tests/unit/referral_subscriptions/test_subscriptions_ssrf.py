"""The SSRF guard: webhooks go to public addresses only, unless private ones are allowed."""

import ipaddress

import pytest

from services.referral.subscriptions.adapters.destinations import check_destination
from services.referral.subscriptions.domain.errors import DestinationRefused
from services.referral.subscriptions.domain.ssrf import forbidden_address

FORBIDDEN = [
    "127.0.0.1",  # loopback
    "127.8.9.10",
    "10.1.2.3",  # RFC 1918
    "172.16.0.1",
    "172.31.255.254",
    "192.168.1.1",
    "169.254.169.254",  # link-local: the cloud metadata address
    "0.0.0.0",  # unspecified
    "224.0.0.1",  # multicast
    "240.0.0.1",  # reserved
    "100.64.0.1",  # carrier-grade NAT
    "::1",
    "::",
    "fc00::1",  # unique local
    "fd12:3456::1",
    "fe80::1",
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:10.0.0.1",
    "2002:7f00:1::",  # 6to4 carrying 127.0.0.1
    "2002:a00:1::1",  # 6to4 carrying 10.0.0.1
    "2002:a9fe:a9fe::",  # 6to4 carrying the metadata address
    "64:ff9b::7f00:1",  # NAT64 (RFC 6052) carrying 127.0.0.1
    "64:ff9b::a9fe:a9fe",
    "64:ff9b:1::5db8:d70e",  # NAT64 local use (RFC 8215): opaque
    "::127.0.0.1",  # IPv4-compatible (deprecated)
    "::5db8:d70e",
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo: opaque
]
PUBLIC = [
    "93.184.215.14",
    "8.8.8.8",
    "2606:4700:4700::1111",
    "::ffff:93.184.215.14",
    "2002:5db8:d70e::1",  # 6to4 carrying a public address
    "64:ff9b::5db8:d70e",  # NAT64 carrying a public address
]


@pytest.mark.parametrize("address", FORBIDDEN)
def test_non_public_addresses_are_forbidden(address: str) -> None:
    assert forbidden_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address: str) -> None:
    assert not forbidden_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost:8443/hook",
        "https://10.0.0.5/hook",
        "https://172.16.4.4/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[fc00::1]/hook",
        "https://0.0.0.0/hook",
        "https://[::ffff:127.0.0.1]/hook",
    ],
)
async def test_urls_resolving_inside_are_refused(url: str) -> None:
    with pytest.raises(DestinationRefused, match="public addresses only"):
        await check_destination(url, allow_private=False)


async def test_a_public_literal_address_over_https_is_allowed() -> None:
    await check_destination("https://93.184.215.14/hooks/warmlink", allow_private=False)
    await check_destination("https://[2606:4700:4700::1111]:8443/x", allow_private=False)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://93.184.215.14/hook", "https"),
        ("ftp://93.184.215.14/hook", "https"),
        ("https:///nohost", "no host"),
        ("https://user:pw@93.184.215.14/hook", "credentials"),
        ("https://93.184.215.14:99999/hook", "not valid"),
        ("https://93.184.215.14/hook#frag", "fragment"),
        ("https://93.184.215.14/" + "a" * 2100, "longer"),
        ("https://no-such-host.invalid/hook", "does not resolve"),
    ],
)
async def test_malformed_urls_are_refused(url: str, reason: str) -> None:
    with pytest.raises(DestinationRefused, match=reason):
        await check_destination(url, allow_private=False)


async def test_allow_private_admits_http_and_loopback() -> None:
    await check_destination("http://127.0.0.1:8080/hook", allow_private=True)
    await check_destination("https://10.0.0.5/hook", allow_private=True)
    with pytest.raises(DestinationRefused, match="https"):
        await check_destination("ftp://127.0.0.1/hook", allow_private=True)


def test_refusals_do_not_echo_the_url() -> None:
    with pytest.raises(DestinationRefused) as caught:
        from services.referral.subscriptions.domain.ssrf import check_url

        check_url("http://secret-host.example/path?token=abc", allow_private=False)
    assert "secret-host" not in str(caught.value) and "token" not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080/hook", "https://127.0.0.1/hook", "https://localhost/hook"],
)
async def test_a_refusal_the_setting_lifts_names_it_where_it_may_be_set(url: str) -> None:
    """The newcomer's `make run` case: how to allow a local receiver is in the 422's detail."""
    with pytest.raises(DestinationRefused, match="REFERRAL_WEBHOOK_ALLOW_PRIVATE=true"):
        await check_destination(url, allow_private=False, name_setting=True)
    with pytest.raises(DestinationRefused) as caught:
        await check_destination(url, allow_private=False, name_setting=False)
    assert "ALLOW_PRIVATE" not in str(caught.value)


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1/hook", "https://user:pw@93.184.215.14/hook", "https:///nohost"]
)
async def test_a_refusal_the_setting_cannot_lift_does_not_name_it(url: str) -> None:
    with pytest.raises(DestinationRefused) as caught:
        await check_destination(url, allow_private=False, name_setting=True)
    assert "ALLOW_PRIVATE" not in str(caught.value)
