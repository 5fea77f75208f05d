# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The name rules every vendor shares (plugins/module_utils/names.py) and the module-level input check."""

import pytest

from ansible_collections.domainsec.onboard.plugins.module_utils import dns_records as dr
from ansible_collections.domainsec.onboard.plugins.module_utils import hardenize as hz
from ansible_collections.domainsec.onboard.plugins.module_utils import module_runner as mr
from ansible_collections.domainsec.onboard.plugins.module_utils import names


@pytest.mark.parametrize('text', ['mail\n', 'mail\n.example.com', 'evil\r\n.example.com', 'a\tb', 'x\x00y',
                                  'pay\u202epal.com', 'zero\u200bwidth.com', 'line\u2028sep'])
def test_check_text_refuses_control_and_invisible_characters(text):
    with pytest.raises(ValueError) as err:
        names.check_text(text, 'records[2].value')
    assert 'records[2].value' in str(err.value) and 'U+' in str(err.value)


def test_check_text_accepts_ordinary_text():
    assert names.check_text('v=spf1 mx -all; "quoted" \u00fcml\u00e4ut', 'value') == 'v=spf1 mx -all; "quoted" \u00fcml\u00e4ut'


@pytest.mark.parametrize('label', ['www\n', 'www\n\n', 'a' * 64, '-www', 'www-', 'w w'])
def test_label_is_matched_against_the_whole_text(label):
    # '$' would match before a final newline: 'www\n' passed the old check.
    assert not names.LABEL.match(label)
    assert not names.is_hostname(label + '.example.com')


@pytest.mark.parametrize('name', ['mail\n.example.com', 'evil\n.example.com', 'pay\u202epal.example',
                                  'zero\u200bwidth.example'])
def test_names_with_control_characters_are_refused_by_every_vendor(name):
    assert not names.is_hostname(names.to_ascii(name))
    with pytest.raises(ValueError):
        names.check_name(name, 'hostnames')
    with pytest.raises(dr.RecordError):
        dr.absolute_target(name, 'example.com')
    with pytest.raises(UnicodeError):
        names.idna_ascii(name)


def test_idna_2008_conversion_is_defined_once():
    assert names.idna_ascii('straße.de') == 'xn--strae-oqa.de'
    assert dr.normalize_zone('Straße.DE.') == 'xn--strae-oqa.de'
    assert names.check_name('straße.de', 'domain') == 'xn--strae-oqa.de'


@pytest.mark.parametrize('value, network, expected', [
    (' 2001:DB8:0::1 ', False, '2001:db8::1'), ('192.0.2.77/24', True, '192.0.2.0/24'), ('192.0.2.7', True, '192.0.2.7/32'),
])
def test_normalize_ip(value, network, expected):
    assert names.normalize_ip(value, 'masters', network=network) == expected


@pytest.mark.parametrize('value', ['ns1', 'fe80::1%eth0', '192.0.2.0/33'])
def test_normalize_ip_refuses(value):
    with pytest.raises(ValueError, match='masters'):
        names.normalize_ip(value, 'masters', network='/' in value)


def test_one_mask_for_every_hidden_value():
    from ansible_collections.domainsec.onboard.plugins.module_utils import http_transport as H
    assert H.REDACTED == hz.SECRET_MASK == names.MASK


SPEC = dict(
    domain=dict(type='str'), password=dict(type='str', no_log=True), csr=dict(type='str'),
    records=dict(type='list', elements='dict', options=dict(type=dict(type='str'), value=dict(type='str'))),
    hostnames=dict(type='list', elements='str'),
)


def test_walk_finds_every_string_option_with_its_path():
    params = dict(domain='example.com', password='pw\n', csr='-----BEGIN\nX\n-----END',
                  records=[dict(type='A', value='192.0.2.1'), dict(type='MX', value='mail\n.example.com')],
                  hostnames=['a.example.com', 'b\n.example.com'])
    found = dict((path, rest) for path, *rest in mr._walk(SPEC, params, '', set(['csr'])))
    assert found['records[1].value'] == ['mail\n.example.com', False, False]
    assert found['hostnames[1]'] == ['b\n.example.com', False, False]
    assert found['password'] == ['pw\n', True, False]
    assert found['csr'] == ['-----BEGIN\nX\n-----END', False, True]


@pytest.mark.parametrize('url, password', [
    ('https://alice:s3cret@hooks.example.com/x', 's3cret'), ('https://hooks.example.com/x', None),
    ('not a url', None), ('pubsub://projects/p/topics/t', None),
])
def test_url_password(url, password):
    assert mr.url_password(url) == password


def test_mixed_script_lookalikes_are_warned_about():
    # 'pаypal' with a Cyrillic а (U+0430): valid IDNA, a different domain from paypal.
    warning = names.lookalike_warning('p\u0430ypal.example', 'domain')
    assert warning and 'CYRILLIC' in warning and 'LATIN' in warning and 'xn--' in warning
    assert names.lookalike_warning('bücher.example', 'domain') is None  # one script (Latin) with an umlaut
    assert names.lookalike_warning('пример.example', 'domain') is None  # all Cyrillic
    assert names.lookalike_warning('www.example.com', 'domain') is None


def test_srv_name_that_repeats_service_and_protocol_is_refused():
    with pytest.raises(dr.RecordError, match='already starts with a _service._protocol pair'):
        dr.normalize_user_record({'type': 'SRV', 'name': '_sip._tcp', 'service': 'sip', 'protocol': 'tcp',
                                  'priority': 0, 'weight': 5, 'port': 5060, 'value': 'sip.example.com'}, 'example.com')
