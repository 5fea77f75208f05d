# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The hardenize_hosts inventory plugin, parsing real files, the Hardenize emulator answering in process."""

import json
import os
import re
import textwrap

import pytest

from emulators.hardenize import HardenizeApp
from unit.fake_http import FakeHttp
from unit.plugins.inventory.conftest import Marked, mark_unsafe
from ansible.errors import AnsibleParserError
from ansible_collections.domainsec.onboard.plugins.inventory import hardenize_hosts
from ansible_collections.domainsec.onboard.plugins.module_utils import hardenize as hz
from ansible_collections.domainsec.onboard.plugins.plugin_utils import vendor_inventory

URL = 'https://hz.test'


@pytest.fixture
def app(monkeypatch):
    """A Hardenize emulator with groups and hosts, and the environment the plugin reads its credentials from."""
    emulator = HardenizeApp()
    emulator.configure({'rate_limit_enabled': False})
    monkeypatch.setenv('HARDENIZE_API_URL', URL)
    monkeypatch.setenv('HARDENIZE_ORG', emulator.org)
    monkeypatch.setenv('HARDENIZE_API_USER', emulator.user)
    monkeypatch.setenv('HARDENIZE_API_PASSWORD', emulator.password)
    client = hz.HardenizeClient.from_params(dict(api_url=URL, org=emulator.org, api_user=emulator.user,
                                                 api_password=emulator.password, timeout=30, retries=0,
                                                 rate_limit_wait=0, validate_certs=True, ca_path=None))
    FakeHttp.for_app(emulator).mount(client.http)
    client.create_group('Production', False)
    client.create_group('Shop Sites', False)
    client.create_group('{{ 6 * 7 }}', False)
    client.create_hosts(['www.example.com', 'shop.example.com'], {'status': 'monitored', 'groups': ['production']},
                        landed=None)
    client.create_hosts(['shop.example.com', 'pay.shop.example.com'], {'status': 'monitored', 'groups': ['shop_sites']},
                        landed=None)
    client.create_hosts(['bücher.example.com'], {'status': 'idle', 'groups': ['production', '6_7']}, landed=None)
    client.create_hosts(['old.example.com'], {'status': 'archived'}, landed=None)
    emulator.reset_counters()
    return emulator


PLUGIN = 'plugin: domainsec.onboard.hardenize_hosts\n'


def conf(extra=''):
    """An inventory file: the plugin line plus ``extra`` (dedented)."""
    return PLUGIN + textwrap.dedent(extra)


def test_hosts_are_named_by_punycode_and_grouped_by_their_hardenize_groups(load_inventory, app):
    run = load_inventory(hardenize_hosts, app, PLUGIN)
    assert run.requests() == ['GET /v1/org/%s/groups' % app.org, 'GET /v1/org/%s/hosts' % app.org]
    assert run.hosts() == ['old.example.com', 'pay.shop.example.com', 'shop.example.com', 'www.example.com',
                           'xn--bcher-kva.example.com']
    assert run.hosts('hardenize_production') == ['shop.example.com', 'www.example.com', 'xn--bcher-kva.example.com']
    assert run.hosts('hardenize_shop_sites') == ['pay.shop.example.com', 'shop.example.com']
    assert run.hosts('hardenize_6_7') == ['xn--bcher-kva.example.com']
    shop = run.vars('shop.example.com')
    assert shop['hardenize_groups'] == ['Production', 'Shop Sites']
    assert shop['hardenize_group_ids'] == ['production', 'shop_sites']
    assert (shop['hardenize_status'], shop['hardenize_origin'], shop['hardenize_axfr']) == ('monitored', 'manual', 'auto')
    assert shop['hardenize_tags'] == [] and re.match(r'\d{4}-\d\d-\d\dT', shop['hardenize_created_on'])
    assert run.vars('xn--bcher-kva.example.com')['hardenize_hostname'] == 'bücher.example.com'
    assert run.vars('old.example.com')['hardenize_group_ids'] == []


def test_vendor_strings_are_never_templated(load_inventory, app):
    """A group named ``{{ 6 * 7 }}`` stays that text in host variables, in compose and in keyed groups."""
    run = load_inventory(hardenize_hosts, app, conf('''
        compose:
          first_group: hardenize_groups | last
        keyed_groups:
          - key: hardenize_groups
            prefix: named
        '''))
    host = run.vars('xn--bcher-kva.example.com')
    assert host['hardenize_groups'] == ['Production', '{{ 6 * 7 }}']
    assert host['first_group'] == '{{ 6 * 7 }}'
    assert run.plugin.templar.template(host['hardenize_groups'][1]) == '{{ 6 * 7 }}'
    assert 'named____6___7___' in run.groups() and '42' not in ' '.join(run.groups())


@pytest.mark.parametrize('filters, sent, expected', [
    ('status: [monitored]', {'status': 'monitored'},
     ['pay.shop.example.com', 'shop.example.com', 'www.example.com']),
    ('status: [monitored, idle]', {},
     ['pay.shop.example.com', 'shop.example.com', 'www.example.com', 'xn--bcher-kva.example.com']),
    ('group: [shop sites]', {'group': 'shop_sites'}, ['pay.shop.example.com', 'shop.example.com']),
    ('group: [Shop Sites, production]\nstatus: [idle]', {'status': 'idle'}, ['xn--bcher-kva.example.com']),
    ('origin: [manual]\nhostname: shop.example.com',
     {'origin': 'manual', 'hostname': 'shop.example.com', 'subdomains': 'true'},
     ['pay.shop.example.com', 'shop.example.com']),
    ('hostname: SHOP.example.com.\nsubdomains: false', {'hostname': 'shop.example.com', 'subdomains': 'false'},
     ['shop.example.com']),
    ('origin: [ct, cert]', {}, []),
])
def test_one_filter_value_is_sent_to_the_api_several_are_matched_locally(load_inventory, app, filters, sent, expected):
    run = load_inventory(hardenize_hosts, app, conf(filters))
    assert run.hosts() == expected
    assert len(run.fake.sent) == 2 and run.fake.sent[1].query == sent


def test_a_group_that_does_not_exist_matches_nothing_and_is_warned_about(load_inventory, app):
    run = load_inventory(hardenize_hosts, app, conf('group: [staging]\n'))
    assert run.hosts() == [] and run.requests() == ['GET /v1/org/%s/groups' % app.org]
    assert any("no group 'staging'" in w for w in load_inventory.warnings)


def test_constructed_features_apply_to_every_host(load_inventory, app):
    run = load_inventory(hardenize_hosts, app, conf('''
        group_prefix: hz_
        strict: true
        compose:
          ansible_connection: "'local'"
          monitored: hardenize_status == 'monitored'
        groups:
          shops: "'shop_sites' in hardenize_group_ids"
        keyed_groups:
          - key: hardenize_status
            prefix: status
        '''))
    assert run.hosts('status_archived') == ['old.example.com'] and run.hosts('status_idle') == ['xn--bcher-kva.example.com']
    assert run.hosts('shops') == ['pay.shop.example.com', 'shop.example.com']
    assert run.hosts('hz_production') and run.hosts('hardenize_production') is None
    assert run.vars('www.example.com')['ansible_connection'] == 'local' and run.vars('www.example.com')['monitored'] is True
    assert run.vars('old.example.com')['monitored'] is False


def test_credentials_may_be_templates_and_the_api_url_comes_from_the_environment(load_inventory, app, monkeypatch):
    monkeypatch.setenv('MY_HZ_PASSWORD', app.password)
    monkeypatch.setenv('HARDENIZE_API_PASSWORD', 'not-the-password')
    monkeypatch.delenv('HARDENIZE_ORG')
    run = load_inventory(hardenize_hosts, app, conf('''
        api_password: "{{ lookup('env', 'MY_HZ_PASSWORD') }}"
        org: "{{ '%s' }}"
        ''' % app.org))
    assert len(run.hosts()) == 5
    assert run.fake.sent[0].url.startswith(URL + '/v1/org/%s/' % app.org)


@pytest.mark.parametrize('variable', ['HARDENIZE_API_PASSWORD', 'HARDENIZE_ORG', 'HARDENIZE_API_USER'])
def test_a_missing_credential_names_its_variable_before_any_request(load_inventory, app, monkeypatch, variable):
    monkeypatch.delenv(variable)
    with pytest.raises(AnsibleParserError, match=r'option \w+ is required: set it in the inventory file or in the '
                                                 r'environment variable %s' % variable):
        load_inventory(hardenize_hosts, app, PLUGIN)
    assert app.counter_report()['total'] == 0


def test_bad_input_fails_before_any_request(load_inventory, app):
    with pytest.raises(AnsibleParserError, match='org must be the organization label'):
        load_inventory(hardenize_hosts, app, conf('org: "bad org"\n'))
    with pytest.raises(AnsibleParserError, match='hostname must be a domain name such as example.com'):
        load_inventory(hardenize_hosts, app, conf('hostname: "not a host"\n'))
    with pytest.raises(AnsibleParserError, match='api_url must be an https:// URL'):
        load_inventory(hardenize_hosts, app, conf('api_url: http://hz.test\n'))
    with pytest.raises(AnsibleParserError, match='api_user must not contain control'):
        load_inventory(hardenize_hosts, app, conf('api_user: "svc\\u200b"\n'))
    with pytest.raises(Exception, match='status'):
        load_inventory(hardenize_hosts, app, conf('status: [deleted]\n'))
    assert app.counter_report()['total'] == 0


def test_a_vendor_error_names_the_plugin_and_never_the_password(load_inventory, app, monkeypatch):
    monkeypatch.setenv('HARDENIZE_API_USER', 'someone-else')
    with pytest.raises(AnsibleParserError) as failure:
        load_inventory(hardenize_hosts, app, PLUGIN)
    text = str(failure.value)
    assert 'domainsec.onboard.hardenize_hosts: Hardenize refused GET /groups (HTTP 401)' in text
    assert app.password not in text


def test_the_cache_answers_the_second_load_and_a_flush_reads_again(load_inventory, app, tmp_path):
    config = conf('''
        cache: true
        cache_plugin: jsonfile  # short names: no collection loader in unit tests
        cache_connection: %s
        status: [monitored, idle]
        ''' % (tmp_path / 'cache'))
    first = load_inventory(hardenize_hosts, app, config)
    second = load_inventory(hardenize_hosts, app, config)
    assert len(first.fake.sent) == 2 and second.fake.sent == []
    assert second.hosts() == first.hosts() and second.vars('shop.example.com') == first.vars('shop.example.com')
    assert second.hosts('hardenize_production') == first.hosts('hardenize_production')
    flushed = load_inventory(hardenize_hosts, app, config, cache=False)  # ansible-inventory --flush-cache
    assert len(flushed.fake.sent) == 2
    other_filter = load_inventory(hardenize_hosts, app, config.replace('monitored, idle', 'monitored'))
    assert len(other_filter.fake.sent) == 2 and 'xn--bcher-kva.example.com' not in other_filter.hosts()
    files = os.listdir(str(tmp_path / 'cache'))
    assert len(files) == 2
    for name in files:
        with open(str(tmp_path / 'cache' / name), encoding='utf-8') as handle:
            text = handle.read()
        assert app.password not in text and app.password not in name and 'shop.example.com' in json.loads(text)['__payload__']


def test_without_cache_every_load_reads(load_inventory, app):
    assert len(load_inventory(hardenize_hosts, app, PLUGIN).fake.sent) == 2
    assert len(load_inventory(hardenize_hosts, app, PLUGIN).fake.sent) == 2


def test_the_file_name_must_end_in_the_plugin_name(tmp_path):
    plugin = hardenize_hosts.InventoryModule()
    for name, accepted in (('prod.hardenize_hosts.yml', True), ('hardenize_hosts.yaml', True),
                           ('prod.hardenize.yml', False), ('hardenize_hosts.yml.bak', False), ('hosts.ini', False)):
        path = tmp_path / name
        path.write_text(PLUGIN)
        assert plugin.verify_file(str(path)) is accepted, name
    assert plugin.verify_file(str(tmp_path / 'missing.hardenize_hosts.yml')) is False


def test_every_vendor_string_reaches_the_inventory_marked_unsafe(load_inventory, app, monkeypatch):
    """Host names, group names and every string of the host variables pass through make_unsafe (wrap_var).

    ansible-core 2.19+ trusts no plugin data anyway; the marking keeps older cores safe and says what is meant."""
    monkeypatch.setattr(vendor_inventory, 'make_unsafe', mark_unsafe)
    run = load_inventory(hardenize_hosts, app, PLUGIN)
    texts = []
    for name in run.hosts():
        host = run.inventory.get_host(name)
        texts.append(host.name)
        for variable, value in host.get_vars().items():
            if variable.startswith('hardenize_'):
                texts.extend(value if isinstance(value, list) else [value])
    texts.extend(g for g in run.groups() if g.startswith('hardenize_'))
    texts = [t for t in texts if isinstance(t, str)]
    assert len(texts) > 30
    assert [t for t in texts if not isinstance(t, Marked)] == []


def test_a_template_that_fails_names_the_option_before_any_request(load_inventory, app):
    with pytest.raises(AnsibleParserError, match='the template of option api_password failed: .*no_such_variable'):
        load_inventory(hardenize_hosts, app, conf('api_password: "{{ no_such_variable }}"\n'))
    assert app.counter_report()['total'] == 0
