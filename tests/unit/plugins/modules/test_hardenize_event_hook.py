# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The decisions of hardenize_event_hook that need no API: destination matching,
input checks, event-type checks and the hook test that is never sent blindly twice."""

import pytest

from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError, WriteOutcomeUnknown
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


class FakeClient(object):
    """Answers requests from a script; records what was sent and how long it slept."""

    def __init__(self, answers=(), event_types=()):
        self.answers = list(answers)
        self.sent = []
        self.slept = []
        self.http = self
        self.event_types = [dict(name=n) for n in event_types]

    def sleep(self, seconds):
        self.slept.append(seconds)

    def list_event_types(self):
        return self.event_types

    def request(self, method, path, **kwargs):
        self.sent.append((method, path, kwargs))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return Answer(answer)


class Answer(object):
    def __init__(self, body):
        self.body = body

    def json(self):
        return self.body


def test_run_test_sends_once_as_a_write():
    client = FakeClient([dict(successful=True)])
    assert mod.run_test(client, '/eventHooks/h1', dict(eventType='test')) == dict(successful=True)
    assert len(client.sent) == 1
    method, path, kwargs = client.sent[0]
    assert (method, path, kwargs['write']) == ('POST', '/eventHooks/h1;test', True)


def test_run_test_retries_only_after_429():
    client = FakeClient([WriteOutcomeUnknown('HTTP 429', settle=1.5, status=429), dict(successful=False)])
    assert mod.run_test(client, '/eventHooks/h1', {}) == dict(successful=False)
    assert len(client.sent) == 2
    assert client.slept == [1.5]


@pytest.mark.parametrize('status', [None, 502, 503, 504])
def test_run_test_does_not_resend_an_unknown_outcome(status):
    client = FakeClient([WriteOutcomeUnknown('read timed out', status=status), dict(successful=True)])
    with pytest.raises(DomainsecError) as err:
        mod.run_test(client, '/eventHooks/h1', {})
    assert 'not sent again' in str(err.value)
    assert len(client.sent) == 1


def test_run_test_gives_up_after_three_429s():
    client = FakeClient([WriteOutcomeUnknown('HTTP 429', status=429)] * 3)
    with pytest.raises(DomainsecError):
        mod.run_test(client, '/eventHooks/h1', {})
    assert len(client.sent) == 3


def test_check_event_types_accepts_types_below_a_listed_prefix():
    # The document's GET /eventTypes example lists "ct"; hooks use "ct.entry".
    client = FakeClient(event_types=['ct', 'pki.cert.new'])
    mod.check_event_types(client, ['ct.entry', 'pki.cert.new'])
    with pytest.raises(DomainsecError):
        mod.check_event_types(client, ['cta.entry'])


def test_check_event_types_names_the_unknown_ones():
    client = FakeClient(event_types=['hostAdded', 'certExpiring'])
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
