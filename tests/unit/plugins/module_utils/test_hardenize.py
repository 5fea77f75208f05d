# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Host-name canonicalisation, TSIG checks and the rate limiter of the Hardenize client,
and the decisions of hardenize_host (which settings a host still needs)."""

import pytest

from ansible_collections.domainsec.onboard.plugins.module_utils import hardenize as hz
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_name
from ansible_collections.domainsec.onboard.plugins.modules import hardenize_host as mod


@pytest.mark.parametrize('given, expected', [
    ('Example.COM.', 'example.com'),
    ('  www.example.com ', 'www.example.com'),
    ('bücher.example', 'xn--bcher-kva.example'),
    ('XN--BCHER-KVA.example.', 'xn--bcher-kva.example'),
    # IDNA 2008: ß is its own letter; the IDNA 2003 codec would give strasse.de, another domain.
    ('straße.de', 'xn--strae-oqa.de'),
    ('BÜCHER.example', 'xn--bcher-kva.example'),
    # UTS 46 mapping: full-width letters and ligatures fold, ideographic full stops separate labels.
    ('\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com', 'example.com'),
    ('\ufb01le.example', 'file.example'),
    ('b\u00fccher\u3002example', 'xn--bcher-kva.example'),
])
def test_canonical_hostname(given, expected):
    # Host names are checked by the rule every vendor shares (names.check_name).
    assert check_name(given, 'hostnames') == expected


@pytest.mark.parametrize('bad', ['', 'localhost', 'bad host.example.com', '-a.example.com', 'a..example.com',
                                 '192.0.2.1', '2001:db8::1', 'a.b.123', 'x' * 64 + '.example.com',
                                 '_dmarc.example.com'])
def test_canonical_hostname_rejects(bad):
    with pytest.raises(ValueError, match='hostnames'):
        check_name(bad, 'hostnames')


def test_a_host_hardenize_answers_with_may_hold_underscores():
    # A name given by a user may not (host names have none), but an account holding one can still be read.
    assert hz.host_key({'hostname': '_dmarc.Example.com.'}) == '_dmarc.example.com'
    with pytest.raises(ValueError):
        hz.host_key({'hostname': 'a.b.123'})


@pytest.mark.parametrize('given, expected', [
    ('2001:DB8:0::1', '2001:db8::1'),
    ('192.0.2.53', '192.0.2.53'),
    ('NS1.Example.com.', 'ns1.example.com'),
    ('ns.bücher.example', 'ns.xn--bcher-kva.example'),
    ('', ''),
    ('  ', ''),
])
def test_canonical_axfr_host(given, expected):
    assert hz.canonical_axfr_host(given) == expected


def test_canonical_axfr_host_rejects_garbage():
    with pytest.raises(ValueError, match='axfr_host'):
        hz.canonical_axfr_host('not a host!')


def test_common_parent():
    assert hz.common_parent(['a.example.com', 'b.x.example.com']) == 'example.com'
    assert hz.common_parent(['a.example.com', 'b.example.net']) is None
    assert hz.common_parent(['example.com']) == 'example.com'


@pytest.mark.parametrize('tsig, message', [
    ({'name': 'k', 'algorithm': 'HMAC_SHA256', 'key': '   '}, 'missing: key'),
    ({'name': ' ', 'algorithm': 'HMAC_SHA256', 'key': 'c2VjcmV0'}, 'missing: name'),
    ({'name': 'k', 'algorithm': 'HMAC_SHA3', 'key': 'c2VjcmV0'}, 'algorithm'),
    ({'name': 'k', 'algorithm': 'HMAC_SHA256', 'key': 'not base64!'}, 'base64'),
])
def test_validate_tsig_rejects(tsig, message):
    with pytest.raises(ValueError, match=message):
        hz.validate_tsig(tsig)


def test_validate_tsig_accepts_and_normalises():
    assert hz.validate_tsig({'name': ' xfr ', 'algorithm': 'hmac-sha256', 'key': ' c2VjcmV0 '}) == \
        {'name': 'xfr', 'algorithm': 'HMAC_SHA256', 'key': 'c2VjcmV0'}


class _Answer(object):
    def __init__(self, header):
        self.headers = {'X-Request-Allowance': header}


def test_rate_limiter_waits_before_the_bucket_is_empty():
    now = [100.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    limiter = hz.RateLimiter(reserve=2, sleep=sleep, clock=lambda: now[0])
    limiter.before_request()  # nothing known yet: no wait
    limiter.after_response(_Answer('r: 5/60 (+1/1s); c: 1/5'))
    limiter.before_request()  # 5 left: go
    assert slept == []
    limiter.after_response(_Answer('r: 0/60 (+2/1s); c: 1/5'))
    limiter.before_request()  # empty at 2 per second: wait until 2 are back
    assert slept == [pytest.approx(1.0)]


# -- hardenize_host decisions -------------------------------------------------------
def _wanted(**kwargs):
    wanted = dict(kwargs)
    if 'groups' in wanted:
        wanted.setdefault('groups_mode', 'append')
    return wanted


def test_group_names_resolve_to_ids():
    client = GroupsClient([{'id': 'pci_scope', 'name': 'PCI scope'}, {'id': 'web', 'name': 'Web'}])
    hosts = {'a.example.com': {'groups': ['web']}}
    # Ids the hosts already carry need no read.
    assert client.resolve_groups(['web'], hosts) == {'web': 'web'}
    assert client.reads == 0
    resolved = client.resolve_groups(['pci SCOPE', 'web', 'new one'], hosts)
    assert resolved == {'pci SCOPE': 'pci_scope', 'web': 'web', 'new one': None}
    assert client.reads == 1
    wanted = mod.with_group_ids(_wanted(groups=['pci SCOPE', 'web', 'new one', 'New One']), resolved)
    assert wanted['group_ids'] == ['pci_scope', 'web'] and wanted['new_groups'] == ['new one']


@pytest.mark.parametrize('mode, have, ids, new, needs', [
    ('append', ['pci_scope'], ['pci_scope'], [], False),
    ('append', ['web'], ['pci_scope'], [], True),
    ('append', ['pci_scope'], ['pci_scope'], ['brand new'], True),
    ('replace', ['pci_scope'], ['pci_scope'], [], False),
    ('replace', ['pci_scope', 'web'], ['pci_scope'], [], True),
    ('remove', ['pci_scope', 'web'], ['pci_scope'], [], True),
    ('remove', ['web'], ['pci_scope'], [], False),
    ('remove', ['web'], [], ['never existed'], False),
])
def test_host_needs_groups(mode, have, ids, new, needs):
    wanted = dict(groups=ids + new, groups_mode=mode, group_ids=ids, new_groups=new)
    assert bool(mod.host_needs({'groups': have}, wanted)) is needs


def test_host_needs_compares_as_stored():
    host = {'axfrHost': '2001:db8::1', 'axfrTsig': {'name': 'xfr.example.com', 'algorithm': 'HMAC_SHA256'}}
    wanted = {'axfrHost': hz.canonical_axfr_host('2001:DB8:0::1'),
              'axfrTsig': {'name': 'XFR.example.com.', 'algorithm': 'HMAC_SHA256', 'key': 'c2VjcmV0'}}
    assert mod.host_needs(host, wanted) == []
    assert mod.host_needs(host, {'axfrHost': ''}) == ['axfrHost']
    assert mod.host_needs({'axfrHost': None}, {'axfrHost': ''}) == []


class GroupsClient(hz.HardenizeClient):
    def __init__(self, groups):  # pylint: disable=super-init-not-called
        self.groups = groups
        self.reads = 0

    def list_groups(self):
        self.reads += 1
        return self.groups


def test_find_group_by_name_never_by_another_groups_id():
    # "Web" was renamed "Frontend" (keeping id web); a new "Web" got id web_2.
    client = GroupsClient([dict(id='web', name='Frontend'), dict(id='web_2', name='Web'),
                           dict(id='web_servers', name='Web Servers')])
    assert client.find_group('WEB')['id'] == 'web_2'
    assert client.find_group('web_servers') is None
    assert client.find_group('web_servers', by_id=True)['name'] == 'Web Servers'
    assert client.find_group('web', by_id=True)['id'] == 'web_2'  # a name match wins over an id match
