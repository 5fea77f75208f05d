# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Hardenize emulator and the webhook receiver, over real HTTPS."""

import base64
import datetime
import hashlib
import hmac
import json
import re
import threading
import time
import urllib.parse

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from emulators import harness as emulator_harness

ERROR_MIME = 'application/vnd.hardenize.v1.error-response+json'
ALLOWANCE = re.compile(r'^r: (\d+)/(\d+) \(\+(\d+)/1s\); c: (\d+)/(\d+)$')


class Hz(object):
    """Hardenize API caller plus the emulator's and the receiver's admin APIs."""

    def __init__(self, running):
        self.env = running.env()
        self.base = '%s/v1/org/%s' % (self.env['HARDENIZE_API_URL'], self.env['HARDENIZE_ORG'])
        self.auth = (self.env['HARDENIZE_API_USER'], self.env['HARDENIZE_API_PASSWORD'])
        self.admin_url = self.env['EMULATOR_HARDENIZE_ADMIN']
        self.receiver_admin = self.env['EMULATOR_RECEIVER_ADMIN']
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = running.ca_path

    def call(self, method, path, body=None, auth=True, **kwargs):
        if body is not None:
            kwargs['json'] = body
        return self.session.request(method, self.base + path, auth=self.auth if auth else None, timeout=15, **kwargs)

    def ok(self, method, path, body=None, status=200, **kwargs):
        response = self.call(method, path, body, **kwargs)
        assert response.status_code == status, (method, path, response.status_code, response.text)
        assert ALLOWANCE.match(response.headers['X-Request-Allowance']), response.headers
        return response.json() if response.content else None

    def error(self, method, path, body=None, status=400, param=None, **kwargs):
        response = self.call(method, path, body, **kwargs)
        assert response.status_code == status, (method, path, response.status_code, response.text)
        assert response.headers['Content-Type'] == ERROR_MIME
        assert ALLOWANCE.match(response.headers['X-Request-Allowance'])
        errors = response.json()['errors']
        assert errors and all(e['message'] for e in errors)
        if param is not None:
            assert errors[0].get('param') == param, errors
        return response

    def admin(self, path, body=None, method=None):
        response = self.session.request(method or ('GET' if body is None else 'POST'), '%s/%s' % (self.admin_url, path),
                                        json=body, timeout=15)
        assert response.status_code == 200, response.text
        return response.json()

    def configure(self, **config):
        return self.admin('config', config)

    def receiver(self, path, body=None, method=None):
        response = self.session.request(method or ('GET' if body is None else 'POST'), '%s/%s' % (self.receiver_admin, path),
                                        json=body, timeout=15)
        assert response.status_code in (200, 204), response.text
        return response.json() if response.content else None

    def create_hosts(self, names, **fields):
        self.ok('POST', '/hosts', dict(fields, hostnames=names), status=204)

    def hosts(self, **params):
        return dict((h['punyHostname'], h) for h in self.ok('GET', '/hosts', params=params)['hosts'])

    def host(self, name):
        return self.ok('GET', '/hosts/%s' % urllib.parse.quote(name))['host'][0]

    def hook(self, destination=None, event_types=('ct.entry',), **fields):
        body = dict(fields, hookType='webhook', eventTypes=list(event_types),
                    destination=destination or self.env['HARDENIZE_TEST_RECEIVER_URL'] + '/unit')
        return self.ok('POST', '/eventHooks', body)['eventHook']

    def trust(self, hook):
        self.receiver('config', {'org': self.env['HARDENIZE_ORG'], 'secrets': {hook['id']: hook['secret']}})


@pytest.fixture(scope='module')
def running(tmp_path_factory):
    instance = emulator_harness.start(str(tmp_path_factory.mktemp('emulators')), vendors=['hardenize'])
    yield instance
    instance.stop()


@pytest.fixture
def hz(running):
    client = Hz(running)
    assert client.admin('reset', {}) == {'reset': 'all'}
    client.receiver('config', method='DELETE')
    client.receiver('deliveries', method='DELETE')
    yield client
    client.session.close()


# -- harness, auth, envelope ---------------------------------------------------------
def test_env_and_tls(running, hz):
    env = hz.env
    assert re.match(r'^https://127\.0\.0\.1:\d+$', env['HARDENIZE_API_URL'])
    assert re.match(r'^emu-[a-z0-9]{8}$', env['HARDENIZE_ORG'])
    assert env['HARDENIZE_API_USER'] and len(env['HARDENIZE_API_PASSWORD']) >= 20
    assert re.match(r'^https://127\.0\.0\.1:\d+/hooks$', env['HARDENIZE_TEST_RECEIVER_URL'])
    assert env['EMULATOR_RECEIVER_ADMIN'] == env['HARDENIZE_TEST_RECEIVER_URL'][:-len('/hooks')] + '/_receiver'
    assert env['DOMAINSEC_CA_PATH'] == running.ca_path
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(hz.base + '/hosts', auth=hz.auth, verify=True, timeout=5)


def test_auth_required(hz):
    for auth in (None, (hz.auth[0], hz.auth[1] + 'x'), ('someone', hz.auth[1])):
        response = hz.session.get(hz.base + '/hosts', auth=auth, timeout=5)
        assert response.status_code == 401
        assert response.headers['WWW-Authenticate'] == 'Basic realm="Hardenize"'
        assert response.headers['Content-Type'] == ERROR_MIME
        assert response.json()['errors'][0]['message']
        assert ALLOWANCE.match(response.headers['X-Request-Allowance'])
    response = hz.session.get(hz.base + '/hosts', headers={'Authorization': 'Bearer x'}, timeout=5)
    assert response.status_code == 401


def test_unknown_org_path_and_method(hz):
    response = hz.session.get(hz.env['HARDENIZE_API_URL'] + '/v1/org/someone-else/hosts', auth=hz.auth, timeout=5)
    assert response.status_code == 404 and response.headers['Content-Type'] == ERROR_MIME
    hz.error('GET', '/nothing', status=404)
    hz.error('GET', '/hosts/example.com;zoneTransfer', status=404)
    response = hz.error('PUT', '/hosts', status=405)
    assert response.headers['Allow'] == 'GET, POST, DELETE'
    hook = hz.hook()
    assert hz.error('GET', '/eventHooks/%s' % hook['id'], status=405).headers['Allow'] == 'POST, DELETE'


@pytest.mark.parametrize('method, path, allow', [
    # 404: no such path, whatever the method (nothing to allow)
    ('GET', '/nothing', None), ('POST', '/nothing', None), ('DELETE', '/eventDestinations/pubsub', None),
    ('GET', '/eventTypes/ct.entry;test', None), ('GET', '/certs/%s/digicert/order' % ('a' * 64), None),
    ('GET', '/hosts/a/b', None), ('GET', '/', None),
    # 405: the path exists, with other methods
    ('POST', '/eventDestinations', 'GET'), ('DELETE', '/events', 'GET'), ('GET', '/eventHooks/x;test', 'POST'),
    ('PUT', '/groups/x', 'GET, POST, DELETE'), ('DELETE', '/certs', 'GET'), ('GET', '/eventTypes/ct.entry', 'POST'),
])
def test_404_for_no_such_path_405_for_another_method(hz, method, path, allow):
    response = hz.error(method, path, status=405 if allow else 404)
    assert response.headers.get('Allow') == allow


def test_event_destinations(hz):
    """GET /eventDestinations (the path the 400 on a PubSub destination names): the account's PubSub destination once
    PubSub delivery is enabled for it, none before."""
    assert hz.ok('GET', '/eventDestinations') == {'eventDestinations': []}
    pubsub = {'hookType': 'pubsub', 'eventTypes': ['ct.entry'], 'destination': 'pubsub://events/1/1005'}
    hz.error('POST', '/eventHooks', pubsub, status=403)  # not enabled: 403 before the destination is looked at
    hz.configure(pubsub_enabled=True)
    destinations = hz.ok('GET', '/eventDestinations')['eventDestinations']
    assert [list(d) for d in destinations] == [['destinationId', 'type', 'project', 'topic', 'subscription',
                                                'subscriberCredentials']]
    destination = destinations[0]
    assert destination['destinationId'] == 'pubsub://events/1/1005' and destination['type'] == 'pubsub'
    credentials = json.loads(destination['subscriberCredentials'])  # a JSON string, as in the document's example
    assert credentials['type'] == 'service_account' and credentials['project_id'] == destination['project']
    key = credentials['private_key'].split('\n')[1]
    assert key in hz.admin('secrets')['secrets']
    # A PubSub hook's destination is one of them: the message names the endpoint, and the endpoint is served.
    response = hz.error('POST', '/eventHooks', dict(pubsub, destination='pubsub://events/1/9999'), param='destination')
    assert 'GET /eventDestinations' in response.json()['errors'][0]['message']
    hook = hz.ok('POST', '/eventHooks', dict(pubsub, destination=destination['destinationId']))['eventHook']
    hz.error('POST', '/eventHooks/%s' % hook['id'], {'destination': 'pubsub://other'}, param='destination')
    assert hz.admin('counters')['counts']['GET /eventDestinations'] == 2


def test_bad_bodies(hz):
    response = hz.call('POST', '/hosts', data='{"hostnames": [', headers={'Content-Type': 'application/json'})
    assert response.status_code == 400 and response.headers['Content-Type'] == ERROR_MIME
    hz.error('POST', '/hosts', ['example.com'])
    hz.error('POST', '/hosts', {}, param='hostnames')
    hz.error('POST', '/hosts', {'hostnames': []}, param='hostnames')
    hz.error('POST', '/hosts', {'hostnames': ['example.com'], 'preview': True}, param='preview')
    response = hz.call('POST', '/hosts', data='hostnames=example.com', headers={'Content-Type': 'application/x-www-form-urlencoded'})
    assert response.status_code == 400
    assert hz.hosts() == {}


# -- hosts ---------------------------------------------------------------------------
def test_canonicalisation_and_idn(hz):
    hz.create_hosts(['Example.COM.', 'www.EXAMPLE.com', u'B\u00fccher.example.org', 'xn--4v8h.hardenize.com'])
    hosts = hz.hosts()
    assert sorted(hosts) == ['example.com', 'www.example.com', 'xn--4v8h.hardenize.com', 'xn--bcher-kva.example.org']
    assert hosts['xn--bcher-kva.example.org']['hostname'] == u'b\u00fccher.example.org'
    assert hosts['xn--4v8h.hardenize.com']['hostname'] == u'\U0001f525.hardenize.com'
    # The same hosts in other spellings are not new hosts.
    hz.create_hosts(['EXAMPLE.com', u'\U0001f525.hardenize.com.', 'xn--bcher-kva.EXAMPLE.org'])
    assert len(hz.hosts()) == 4
    for spelling, puny in (('example.com', 'example.com'), ('EXAMPLE.COM.', 'example.com'),
                           (u'\U0001f525.hardenize.com', 'xn--4v8h.hardenize.com'),
                           ('xn--4v8h.hardenize.com', 'xn--4v8h.hardenize.com')):
        assert hz.host(spelling)['punyHostname'] == puny, spelling


def test_invalid_hostnames(hz):
    for bad in ('bad host.example.com', 'com', 'co.uk', 'localhost', '-x.example.com', 'a..example.com', '192.0.2.1',
                'x' * 64 + '.example.com', 'xn--zz.example.com', 'exa/mple.com', ' example.com', ''):
        response = hz.error('POST', '/hosts', {'hostnames': ['ok.example.com', bad]}, param='hostnames')
        if bad.strip():
            assert bad.strip() in response.json()['errors'][0]['message']
    assert hz.hosts() == {}
    hz.error('GET', '/hosts/not_a_host', status=400, param='hostname')


def test_get_host_wraps_in_list_and_404(hz):
    hz.create_hosts(['example.com'], status='idle', groups=['Production'])
    answer = hz.ok('GET', '/hosts/example.com')
    assert isinstance(answer['host'], list) and len(answer['host']) == 1
    host = answer['host'][0]
    assert host['hostname'] == host['punyHostname'] == 'example.com'
    assert host['status'] == 'idle' and host['origin'] == 'manual' and host['groups'] == ['production']
    assert host['axfr'] == 'auto' and host['tags'] == [] and host['config'] == {} and host['nx'] is False
    assert host['regRegistry'] is True and host['regNx'] is False
    assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$', host['createdOn'])
    assert 'axfrTsig' not in host and 'axfrHost' not in host
    hz.error('GET', '/hosts/missing.example.com', status=404)


def test_create_defaults_and_existing_hosts(hz):
    hz.create_hosts(['a.example.com'])
    assert hz.host('a.example.com')['status'] == 'monitored'
    hz.configure(new_host_status='idle', default_axfr='disabled')
    hz.create_hosts(['b.example.com'], groups=['one'])
    assert (hz.host('b.example.com')['status'], hz.host('b.example.com')['axfr']) == ('idle', 'disabled')
    # Existing host: status applied, groups added (memberships kept), AXFR settings untouched.
    hz.create_hosts(['b.example.com', 'c.example.com'], status='archived', groups=['two'], axfr='enabled')
    b = hz.host('b.example.com')
    assert b['status'] == 'archived' and b['groups'] == ['one', 'two'] and b['axfr'] == 'disabled'
    assert hz.host('c.example.com')['axfr'] == 'enabled'
    groups = hz.ok('GET', '/groups')['groups']
    assert [(g['id'], g['name'], g['auto']) for g in groups] == [('one', 'one', False), ('two', 'two', False)]
    hz.error('POST', '/hosts', {'hostnames': ['d.example.com'], 'status': 'watching'}, param='status')
    hz.error('POST', '/hosts', {'hostnames': ['d.example.com'], 'axfr': 'yes'}, param='axfr')


def test_tsig_never_returned(hz):
    key = 'c2VjcmV0LXRzaWcta2V5LXZhbHVl'
    hz.create_hosts(['example.com'], axfr='enabled', axfrHost='NS-Hidden.Example.com.',
                    axfrTsig={'name': 'xfr', 'algorithm': 'HMAC_SHA256', 'key': key})
    host = hz.host('example.com')
    assert host['axfrTsig'] == {'algorithm': 'HMAC_SHA256', 'name': 'xfr'}
    assert host['axfrHost'] == 'ns-hidden.example.com'
    assert key not in hz.call('GET', '/hosts').text and key not in hz.call('GET', '/hosts/example.com').text
    assert hz.admin('state')['hosts'][0]['axfrTsig']['key'] == key
    for tsig, param in (({'name': 'x', 'algorithm': 'HMAC_SHA999', 'key': key}, 'axfrTsig.algorithm'),
                        ({'name': 'x', 'algorithm': 'HMAC_MD5', 'key': 'not base64!'}, 'axfrTsig.key'),
                        ({'algorithm': 'HMAC_MD5', 'key': key}, 'axfrTsig.name')):
        hz.error('POST', '/hosts', {'hostnames': ['x.example.com'], 'axfrTsig': tsig}, param=param)
    hz.error('POST', '/hosts', {'hostnames': ['x.example.com'], 'axfrHost': 'not a host'}, param='axfrHost')


def test_bulk_update_group_ops(hz):
    hz.create_hosts(['a.example.com', 'b.example.com'], groups=['keep', 'drop'])
    answer = hz.ok('POST', '/hosts/*', {'hostnames': ['a.example.com', 'B.example.com.'],
                                        'changes': {'groupOp': 'add', 'groups': ['New Group'], 'status': 'idle'}})
    assert answer == {'hostnames': ['a.example.com', 'b.example.com'], 'preview': False}
    assert hz.host('a.example.com')['groups'] == ['keep', 'drop', 'new_group']
    assert hz.host('b.example.com')['status'] == 'idle'
    hz.ok('POST', '/hosts/*', {'hostnames': ['a.example.com'], 'changes': {'groupOp': 'remove', 'groups': ['drop', 'unknown']}})
    assert hz.host('a.example.com')['groups'] == ['keep', 'new_group']
    hz.ok('POST', '/hosts/*', {'hostnames': ['a.example.com'], 'changes': {'groupOp': 'set', 'groups': ['NEW GROUP']}})
    assert hz.host('a.example.com')['groups'] == ['new_group']
    hz.error('POST', '/hosts/*', {'hostnames': ['a.example.com'], 'changes': {'groups': ['x']}}, param='changes.groupOp')
    hz.error('POST', '/hosts/*', {'hostnames': ['a.example.com'], 'changes': {'groupOp': 'merge', 'groups': ['x']}},
             param='changes.groupOp')
    hz.error('POST', '/hosts/*', {'hostnames': ['a.example.com'], 'changes': {'status': 'gone'}}, param='changes.status')
    response = hz.error('POST', '/hosts/*', {'hostnames': ['a.example.com', 'nope.example.com'], 'changes': {'status': 'archived'}},
                        param='hostnames')
    assert 'nope.example.com' in response.json()['errors'][0]['message']
    assert hz.host('a.example.com')['status'] == 'idle'  # nothing applied


def test_bulk_update_preview_subdomains_and_axfr(hz):
    hz.create_hosts(['example.com', 'www.example.com', 'a.b.example.com', 'example.net'])
    body = {'hostnames': ['example.com'], 'subdomains': True, 'preview': True,
            'changes': {'status': 'archived', 'axfr': 'enabled', 'axfrHost': '192.0.2.53'}}
    answer = hz.ok('POST', '/hosts/*', body)
    assert answer == {'hostnames': ['a.b.example.com', 'example.com', 'www.example.com'], 'preview': True}
    assert set(h['status'] for h in hz.hosts().values()) == {'monitored'}
    body['preview'] = False
    assert hz.ok('POST', '/hosts/*', body)['preview'] is False
    hosts = hz.hosts()
    assert [hosts[n]['status'] for n in sorted(hosts)] == ['archived', 'archived', 'monitored', 'archived']
    assert hosts['www.example.com']['axfrHost'] == '192.0.2.53' and hosts['www.example.com']['axfr'] == 'enabled'
    # Partial TSIG needs a complete result; a blank axfrHost removes it; null axfrTsig removes the key.
    hz.error('POST', '/hosts/*', {'hostnames': ['example.com'], 'changes': {'axfrTsig': {'name': 'x'}}},
             param='changes.axfrTsig.algorithm')
    hz.ok('POST', '/hosts/*', {'hostnames': ['example.com'], 'changes': {'axfrHost': '', 'axfrTsig': {
        'name': 'k', 'algorithm': 'HMAC_SHA1', 'key': 'a2V5'}}})
    hz.ok('POST', '/hosts/*', {'hostnames': ['example.com'], 'changes': {'axfrTsig': {'algorithm': 'HMAC_SHA512'}}})
    host = hz.host('example.com')
    assert 'axfrHost' not in host and host['axfrTsig'] == {'algorithm': 'HMAC_SHA512', 'name': 'k'}
    hz.ok('POST', '/hosts/*', {'hostnames': ['example.com'], 'changes': {'axfrTsig': None}})
    assert 'axfrTsig' not in hz.host('example.com')


def test_bulk_delete(hz):
    hz.create_hosts(['example.com', 'www.example.com', 'a.www.example.com', 'example.net'])
    answer = hz.ok('DELETE', '/hosts', {'hostnames': ['www.example.com'], 'subdomains': True, 'preview': True})
    assert answer == {'hostnames': ['a.www.example.com', 'www.example.com'], 'preview': True}
    assert len(hz.hosts()) == 4
    assert hz.ok('DELETE', '/hosts', {'hostnames': ['EXAMPLE.com.', 'gone.example.org']}) == \
        {'hostnames': ['example.com'], 'preview': False}
    assert sorted(hz.hosts()) == ['a.www.example.com', 'example.net', 'www.example.com']
    assert hz.ok('DELETE', '/hosts', {'hostnames': ['www.example.com'], 'subdomains': True})['hostnames'] == \
        ['a.www.example.com', 'www.example.com']
    assert sorted(hz.hosts()) == ['example.net']
    hz.error('DELETE', '/hosts', {'hostnames': ['example.net'], 'subdomains': 'yes'}, param='subdomains')


def test_list_filters(hz):
    hz.create_hosts(['example.com', 'www.example.com', 'mail.example.com'], groups=['Web'])
    hz.create_hosts(['example.net'], status='archived')
    assert sorted(hz.hosts(hostname='example.com')) == ['example.com', 'mail.example.com', 'www.example.com']
    assert sorted(hz.hosts(hostname='EXAMPLE.com.', subdomains='false')) == ['example.com']
    assert sorted(hz.hosts(status='archived')) == ['example.net']
    assert sorted(hz.hosts(group='web')) == sorted(hz.hosts(group='Web')) == ['example.com', 'mail.example.com', 'www.example.com']
    assert hz.hosts(group='nosuchgroup') == {}
    assert len(hz.hosts(origin='manual')) == 4 and hz.hosts(origin='ct') == {}
    assert len(hz.hosts(limit=2)) == 2
    hz.error('GET', '/hosts', params={'status': 'lost'}, param='status')
    hz.error('GET', '/hosts', params={'origin': 'api'}, param='origin')
    hz.error('GET', '/hosts', params={'limit': '0'}, param='limit')
    hz.error('GET', '/hosts', params={'subdomains': 'maybe'}, param='subdomains')


def test_hosts_unpaginated_by_default(hz):
    """The document never says GET /hosts is paginated: by default a Range header is ignored."""
    names = ['h%d.example.com' % i for i in range(5)]
    hz.create_hosts(names)
    hz.configure(page_size=2)
    assert hz.admin('config')['host_pagination'] == 'none'
    for headers in ({}, {'Range': 'pages=1-1'}, {'Range': 'pages=9-9'}, {'Range': 'pages=x'}):
        response = hz.call('GET', '/hosts', headers=headers)
        assert response.status_code == 200 and 'Content-Range' not in response.headers, headers
        assert sorted(h['hostname'] for h in response.json()['hosts']) == names
    response = hz.session.post(hz.admin_url + '/config', json={'host_pagination': 'sometimes'}, timeout=5)
    assert response.status_code == 400 and 'host_pagination' in response.json()['error']


def test_pagination(hz):
    names = ['h%d.example.com' % i for i in range(5)]
    hz.create_hosts(names)
    hz.configure(page_size=2, host_pagination='range')
    assert len(hz.ok('GET', '/hosts')['hosts']) == 5  # no Range: everything
    response = hz.call('GET', '/hosts', headers={'Range': 'pages=1-1'})
    assert response.status_code == 206 and response.headers['Content-Range'] == 'pages 1-1/3'
    seen = [h['hostname'] for h in response.json()['hosts']]
    response = hz.call('GET', '/hosts', headers={'Range': 'pages=2-9'})
    assert response.status_code == 206 and response.headers['Content-Range'] == 'pages 2-3/3'
    seen += [h['hostname'] for h in response.json()['hosts']]
    assert sorted(seen) == names
    for bad in ('pages=4-4', 'pages=2-1', 'pages=0-1', 'pages=x'):
        response = hz.error('GET', '/hosts', status=416, headers={'Range': bad})
        assert response.headers['Content-Range'] == 'pages */3'
    hz.configure(host_pagination='forced')
    response = hz.call('GET', '/hosts')
    assert response.status_code == 206 and response.headers['Content-Range'] == 'pages 1-1/3'
    assert len(response.json()['hosts']) == 2


# -- groups ----------------------------------------------------------------------------
def test_groups_lifecycle(hz):
    group = hz.ok('POST', '/groups', {'name': 'Production', 'auto': True, 'tags': ['production']}, status=201)['group']
    assert group == {'id': 'production', 'name': 'Production', 'auto': True, 'tags': ['production']}
    assert hz.ok('POST', '/groups', {'name': 'My Group!'}, status=201)['group']['id'] == 'my_group'
    assert hz.ok('POST', '/groups', {'name': 'my-group'}, status=201)['group']['id'] == 'my_group_2'
    hz.error('POST', '/groups', {'name': ' PRODUCTION '}, status=409, param='name')
    hz.error('POST', '/groups', {'name': ''}, param='name')
    hz.error('POST', '/groups', {'auto': True}, param='name')
    hz.error('POST', '/groups', {'name': 'Manual', 'tags': ['x']}, param='tags')
    assert [g['id'] for g in hz.ok('GET', '/groups')['groups']] == ['production', 'my_group', 'my_group_2']
    assert hz.ok('GET', '/groups/my_group')['group']['name'] == 'My Group!'
    hz.error('GET', '/groups/nope', status=404)
    hz.ok('POST', '/groups/production', {'tags': ['prod', 'live']}, status=204)
    hz.ok('POST', '/groups/my_group', {'name': 'Renamed'}, status=204)
    assert hz.ok('GET', '/groups/production')['group']['tags'] == ['prod', 'live']
    assert hz.ok('GET', '/groups/my_group')['group']['name'] == 'Renamed'
    hz.error('POST', '/groups/my_group', {'name': 'production'}, status=409, param='name')
    hz.error('POST', '/groups/my_group', {'tags': ['x']}, param='tags')
    hz.error('POST', '/groups/my_group', {})
    hz.error('POST', '/groups/nope', {'name': 'x'}, status=404)


def test_group_delete_in_use(hz):
    hz.create_hosts(['a.example.com', 'b.example.com'], groups=['Used', 'Other'])
    hz.ok('POST', '/groups', {'name': 'Unused'}, status=201)
    hz.ok('DELETE', '/groups/unused', status=204)
    response = hz.error('DELETE', '/groups/used', status=400)
    assert 'in use' in response.json()['errors'][0]['message']
    hz.error('DELETE', '/groups/used', params={'force': 'maybe'}, param='force')
    hz.ok('DELETE', '/groups/used', params={'force': 'true'}, status=204)
    assert [h['groups'] for h in hz.hosts().values()] == [['other'], ['other']]
    hz.error('DELETE', '/groups/used', status=404)


# -- event types --------------------------------------------------------------------
def test_event_types(hz):
    # By default exactly the document's event types, both available; no type of our own.
    assert hz.ok('GET', '/eventTypes')['eventTypes'] == [{'name': 'ct.entry', 'available': True, 'enabled': False},
                                                         {'name': 'pki.cert.new', 'available': True, 'enabled': False}]
    assert hz.ok('POST', '/eventTypes/pki.cert.new', {'enabled': True}) == \
        {'eventType': {'name': 'pki.cert.new', 'available': True, 'enabled': True}}
    for unknown in ('pki.cert.expiring', 'no.such.type', 'test'):  # 'test' is a hook test's eventType only
        hz.error('POST', '/eventTypes/%s' % unknown, {'enabled': True}, status=404)
    hz.error('POST', '/eventTypes/ct.entry', {'enabled': 'yes'}, param='enabled')
    hz.error('POST', '/eventTypes/ct.entry', {}, param='enabled')
    # An account without a feature: the type is listed, unavailable, and enabling it is 403.
    hz.configure(available_event_types=['ct.entry'])
    assert {'name': 'pki.cert.new', 'available': False, 'enabled': False} in hz.ok('GET', '/eventTypes')['eventTypes']
    hz.error('POST', '/eventTypes/pki.cert.new', {'enabled': True}, status=403)
    assert hz.ok('POST', '/eventTypes/ct.entry', {'enabled': True})['eventType']['enabled'] is True
    with pytest.raises(AssertionError, match='unknown event types pki.cert.expiring'):
        hz.configure(available_event_types=['ct.entry', 'pki.cert.expiring'])
    with pytest.raises(AssertionError, match='emit_events'):
        hz.configure(emit_events=[{'type': 'pki.cert.expiring', 'data': {}}])


# -- event hooks ----------------------------------------------------------------------
def test_hook_create_honours_status(hz):
    """CreateEventHookRequest.status is the initial status (default disabled), not ignored."""
    enabled = hz.hook(status='enabled', destination=hz.env['HARDENIZE_TEST_RECEIVER_URL'] + '/enabled')
    assert enabled['status'] == 'enabled'
    assert hz.hook(destination=hz.env['HARDENIZE_TEST_RECEIVER_URL'] + '/default')['status'] == 'disabled'
    assert hz.hook(status='disabled', destination=hz.env['HARDENIZE_TEST_RECEIVER_URL'] + '/off')['status'] == 'disabled'
    hz.error('POST', '/eventHooks', {'hookType': 'webhook', 'eventTypes': ['ct.entry'], 'status': 'paused',
                                     'destination': 'https://example.com/x'}, param='status')
    assert [h['status'] for h in hz.ok('GET', '/eventHooks')['eventHooks']] == ['enabled', 'disabled', 'disabled']
    # an enabled hook gets events straight away
    hz.trust(enabled)
    hz.ok('POST', '/eventTypes/ct.entry', {'enabled': True})
    hz.configure(emit_events=[{'type': 'ct.entry'}])
    deliveries = hz.receiver('deliveries')
    assert [(d['path'], d['status']) for d in deliveries] == [('/hooks/enabled', 204)]


def test_hook_lifecycle(hz):
    hook = hz.hook(event_types=['ct.entry', 'pki.cert.new', 'ct.entry'])
    assert hook['status'] == 'disabled'  # no status in the request: disabled
    assert re.match(r'^[0-9a-f]{32}$', hook['id']) and re.match(r'^[0-9a-f]{32}$', hook['secret'])
    assert hook['hookType'] == 'webhook' and hook['eventTypes'] == ['ct.entry', 'pki.cert.new']
    assert hz.ok('GET', '/eventHooks')['eventHooks'] == [hook]
    updated = hz.ok('POST', '/eventHooks/%s' % hook['id'], {'status': 'enabled', 'eventTypes': ['pki.cert.new']})['eventHook']
    assert updated == dict(hook, status='enabled', eventTypes=['pki.cert.new'])
    hz.error('POST', '/eventHooks/%s' % hook['id'], {'destination': 'http://example.com/hook'}, param='destination')
    hz.error('POST', '/eventHooks/%s' % hook['id'], {'status': 'paused'}, param='status')
    hz.error('POST', '/eventHooks/%s' % hook['id'], {})
    hz.error('POST', '/eventHooks/%s' % ('0' * 32), {'status': 'enabled'}, status=404)
    hz.ok('DELETE', '/eventHooks/%s' % hook['id'], status=204)
    hz.error('DELETE', '/eventHooks/%s' % hook['id'], status=404)
    assert hz.ok('GET', '/eventHooks')['eventHooks'] == []


def test_hook_validation_and_pubsub(hz):
    body = {'hookType': 'webhook', 'eventTypes': ['ct.entry'], 'destination': 'https://example.com/in'}
    for destination in ('http://example.com/in', 'ftp://example.com', 'https://', 'example.com'):
        hz.error('POST', '/eventHooks', dict(body, destination=destination), param='destination')
    hz.error('POST', '/eventHooks', dict(body, eventTypes=['ct']), param='eventTypes')
    hz.error('POST', '/eventHooks', dict(body, eventTypes=[]), param='eventTypes')
    hz.error('POST', '/eventHooks', dict(body, hookType='email'), param='hookType')
    hz.error('POST', '/eventHooks', dict((k, v) for k, v in body.items() if k != 'hookType'), param='hookType')
    pubsub = dict(body, hookType='pubsub', destination='pubsub://events/1/1005')
    hz.error('POST', '/eventHooks', pubsub, status=403)
    hz.configure(pubsub_enabled=True)
    hook = hz.ok('POST', '/eventHooks', pubsub)['eventHook']
    answer = hz.ok('POST', '/eventHooks/%s;test' % hook['id'])
    assert answer['successful'] and answer['pubsub']['attributes']['X-Hardenize-EventHookId'] == hook['id']
    assert hz.ok('GET', '/eventHooks')['eventHooks'][0]['status'] == 'disabled'


# -- certificates ----------------------------------------------------------------------------
def _name(common, organization=None):
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization)] if organization else []
    return x509.Name(attributes + [x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _cert(subject, issuer, key, signer, days=(-10, 80), hosts=(), ca=False):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key()) \
        .serial_number(x509.random_serial_number()).not_valid_before(now + datetime.timedelta(days=days[0])) \
        .not_valid_after(now + datetime.timedelta(days=days[1])) \
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
    if hosts:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in hosts]), critical=False)
    return builder.sign(signer, hashes.SHA256())


def _pem(*certs):
    return ''.join(c.public_bytes(serialization.Encoding.PEM).decode('ascii') for c in certs)


def _sha256(cert):
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def test_certificates_are_read_from_the_accounts_certificates(hz):
    """GET /certs (with the document's filters) and GET /certs/{sha256} read what the account holds: the certificates
    added with the admin route add_certs (a chain: the leaf and its CA), each a pki.cert.new event."""
    assert hz.ok('GET', '/certs') == {'certs': []}
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert(_name('Unit CA', 'Unit Trust'), _name('Unit CA', 'Unit Trust'), ca_key, ca_key, (-30, 3650), ca=True)
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = _cert(_name('shop.example.com'), ca.subject, rsa_key, ca_key, (-10, 80),
                 ('shop.example.com', 'www.shop.example.com'))
    wild = _cert(_name('*.example.org'), ca.subject, ec.generate_private_key(ec.SECP256R1()), ca_key, (-10, 20),
                 ('*.example.org',))
    old = _cert(_name('old.example.net'), ca.subject, ec.generate_private_key(ec.SECP384R1()), ca_key, (-400, -35),
                ('old.example.net',))
    hz.ok('POST', '/eventTypes/pki.cert.new', {'enabled': True})
    hz.create_hosts(['blog.example.org'])
    answer = hz.admin('add_certs', {'pem': _pem(leaf, ca)})
    assert answer == {'added': [_sha256(leaf), _sha256(ca)], 'known': []}
    since = time.time()
    time.sleep(0.01)
    assert hz.admin('add_certs', {'pem': _pem(wild, old, leaf), 'origin': 'ct'}) == {
        'added': [_sha256(wild), _sha256(old)], 'known': [_sha256(leaf)]}
    certs = hz.ok('GET', '/certs')['certs']
    assert [c['sha256'] for c in certs] == [_sha256(c) for c in (leaf, ca, wild, old)]
    view = hz.ok('GET', '/certs/%s' % _sha256(leaf).upper())['cert']
    assert view == certs[0]
    public = rsa_key.public_key().public_bytes(serialization.Encoding.DER,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    assert dict((k, view[k]) for k in ('subject', 'issuer', 'issuerCa', 'validation', 'keyAlg', 'keyLen',
                                       'keyStrength', 'sigAlg', 'hosts', 'sanCount', 'caPathLen', 'wildcard',
                                       'selfSigned', 'active', 'precert', 'origin', 'spkiSha256', 'tbsSha256')) == {
        'subject': 'CN=shop.example.com', 'issuer': 'CN=Unit CA, O=Unit Trust', 'issuerCa': 'Unit Trust',
        'validation': 'dv', 'keyAlg': 'RSA', 'keyLen': 2048, 'keyStrength': 112, 'sigAlg': 'ECDSAwithSHA256',
        'hosts': ['shop.example.com', 'www.shop.example.com'], 'sanCount': 2, 'caPathLen': -1, 'wildcard': False,
        'selfSigned': False, 'active': True, 'precert': False, 'origin': 'manual',
        'spkiSha256': hashlib.sha256(public).hexdigest(), 'tbsSha256': hashlib.sha256(leaf.tbs_certificate_bytes).hexdigest()}
    assert base64.b64decode(view['pem']) == leaf.public_bytes(serialization.Encoding.DER)  # base64 DER, no armour
    assert view['serial'] == '%x' % leaf.serial_number or view['serial'] == '0%x' % leaf.serial_number
    assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$', view['notAfter']) and \
        view['effectiveNotAfter'] == view['notAfter']
    assert (certs[1]['caPathLen'], certs[1]['selfSigned'], certs[1]['validation']) == (0, True, 'ov')
    assert (certs[2]['wildcard'], certs[2]['matchesOrgHost'], certs[2]['origin']) == (True, True, 'ct')
    assert certs[0]['matchesOrgHost'] is False and certs[3]['active'] is False
    # Required by the document's Certificate schema, though the emulator knows of no revocation and no CT log.
    assert all(c['revokedOn'] is None and c['ctLogs'] == [] for c in certs)

    def listed(**params):
        return [c['sha256'] for c in hz.ok('GET', '/certs', params=params)['certs']]
    assert listed(expired='true') == [_sha256(old)] and listed(active='false') == [_sha256(old)]
    assert listed(expired='false', active='true') == [_sha256(c) for c in (leaf, ca, wild)]
    assert listed(expireInDays=30) == [_sha256(wild), _sha256(old)]  # already expired, or within 30 days
    assert listed(host='blog.example.org') == [_sha256(wild)]  # a wildcard of its parent
    assert listed(host='www.shop.example.com') == [_sha256(leaf)] and listed(host='a.b.example.org') == []
    assert listed(newSince=datetime.datetime.fromtimestamp(since, datetime.timezone.utc).isoformat()) == \
        [_sha256(wild), _sha256(old)]
    assert listed(spkiSha256=hashlib.sha256(public).hexdigest()) == [_sha256(leaf)]
    assert listed(limit=1, expired='false') == [_sha256(leaf)]
    for params, param in (({'limit': 0}, 'limit'), ({'expired': 'yes'}, 'expired'), ({'newSince': 'today'}, 'newSince'),
                          ({'expireInDays': '-1'}, 'expireInDays'), ({'host': 'com'}, 'host'), ({'sha256': 'x'}, 'sha256')):
        hz.error('GET', '/certs', params=params, param=param)
    hz.error('GET', '/certs/%s' % ('0' * 64), status=404)
    # Each certificate new to the account was a pki.cert.new event, its data the Certificate.
    events = hz.ok('GET', '/events', params={'type': 'pki.cert.new'})['events']
    assert [json.loads(e['data'])['sha256'] for e in events] == [_sha256(c) for c in (leaf, ca, wild, old)]
    for bad in ({}, {'pem': 'nothing'}, {'pem': _pem(leaf), 'origin': 'upload'}):
        response = hz.session.post(hz.admin_url + '/add_certs', json=bad, timeout=5)
        assert response.status_code == 400, bad
    assert hz.admin('state')['certs'] == hz.ok('GET', '/certs')['certs']
    hz.admin('reset', {})
    assert hz.ok('GET', '/certs') == {'certs': []}


def _verify(delivery, secret):
    match = re.match(r'^t=(\d+); hmac-sha256=([0-9a-f]{64})$', delivery['headers']['X-Hardenize-Signature'])
    digest = hmac.new(secret.encode(), match.group(1).encode() + b';' + delivery['body'].encode('utf-8'), hashlib.sha256)
    return digest.hexdigest() == match.group(2)


def test_hook_test_round_trip(hz):
    hook = hz.hook()
    hz.trust(hook)
    answer = hz.ok('POST', '/eventHooks/%s;test' % hook['id'])
    assert answer['successful'] is True and 'errorMessage' not in answer and answer['durationMillis'] >= 0
    assert 'webhook' not in answer  # only the document's spelling, "webook"
    request, response = answer['webook']['request'], answer['webook']['response']
    assert request['method'] == 'POST' and request['url'] == hz.env['HARDENIZE_TEST_RECEIVER_URL'] + '/unit'
    assert request['headers']['Content-Type'] == 'application/json; charset=UTF-8'
    assert request['headers']['User-Agent'] == 'Hardenize (https://www.hardenize.com)'
    assert request['headers']['X-Hardenize-Org'] == hz.env['HARDENIZE_ORG']
    assert request['headers']['X-Hardenize-EventHookId'] == hook['id']
    event = json.loads(request['body'])
    assert list(event) == ['id', 'createdOn', 'type', 'data']
    assert (event['id'], event['type'], event['data']) == (0, 'test', {'message': 'This is a webhook test.'})
    assert response['statusCode'] == 204 and response['body'] == ''
    deliveries = hz.receiver('deliveries')
    assert len(deliveries) == 1 and deliveries[0]['status'] == 204 and deliveries[0]['path'] == '/hooks/unit'
    assert deliveries[0]['body'] == request['body'] and _verify(deliveries[0], hook['secret'])
    for event_type, field in (('ct.entry', 'log'), ('pki.cert.new', 'tbsSha256')):
        answer = hz.ok('POST', '/eventHooks/%s;test' % hook['id'], params={'eventType': event_type})
        assert answer['successful'] and field in json.loads(answer['webook']['request']['body'])['data']
    hz.error('POST', '/eventHooks/%s;test' % hook['id'], params={'eventType': 'ct'}, param='eventType')
    hz.error('POST', '/eventHooks/%s;test' % hook['id'], params={'invalid': 'all'}, param='invalid')
    hz.error('POST', '/eventHooks/%s;test' % ('f' * 32), status=404)


def test_hook_test_invalid_kinds(hz):
    hook = hz.hook()
    hz.trust(hook)
    for kind in ('hookId', 'org', 'payload', 'signature'):
        answer = hz.ok('POST', '/eventHooks/%s;test' % hook['id'], params={'invalid': kind})
        assert answer['successful'] is True, (kind, answer)
        assert answer['webook']['response']['statusCode'] == 400
    deliveries = hz.receiver('deliveries')
    assert [d['status'] for d in deliveries] == [400] * 4
    assert deliveries[0]['headers']['X-Hardenize-EventHookId'] != hook['id']
    assert deliveries[1]['headers']['X-Hardenize-Org'] != hz.env['HARDENIZE_ORG']
    with pytest.raises(ValueError):
        json.loads(deliveries[2]['body'])
    assert _verify(deliveries[2], hook['secret'])  # only the payload is broken
    assert not _verify(deliveries[3], hook['secret'])
    assert [d['reason'].split()[0] for d in deliveries] == ['unknown', 'unknown', 'body', 'signature']


def test_hook_test_failures(hz):
    hook = hz.hook()
    hz.trust(hook)
    hz.receiver('config', {'force_status': 500})
    answer = hz.ok('POST', '/eventHooks/%s;test' % hook['id'])
    assert answer['successful'] is False and answer['errorMessage'] == 'Expected 2xx status code, got 500'
    assert answer['webook']['response']['statusCode'] == 500
    hz.receiver('config', {'force_status': None})
    hz.receiver('config', {'org': 'somebody-else'})  # the receiver cannot validate: 400 for a valid submission
    answer = hz.ok('POST', '/eventHooks/%s;test' % hook['id'])
    assert answer['successful'] is False and answer['webook']['response']['statusCode'] == 400
    hz.ok('POST', '/eventHooks/%s' % hook['id'], {'destination': 'https://127.0.0.1:1/closed'})
    answer = hz.ok('POST', '/eventHooks/%s;test' % hook['id'])
    assert answer['successful'] is False and 'Delivery failed' in answer['errorMessage']
    assert 'response' not in answer['webook']


def test_hook_test_any_2xx_is_success(hz):
    """TestEventHookResponse.successful: "the status code must be in the 2xx range" - not only 204."""
    hook = hz.hook()
    hz.trust(hook)
    for forced in (200, 201, 202, 204, 299):
        hz.receiver('config', {'force_status': forced})
        answer = hz.ok('POST', '/eventHooks/%s;test' % hook['id'])
        assert answer['successful'] is True and 'errorMessage' not in answer, (forced, answer)
        assert answer['webook']['response']['statusCode'] == forced
    for forced in (302, 400, 429, 503):
        hz.receiver('config', {'force_status': forced})
        answer = hz.ok('POST', '/eventHooks/%s;test' % hook['id'])
        assert answer['successful'] is False and answer['errorMessage'] == 'Expected 2xx status code, got %d' % forced
    # a broken submission still has to be refused with 400: a 2xx is a failed test
    hz.receiver('config', {'force_status': 200})
    answer = hz.ok('POST', '/eventHooks/%s;test' % hook['id'], params={'invalid': 'signature'})
    assert answer['successful'] is False and answer['errorMessage'] == 'Expected 400 status code, got 200'


def test_receiver_checks_age_and_masks_secrets(hz):
    hook = hz.hook()
    hz.trust(hook)
    config = hz.receiver('config')
    assert config['secrets'] == {hook['id']: '********'} and config['org'] == hz.env['HARDENIZE_ORG']
    body = b'{"id":0,"type":"test","data":{}}'
    stamp = int((time.time() - 3600) * 1000)
    digest = hmac.new(hook['secret'].encode(), str(stamp).encode() + b';' + body, hashlib.sha256).hexdigest()
    headers = {'Content-Type': 'application/json; charset=UTF-8', 'X-Hardenize-Org': hz.env['HARDENIZE_ORG'],
               'X-Hardenize-EventHookId': hook['id'], 'X-Hardenize-Signature': 't=%d; hmac-sha256=%s' % (stamp, digest)}
    url = hz.env['HARDENIZE_TEST_RECEIVER_URL'] + '/direct'
    assert hz.session.post(url, data=body, headers=headers, timeout=5).status_code == 400
    hz.receiver('config', {'max_age': 0})
    response = hz.session.post(url, data=body, headers=headers, timeout=5)
    assert response.status_code == 204 and response.content == b''
    assert [d['valid'] for d in hz.receiver('deliveries')] == [False, True]
    response = hz.session.post(hz.receiver_admin + '/config', json={'force_status': 'x'}, timeout=5)
    assert response.status_code == 400


# -- events ---------------------------------------------------------------------------
def test_events_emit_list_and_deliver(hz):
    hook = hz.hook(event_types=['pki.cert.new'])
    hz.trust(hook)
    hz.configure(emit_events=[{'type': 'pki.cert.new'}])
    assert hz.ok('GET', '/events') == {'events': []}  # the type is not enabled: nothing generated
    hz.ok('POST', '/eventTypes/pki.cert.new', {'enabled': True})
    hz.ok('POST', '/eventTypes/ct.entry', {'enabled': True})
    hz.configure(emit_events=[{'type': 'pki.cert.new', 'data': {'n': 1}}, {'type': 'ct.entry'}])
    assert hz.receiver('deliveries') == []  # the hook is still disabled
    hz.ok('POST', '/eventHooks/%s' % hook['id'], {'status': 'enabled'})
    hz.configure(emit_events=[{'type': 'pki.cert.new', 'data': {'n': 2}}])
    events = hz.ok('GET', '/events')['events']
    assert [(e['id'], e['type']) for e in events] == [(10001, 'pki.cert.new'), (10002, 'ct.entry'), (10003, 'pki.cert.new')]
    assert json.loads(events[0]['data']) == {'n': 1} and events[0]['apiVersion']
    assert [e['id'] for e in hz.ok('GET', '/events', params={'type': 'ct.entry'})['events']] == [10002]
    assert [e['id'] for e in hz.ok('GET', '/events', params={'limit': 1})['events']] == [10001]
    assert [e['id'] for e in hz.ok('GET', '/events', params={'since': events[1]['createdOn']})['events']] in ([10003], [])
    assert hz.ok('GET', '/events/10002')['event'] == events[1]
    hz.error('GET', '/events/99', status=404)
    hz.error('GET', '/events', params={'limit': 101}, param='limit')
    hz.error('GET', '/events', params={'since': 'yesterday'}, param='since')
    deliveries = hz.receiver('deliveries')
    assert len(deliveries) == 1 and deliveries[0]['status'] == 204 and json.loads(deliveries[0]['body'])['id'] == 10003


# -- rate limits, concurrency, counters -------------------------------------------------------
def test_rate_limit(hz):
    hz.configure(rate_capacity=5, rate_refill_per_second=1)
    seen = []
    for dummy in range(5):
        response = hz.call('GET', '/groups')
        assert response.status_code == 200
        seen.append(response.headers['X-Request-Allowance'])
    assert seen == ['r: %d/5 (+1/1s); c: 1/5' % n for n in (4, 3, 2, 1, 0)]
    response = hz.call('POST', '/hosts', {'hostnames': ['refused.example.com']})
    assert response.status_code == 429 and response.headers['Content-Type'] == ERROR_MIME
    assert 'Retry-After' not in response.headers  # the document: "wait for a full minute", no header
    # The document's advice ("Request Limits"), not a shorter wait of the emulator's own.
    assert response.json()['errors'] == [{'message': 'Too many requests: the request allowance is exhausted; wait for '
                                                     'a full minute, at which point your burst allowance will be '
                                                     'fully restored'}]
    assert response.headers['X-Request-Allowance'] == 'r: 0/5 (+1/1s); c: 1/5'
    assert hz.admin('state')['hosts'] == []  # a refused request is not processed
    time.sleep(1.05)
    assert hz.call('GET', '/groups').status_code == 200
    hz.configure(rate_limit_enabled=False)
    assert all(hz.call('GET', '/groups').status_code == 200 for dummy in range(8))
    assert hz.admin('counters')['statuses']['429'] == 1
    assert hz.admin('counters')['by_endpoint']['POST /hosts'] == {'429': 1}


def test_rate_limit_retry_after_knob(hz):
    hz.configure(rate_capacity=2, rate_refill_per_second=0.5, retry_after_header=True)
    assert [hz.call('GET', '/groups').status_code for dummy in range(2)] == [200, 200]
    response = hz.call('GET', '/groups')
    assert response.status_code == 429 and response.headers['Content-Type'] == ERROR_MIME
    assert response.headers['Retry-After'] == '2'  # seconds until the next token
    hz.configure(retry_after_header=False)  # the knob alone: the bucket is left as it is
    response = hz.call('GET', '/groups')
    assert response.status_code == 429 and 'Retry-After' not in response.headers


@pytest.mark.parametrize('retry_after_header', [False, True])
def test_concurrency_limit(hz, retry_after_header):
    hz.configure(max_concurrent=2, processing_delay=0.6, retry_after_header=retry_after_header)
    results = []
    threads = [threading.Thread(target=lambda: results.append(hz.call('GET', '/groups').status_code)) for dummy in range(2)]
    for thread in threads:
        thread.start()
    deadline = time.time() + 5
    while hz.admin('state')['rate']['inFlight'] < 2 and time.time() < deadline:
        time.sleep(0.02)
    response = hz.session.get(hz.base + '/groups', auth=hz.auth, timeout=5)
    assert response.status_code == 429 and response.headers['Content-Type'] == ERROR_MIME
    assert response.headers.get('Retry-After') == ('1' if retry_after_header else None)
    assert response.headers['X-Request-Allowance'].endswith('c: 3/2')
    for thread in threads:
        thread.join()
    assert results == [200, 200]


def test_counter_keys_and_writes(hz):
    hz.create_hosts(['example.com'])
    hz.ok('GET', '/hosts')
    hz.ok('GET', '/hosts/example.com')
    hz.ok('POST', '/hosts/*', {'hostnames': ['example.com'], 'preview': True, 'changes': {'status': 'idle'}})
    hz.ok('POST', '/hosts/*', {'hostnames': ['example.com'], 'changes': {'status': 'idle'}})
    hz.ok('DELETE', '/hosts', {'hostnames': ['example.com'], 'preview': True})
    group = hz.ok('POST', '/groups', {'name': 'G'}, status=201)['group']
    hz.ok('GET', '/groups')
    hz.ok('GET', '/groups/%s' % group['id'])
    hz.ok('POST', '/groups/%s' % group['id'], {'name': 'H'}, status=204)
    hz.ok('DELETE', '/groups/%s' % group['id'], status=204)
    hook = hz.hook()
    hz.ok('GET', '/eventHooks')
    hz.ok('POST', '/eventHooks/%s;test' % hook['id'])
    hz.ok('POST', '/eventHooks/%s' % hook['id'], {'status': 'enabled'})
    hz.ok('DELETE', '/eventHooks/%s' % hook['id'], status=204)
    hz.ok('GET', '/eventTypes')
    hz.ok('POST', '/eventTypes/ct.entry', {'enabled': True})
    hz.ok('GET', '/events')
    hz.ok('DELETE', '/hosts', {'hostnames': ['example.com']})
    report = hz.admin('counters')
    assert report['counts'] == {
        'POST /hosts': 1, 'GET /hosts': 1, 'GET /hosts/{hostname}': 1, 'POST /hosts/*': 2, 'DELETE /hosts': 2,
        'POST /groups': 1, 'GET /groups': 1, 'GET /groups/{id}': 1, 'POST /groups/{id}': 1, 'DELETE /groups/{id}': 1,
        'POST /eventHooks': 1, 'GET /eventHooks': 1, 'POST /eventHooks/{id};test': 1, 'POST /eventHooks/{id}': 1,
        'DELETE /eventHooks/{id}': 1, 'GET /eventTypes': 1, 'POST /eventTypes/{name}': 1, 'GET /events': 1}
    assert report['previews'] == {'POST /hosts/*': 1, 'DELETE /hosts': 1}
    # writes: POST /hosts, POST /hosts/* (real), DELETE /hosts (real), 3 group writes, 3 hook writes, 1 event type
    assert report['writes'] == 10 and report['total'] == 20
    assert hz.admin('reset', {'counters_only': True}) == {'reset': 'counters'}
    assert hz.admin('counters')['previews'] == {} and hz.admin('counters')['writes'] == 0


def test_generic_after_faults_process_the_request(hz):
    """The *_after kinds are generic: a Hardenize create lands behind a 504 or a spoilt body."""
    hz.admin('faults', {'endpoint': 'POST /hosts', 'kind': 'http_504_after'})
    response = hz.call('POST', '/hosts', {'hostnames': ['after-504.example.com']})
    assert response.status_code == 504
    hz.admin('faults', {'endpoint': 'POST /hosts', 'kind': 'invalid_json_after'})
    response = hz.call('POST', '/hosts', {'hostnames': ['after-json.example.com']})
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()
    assert {'after-504.example.com', 'after-json.example.com'} <= set(hz.hosts())
    counters = hz.admin('counters')
    assert counters['counts']['POST /hosts'] == 2 and counters['statuses']['504'] == 1


def test_generic_fault_and_bad_config(hz):
    hz.admin('faults', {'endpoint': 'GET /groups', 'kind': 'http_503'})
    assert hz.call('GET', '/groups').status_code == 503
    assert hz.call('GET', '/groups').status_code == 200
    for bad in ({'rate_capacity': 0}, {'new_host_status': 'gone'}, {'available_event_types': ['nope']},
                {'emit_events': [{'type': 'nope'}]}, {'unknown_knob': 1}):
        response = hz.session.post(hz.admin_url + '/config', json=bad, timeout=5)
        assert response.status_code == 400, bad
    assert hz.admin('config')['rate_capacity'] == 60


def test_injected_http_faults_look_like_the_api(hz):
    """Injected 429/500/502/503 carry the ErrorResponse MIME type, an errors body and X-Request-Allowance."""
    for status in (429, 500, 502, 503):
        hz.admin('faults', {'endpoint': 'GET /groups', 'kind': 'http_%d' % status, 'retry_after': 3})
        response = hz.call('GET', '/groups')
        assert response.status_code == status and response.headers['Content-Type'] == ERROR_MIME, response.headers
        errors = response.json()['errors']
        assert len(errors) == 1 and errors[0]['message'], errors
        # The request counts itself among those in flight, as in the API's answer to a real request (c: 1/5 alone).
        assert response.headers['X-Request-Allowance'] == 'r: 60/60 (+1/1s); c: 1/5', status
        assert 'Retry-After' not in response.headers  # not even on the 429: retry_after_header is off
    response = hz.call('GET', '/groups')
    assert response.status_code == 200
    # Beside another request in flight: both counted.
    hz.configure(processing_delay=0.6)
    slow = threading.Thread(target=lambda: hz.call('GET', '/hosts'))
    slow.start()
    deadline = time.time() + 5
    while hz.admin('state')['rate']['inFlight'] < 1 and time.time() < deadline:
        time.sleep(0.02)
    hz.admin('faults', {'endpoint': 'GET /groups', 'kind': 'http_503'})
    response = requests.get(hz.base + '/groups', auth=hz.auth, verify=hz.session.verify, timeout=5)
    assert response.status_code == 503 and response.headers['X-Request-Allowance'].endswith('c: 2/5')
    slow.join()
    hz.configure(processing_delay=0)
    hz.configure(retry_after_header=True)
    hz.admin('faults', {'endpoint': 'POST /hosts', 'kind': 'http_429', 'retry_after': 3})
    response = hz.call('POST', '/hosts', {'hostnames': ['refused.example.com']})
    assert response.status_code == 429 and response.headers['Retry-After'] == '3'
    assert response.headers['Content-Type'] == ERROR_MIME and hz.admin('state')['hosts'] == []
    # a 504 is a gateway's answer, not the API's (the document does not list it): the generic text
    hz.admin('faults', {'endpoint': 'GET /groups', 'kind': 'http_504'})
    response = hz.call('GET', '/groups')
    assert response.status_code == 504 and response.headers['Content-Type'].startswith('text/plain')
    assert 'X-Request-Allowance' not in response.headers
    # the *_after kinds answer the same as the plain kind, after the request was processed
    hz.admin('faults', {'endpoint': 'POST /hosts', 'kind': 'http_503_after'})
    response = hz.call('POST', '/hosts', {'hostnames': ['landed.example.com']})
    assert response.status_code == 503 and response.headers['Content-Type'] == ERROR_MIME
    assert [h['hostname'] for h in hz.admin('state')['hosts']] == ['landed.example.com']


# -- secrets ----------------------------------------------------------------------------
def test_secrets_hold_credentials_and_issued_values(running, hz):
    """secrets(): the password it was started with, every hook secret and TSIG key, across resets."""
    app = running.emulators['hardenize']
    assert hz.env['HARDENIZE_API_PASSWORD'] in app.secrets()
    assert hz.env['HARDENIZE_API_USER'] not in app.secrets() and hz.env['HARDENIZE_ORG'] not in app.secrets()
    hook = hz.hook()
    key = 'dGhlLXRzaWcta2V5LW9mLWEtdW5pdC10ZXN0'
    hz.create_hosts(['tsig.example.com'], axfrTsig={'name': 'k', 'algorithm': 'HMAC_SHA256', 'key': key})
    assert {hook['secret'], key} <= app.secrets()
    assert hook['id'] not in app.secrets()  # the document: not security-sensitive
    hz.admin('reset', {})
    assert hz.ok('GET', '/eventHooks')['eventHooks'] == []
    assert {hz.env['HARDENIZE_API_PASSWORD'], hook['secret'], key} <= app.secrets()  # a reset forgets no secret
    assert set(hz.admin('secrets')['secrets']) == app.secrets()


def test_receiver_secrets_survive_config_delete_and_reset(running, hz):
    receiver = running.emulators['receiver']
    assert running.receiver is receiver  # the compatibility property
    hz.receiver('config', {'org': hz.env['HARDENIZE_ORG'], 'secrets': {'a' * 32: 'shared-secret-one-0123456789'}})
    hz.receiver('config', method='DELETE')
    response = hz.session.post(running.admin_urls['receiver'] + '/reset', json={}, timeout=5)
    assert response.json() == {'reset': 'all'}
    assert 'shared-secret-one-0123456789' in receiver.secrets()
    response = hz.session.get(running.admin_urls['receiver'] + '/secrets', timeout=5)
    assert response.json()['secrets'] == sorted(receiver.secrets())


def test_an_rsa_signature_is_named_as_the_document_names_it():
    from emulators.hardenize import cert_record  # pylint: disable=import-outside-toplevel
    import datetime  # pylint: disable=import-outside-toplevel
    from cryptography import x509 as cx509  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives import hashes  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives.asymmetric import rsa  # pylint: disable=import-outside-toplevel
    from cryptography.x509.oid import NameOID as OID  # pylint: disable=import-outside-toplevel
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = cx509.Name([cx509.NameAttribute(OID.COMMON_NAME, 'rsa.example.com')])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (cx509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(7).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    assert cert_record(cert, 'manual')['sigAlg'] == 'RSAwithSHA256'
