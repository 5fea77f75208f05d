# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The decisions of hardenize_event_hook that need no API: destination matching,
input checks, event-type checks and the hook test that is never sent blindly twice."""

import pytest

from unit.fake_http import FakeHttp, dropped, read_timeout
from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError
from ansible_collections.domainsec.onboard.plugins.module_utils import hardenize as hz
from ansible_collections.domainsec.onboard.plugins.modules import hardenize_event_hook as mod


def params(**overrides):
    base = dict(destination='https://hooks.example.com/hardenize', hook_type='webhook', event_types=['hostAdded'],
                state='present', test=False)
    base.update(overrides)
    return base


@pytest.mark.parametrize('a, b', [
    ('https://Hooks.Example.COM/hardenize', 'https://hooks.example.com/hardenize'),
    ('https://hooks.example.com:443/hardenize', 'https://hooks.example.com/hardenize'),
    ('HTTPS://hooks.example.com/hardenize', 'https://hooks.example.com/hardenize'),
    ('https://hooks.example.com', 'https://hooks.example.com/'),
    (' https://hooks.example.com/x?a=1 ', 'https://hooks.example.com/x?a=1'),
])
def test_destination_key_same(a, b):
    assert hz.destination_key(a) == hz.destination_key(b)


@pytest.mark.parametrize('a, b', [
    ('https://hooks.example.com/Hardenize', 'https://hooks.example.com/hardenize'),
    ('https://hooks.example.com:8443/hardenize', 'https://hooks.example.com/hardenize'),
    ('https://hooks.example.com/x?a=1', 'https://hooks.example.com/x?a=2'),
    ('https://other.example.com/hardenize', 'https://hooks.example.com/hardenize'),
    ('https://alice:new@hooks.example.com/x', 'https://alice:old@hooks.example.com/x'),
    ('https://alice:pw@hooks.example.com/x', 'https://hooks.example.com/x'),
])
def test_destination_key_different(a, b):
    assert hz.destination_key(a) != hz.destination_key(b)


def test_destination_key_leaves_pubsub_as_given():
    assert hz.destination_key('pubsub://Projects/Topic') == 'pubsub://Projects/Topic'


@pytest.mark.parametrize('overrides, words', [
    (dict(destination='http://hooks.example.com/x'), 'https://'),
    (dict(destination='https:///nohost'), 'host name'),
    (dict(hook_type='pubsub', destination='https://hooks.example.com/x'), 'pubsub://'),
    (dict(event_types=[]), 'at least one event type'),
    (dict(event_types=['hostAdded', ' ']), 'empty names'),
    (dict(state='absent', test=True), 'state=absent'),
])
def test_validate_rejects(overrides, words):
    with pytest.raises(ValueError) as err:
        mod.validate(params(**overrides))
    assert words in str(err.value)


def test_validate_strips_destination():
    assert mod.validate(params(destination='  https://hooks.example.com/x  ')) == 'https://hooks.example.com/x'


def hardenize(*outcomes, **kwargs):
    """A Hardenize client whose requests are answered by FakeHttp (scripted ``outcomes`` for any request)."""
    sleeps = []
    params = dict(api_user='svc', api_password='hunter22-pw', org='demo', api_url='https://api.test', timeout=30,
                  validate_certs=True, ca_path=None, retries=3, rate_limit_wait=kwargs.pop('rate_limit_wait', 60))
    client = hz.HardenizeClient.from_params(params)
    client.http.sleep = sleeps.append
    fake = FakeHttp(default=kwargs.pop('default', None)).on('*', *outcomes).mount(client.http)
    return client, fake, sleeps


HOOK = dict(id='h1', hookType='webhook', destination='https://hooks.example.com/x')


def test_hook_test_is_sent_once_as_a_write():
    client, fake, _sleeps = hardenize({'successful': True})
    assert client.test_hook(HOOK, 'test', 'none') == {'successful': True}
    [sent] = fake.sent
    assert (sent.method, sent.path) == ('POST', '/v1/org/demo/eventHooks/h1;test')
    assert sent.query == {'eventType': 'test', 'invalid': 'none'}


def test_hook_test_refused_with_429_is_waited_out_by_the_transport():
    client, fake, sleeps = hardenize((429, b'{"errors": [{"message": "slow down"}]}'), {'successful': False})
    assert client.test_hook(HOOK) == {'successful': False}
    assert len(fake.sent) == 2 and len(sleeps) == 1


@pytest.mark.parametrize('outcome', [dropped(), read_timeout(), (502, b''), (503, b''), (504, b'')])
def test_hook_test_with_an_unknown_outcome_is_never_sent_again(outcome):
    client, fake, _sleeps = hardenize(outcome, {'successful': True})
    with pytest.raises(DomainsecError) as err:
        client.test_hook(HOOK)
    assert 'not sent again' in str(err.value)
    assert len(fake.sent) == 1


def test_hook_test_gives_up_when_the_rate_limit_budget_is_spent():
    client, fake, sleeps = hardenize(*[(429, b'{}', {'Retry-After': '20'})] * 10, rate_limit_wait=30)
    with pytest.raises(DomainsecError):
        client.test_hook(HOOK)
    assert sum(sleeps[:1]) <= 30 and len(fake.sent) <= 5


def event_types(*names):
    return lambda sent: {'eventTypes': [dict(name=n) for n in names]}


def test_check_event_types_accepts_types_below_a_listed_prefix():
    # The document's GET /eventTypes example lists "ct"; hooks use "ct.entry".
    client, _fake, _sleeps = hardenize(default=event_types('ct', 'pki.cert.new'))
    mod.check_event_types(client, ['ct.entry', 'pki.cert.new'])
    with pytest.raises(DomainsecError):
        mod.check_event_types(client, ['cta.entry'])


def test_check_event_types_names_the_unknown_ones():
    client, _fake, _sleeps = hardenize(default=event_types('hostAdded', 'certExpiring'))
    mod.check_event_types(client, ['hostAdded'])
    with pytest.raises(DomainsecError) as err:
        mod.check_event_types(client, ['hostAdded', 'hostAded'])
    assert 'hostAded' in str(err.value) and 'certExpiring' in str(err.value)


def test_hook_view_masks_the_secret_unless_asked():
    hook = dict(id='h1', hookType='webhook', eventTypes=['b', 'a'], status='enabled', destination='https://x.example/',
                secret='s3cr3t-value', extra='ignored')
    assert hz.hook_view(hook) == dict(id='h1', hookType='webhook', eventTypes=['a', 'b'], status='enabled',
                                      destination='https://x.example/', secret='********')
    assert hz.hook_view(hook, with_secret=True)['secret'] == 's3cr3t-value'
    assert hz.hook_view(None) == {}
    assert hz.hook_view(dict(hook, secret=None))['secret'] is None
