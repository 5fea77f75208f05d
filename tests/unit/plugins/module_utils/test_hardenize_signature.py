# -*- coding: utf-8 -*-
"""Signature verification against vectors computed independently with
``printf '%s' '<t>;<body>' | openssl dgst -sha256 -hmac '<secret>'``."""

import pytest

from ansible_collections.domainsec.onboard.plugins.module_utils import hardenize_signature as sig
from ansible_collections.domainsec.onboard.plugins.filter.hardenize_signature_valid import hardenize_signature_valid

from ansible.errors import AnsibleFilterError

VECTORS = [
    # (secret, t, body, hex from openssl)
    ('3685c06a966e4d0ea625d0b475719661', 1539185809044,
     '{"id":0,"type":"test","data":{"message":"This is a webhook test."}}',
     '21e60c2099718d09ccfafc92797d742510e6bb38c566bf83ba343aca0ba166b9'),
    ('s', 1700000000000, '', '725dc3ec667f8f29fc14634f0237bace9094176e517e155614e8974b06cc97cc'),
    ('another-secret-0f9e', 1767225600123,
     '{"id":42,"type":"pki.cert.new","data":{"cn":"b\\u00fccher.example"}}',
     'a3f3dec2bf08b89b336f2373407f95b10cfc25cdd2eb36fe5ab3c4597b560aeb'),
    ('k', 1767225600123, u'caf\u00e9', 'f49a68f242c5a8533dec53b44fcc5e6ad400efdaa15c0b634fb27e4f2f052d15'),
]


def header(t, hexsig):
    return 't=%d; hmac-sha256=%s' % (t, hexsig)


@pytest.mark.parametrize('secret,t,body,expected', VECTORS)
def test_matches_openssl(secret, t, body, expected):
    assert sig.compute_signature(body, secret, t) == expected
    assert sig.signature_valid(body, header(t, expected), secret, now=t / 1000.0 + 10)
    assert hardenize_signature_valid(body, header(t, expected), secret, max_age=0)


@pytest.mark.parametrize('secret,t,body,expected', VECTORS[:1])
def test_rejections(secret, t, body, expected):
    now = t / 1000.0 + 1
    good = header(t, expected)
    assert sig.signature_valid(body.encode('utf-8'), good, secret, now=now)  # bytes body works too
    assert not sig.signature_valid(body + ' ', good, secret, now=now)  # tampered body
    assert not sig.signature_valid(body.replace('test', 'tesT'), good, secret, now=now)
    assert not sig.signature_valid(body, good, secret + 'x', now=now)  # wrong secret
    assert not sig.signature_valid(body, good, '', now=now)
    assert not sig.signature_valid(body, header(t + 1, expected), secret, now=now)  # timestamp changed
    assert not sig.signature_valid(body, good, secret, now=t / 1000.0 + 301)  # stale
    assert not sig.signature_valid(body, good, secret, now=t / 1000.0 - 301)  # from the future
    assert sig.signature_valid(body, good, secret, max_age=0, now=t / 1000.0 + 10 ** 6)
    flipped = expected[:-1] + ('0' if expected[-1] != '0' else '1')
    assert not sig.signature_valid(body, header(t, flipped), secret, now=now)


@pytest.mark.parametrize('bad', [
    None, '', 'garbage', 't=abc; hmac-sha256=' + '0' * 64, 't=1539185809044', 'hmac-sha256=' + '0' * 64,
    't=1539185809044; hmac-sha256=xyz', 't=1539185809044; hmac-sha256=' + '0' * 63, 't=1; sha1=' + '0' * 40,
])
def test_malformed_headers(bad):
    assert sig.parse_signature_header(bad) is None
    assert not sig.signature_valid('{}', bad, 'secret', max_age=0)


def test_header_parsing_is_lenient_on_spacing_and_case():
    t, expected = VECTORS[0][1], VECTORS[0][3]
    assert sig.parse_signature_header('t=%d;hmac-sha256=%s' % (t, expected.upper())) == (t, expected)


def test_filter_rejects_bad_arguments():
    with pytest.raises(AnsibleFilterError, match='max_age'):
        hardenize_signature_valid('{}', 't=1; hmac-sha256=' + '0' * 64, 's', max_age='soon')
    with pytest.raises(AnsibleFilterError, match='verbatim body'):
        hardenize_signature_valid({'a': 1}, 't=1; hmac-sha256=' + '0' * 64, 's')
