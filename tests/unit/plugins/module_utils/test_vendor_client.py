# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The vendor-client base: every client is built, authenticated, polled and closed the same way."""

import glob
import importlib
import inspect
import os
import re
import sys

import pytest
import yaml

from unit.fake_http import FakeHttp
from ansible_collections.domainsec.onboard.plugins.module_utils import http_transport as H
from ansible_collections.domainsec.onboard.plugins.module_utils import sigsci as sg
from ansible_collections.domainsec.onboard.plugins.module_utils import virusdie as vd
from ansible_collections.domainsec.onboard.plugins.module_utils import vendor_client as vc

MODULE_UTILS = os.path.dirname(vc.__file__)
MODULE_UTILS_PACKAGE = 'ansible_collections.domainsec.onboard.plugins.module_utils'


def vendor_clients(directory=MODULE_UTILS, package=MODULE_UTILS_PACKAGE):
    """Every vendor client of ``directory``: each ``*.py`` there is imported (as ``package.<name>``) and the
    VendorClient subclasses it defines with a VENDOR are collected, in file order. A base without a VENDOR
    (``RpcClient``, ``RestClient``) is not a client; a class a module imports is counted where it is defined."""
    found = []
    for path in sorted(glob.glob(os.path.join(directory, '*.py'))):
        name = os.path.splitext(os.path.basename(path))[0]
        if name.startswith('_'):
            continue
        module = importlib.import_module('%s.%s' % (package, name))
        for dummy, value in inspect.getmembers(module, inspect.isclass):
            if (issubclass(value, vc.VendorClient) and value.__module__ == module.__name__
                    and getattr(value, 'VENDOR', None) is not None):
                found.append(value)
    return found


CLIENTS = vendor_clients()


class TokenVendor(vc.VendorClient):
    """A vendor with a token fetched with an API key (the CyberSSL shape)."""

    VENDOR = 'TokenVendor'
    OPTIONS = dict(api_key=dict(type='str', no_log=True), api_url=dict(type='str'))

    def fetch_token(self):
        answer = self.http.request('GET', self.params['api_url'] + '/auth', auth=H.FieldAuth(
            {'apikey': self.params['api_key']})).json()
        return answer['token']

    def make_auth(self):
        return H.FieldAuth(lambda: {'token': self.token})

    def order_status(self, order_id):
        self.ensure_token()
        return self.http.request('GET', self.params['api_url'] + '/order_status', params={'order_id': order_id}).json()


def params(**override):
    base = dict(api_key='key-0123456789', api_url='https://api.test/v1', validate_certs=True, ca_path=None, timeout=30,
                retries=3, rate_limit_wait=120)
    base.update(override)
    return base


def test_token_is_fetched_lazily_once_and_registered_as_a_secret_when_it_arrives():
    client = TokenVendor.from_params(params())
    fake = FakeHttp(key_of=lambda sent: sent.path, default=lambda sent: {'status': 'ok'})
    fake.on('/v1/auth', {'token': 'tok-ABCDEFGHIJ'}, {'token': 'tok-KLMNOPQRST'}).mount(client.http)
    assert fake.sent == [] and client.token_count == 0
    client.order_status(1)
    client.order_status(2)
    assert fake.keys() == ['/v1/auth', '/v1/order_status', '/v1/order_status']
    assert fake.sent[0].query == {'apikey': 'key-0123456789'}
    assert fake.sent[2].query == {'order_id': '2', 'token': 'tok-ABCDEFGHIJ'}
    assert client.token_count == 1
    assert client.http.redactor.text('tok-ABCDEFGHIJ key-0123456789') == '%s %s' % (H.REDACTED, H.REDACTED)
    client.forget_token()
    client.order_status(3)
    assert client.token_count == 2


@pytest.mark.parametrize('override, words', [
    (dict(api_url='http://api.test/v1'), 'api_url must be an https:// URL'),
    (dict(timeout=0), 'timeout'),
    (dict(rate_limit_wait=-1), 'rate_limit_wait'),
])
def test_from_params_refuses_bad_connection_options(override, words):
    with pytest.raises(H.DomainsecError, match=words):
        TokenVendor.from_params(params(**override))


class Clock(object):
    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def polling_client():
    client = TokenVendor.from_params(params())
    clock = Clock()
    client.clock = clock
    client.http.sleep = clock.sleep
    return client, clock


def test_wait_until_polls_up_to_the_deadline_not_one_interval_short():
    client, clock = polling_client()
    checks = []

    def check():
        checks.append(clock.now)
        return None
    with pytest.raises(vc.WaitTimeout):
        client.wait_until(check, timeout=20, interval=30)
    # 20 s timeout, 30 s interval: one look at the start and one at the deadline (the old code gave up at once).
    assert checks == [1000.0, 1020.0] and clock.slept == [20.0]


def test_wait_until_returns_the_first_true_value():
    client, clock = polling_client()
    answers = iter([None, None, {'status': 'Activated'}])
    assert client.wait_until(lambda: next(answers), timeout=100, interval=10) == {'status': 'Activated'}
    assert clock.slept == [10, 10]


def test_close_closes_the_session():
    client = TokenVendor.from_params(params())
    closed = []
    client.http.session.close = lambda: closed.append(True)
    client.close()
    assert closed == [True]


def test_the_clients_are_every_vendor_client_of_module_utils(tmp_path, monkeypatch):
    """CLIENTS is derived, not kept by hand: a client in a new file is found; the bases without a VENDOR (the
    shared one, an intermediate one) and a client a module merely imports are not clients."""
    assert CLIENTS and len(set(CLIENTS)) == len(CLIENTS), CLIENTS
    not_clients = [c.__name__ for c in CLIENTS if not (issubclass(c, vc.VendorClient) and c.VENDOR)]
    assert not not_clients, 'bases without a VENDOR taken for clients: %s' % not_clients
    assert vd.VirusdieClient in CLIENTS and sg.SigsciClient in CLIENTS
    package = tmp_path / 'fake_module_utils'
    package.mkdir()
    (package / '__init__.py').write_text('')
    (package / 'newvendor.py').write_text(
        'from %s.vendor_client import VendorClient\n'
        'from %s.virusdie import VirusdieClient\n\n\n'
        'class JsonBase(VendorClient):\n    """An intermediate base: no VENDOR."""\n\n\n'
        'class NewVendorClient(JsonBase):\n    VENDOR = "NewVendor"\n\n\n'
        'class NotAClient(object):\n    VENDOR = "NotAClient"\n' % (MODULE_UTILS_PACKAGE, MODULE_UTILS_PACKAGE))
    (package / '_private.py').write_text('raise ImportError("a private module is not imported")\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        found = vendor_clients(str(package), 'fake_module_utils')
    finally:
        for name in [n for n in sys.modules if n.split('.')[0] == 'fake_module_utils']:
            del sys.modules[name]
    assert [c.__name__ for c in found] == ['NewVendorClient']


@pytest.mark.parametrize('client_class', CLIENTS, ids=lambda c: c.VENDOR)
def test_each_client_declares_its_options_once_and_its_doc_fragment_documents_them(client_class):
    spec = client_class.argument_spec()
    assert set(H.transport_argument_spec()) <= set(spec)
    assert client_class.secret_options() and all(spec[name]['no_log'] for name in client_class.secret_options())
    fragment = importlib.import_module('ansible_collections.domainsec.onboard.plugins.doc_fragments.%s'
                                       % client_class.DOC_FRAGMENT.rsplit('.', 1)[1])
    documented = yaml.safe_load(fragment.ModuleDocFragment.DOCUMENTATION)['options']
    assert set(documented) == set(client_class.OPTIONS)
    for name, option in client_class.OPTIONS.items():
        assert documented[name].get('type') == option['type']
        assert bool(documented[name].get('required')) == bool(option.get('required'))
        for variable in (option.get('fallback') or (None, []))[1]:
            assert variable in ' '.join(documented[name]['description'])


MODULES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))), 'plugins', 'modules')
RAW_API = re.compile(r"""client\.(read|write|exchange|respond|http\.request)\(|['"]/(hosts|groups|eventHooks|eventTypes|corps)"""
                     r"""|\.php['"]|['"](dns|sa)[A-Z][A-Za-z]+['"]""")


def raw_api_uses(source):
    return [line.strip() for line in source.splitlines() if RAW_API.search(line)]


def test_the_raw_api_check_finds_a_path():
    assert raw_api_uses("    client.write('POST', '/hosts', body=body)") != []
    assert raw_api_uses("    client.write('add_record', 'dnsAddA', form)") != []
    assert raw_api_uses("    client.read('sites_list')") != []
    assert raw_api_uses("    client.add_record(zone, record)") == []


@pytest.mark.parametrize('name', sorted(n for n in os.listdir(MODULES) if n.endswith('.py') and n != '__init__.py'))
def test_modules_call_named_operations_never_paths(name):
    with open(os.path.join(MODULES, name), encoding='utf-8') as handle:
        assert raw_api_uses(handle.read()) == []


def test_a_failure_says_what_the_run_had_already_changed():
    from ansible_collections.domainsec.onboard.plugins.module_utils import module_runner as mr
    client = TokenVendor.from_params(params())
    assert mr.partial_work(client) is None
    for n in range(7):
        client.record_done('add_record', 'added r%d' % n)
    text = mr.partial_work(client)
    assert text.startswith('7 change(s) made (added r0; added r1') and text.endswith('; ...)')
    assert mr.partial_work(client, lambda done: '%d of 20 records added' % len(done)) == '7 of 20 records added'


def _validated(spec, params):
    """Ansible's own argument validation of ``params`` against ``spec`` (fallbacks included)."""
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
    return ArgumentSpecValidator(spec).validate(params)


def test_an_empty_environment_variable_counts_as_unset(monkeypatch):
    """A CI job or an AWX credential that exports an optional variable empty gets the option's default, and an empty
    required one is reported missing - not an empty api_url refused later as "not https", nor an empty key sent."""
    monkeypatch.setenv('VIRUSDIE_API_KEY', 'key-1')
    monkeypatch.setenv('VIRUSDIE_API_URL', '')
    monkeypatch.setenv('VIRUSDIE_MAC_KEY', '')
    monkeypatch.setenv('DOMAINSEC_CA_PATH', '')
    result = _validated(vd.VirusdieClient.argument_spec(), {})
    assert not result.errors.messages
    assert result.validated_parameters['api_key'] == 'key-1'
    assert result.validated_parameters['api_url'] == 'https://virusdie.com/api'  # the default (test_default_urls.py)
    assert result.validated_parameters['mac_key'] is None
    assert result.validated_parameters['ca_path'] is None

    monkeypatch.setenv('SIGSCI_EMAIL', 'me@example.com')
    monkeypatch.setenv('SIGSCI_TOKEN', '')
    monkeypatch.setenv('SIGSCI_CORP', 'corp')
    result = _validated(sg.SigsciClient.argument_spec(), {})
    assert 'api_token' in ' '.join(str(e) for e in result.errors.messages)


@pytest.mark.parametrize('client', CLIENTS, ids=lambda c: c.VENDOR)
def test_every_environment_option_ignores_an_empty_variable(client):
    """Every option a client reads from the environment uses env_fallback_set (one rule for every vendor)."""
    spec = client.argument_spec()
    fallbacks = dict((name, option['fallback'][0]) for name, option in spec.items() if option.get('fallback'))
    assert fallbacks and all(function is H.env_fallback_set for function in fallbacks.values()), fallbacks
