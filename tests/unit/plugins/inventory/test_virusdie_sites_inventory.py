# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The virusdie_sites inventory plugin, parsing real files, the Virusdie emulator answering in process."""

import hashlib
import hmac
import os
import textwrap

import pytest

from emulators.virusdie import VirusdieApp
from unit.fake_http import FakeHttp
from ansible.errors import AnsibleParserError
from ansible_collections.domainsec.onboard.plugins.inventory import virusdie_sites
from ansible_collections.domainsec.onboard.plugins.module_utils import virusdie as vd

URL = 'https://vd.test/api'
PLUGIN = 'plugin: domainsec.onboard.virusdie_sites\n'
SITES = ['shop.example.com', 'www.example.com', 'blog.example.org', 'bücher.example.com', 'clean.example.net']


def conf(extra=''):
    """An inventory file: the plugin line plus ``extra`` (dedented)."""
    return PLUGIN + textwrap.dedent(extra)


@pytest.fixture
def app(monkeypatch):
    """A Virusdie account with five sites: two with threats (one of them shared with a unit), one scanned and clean,
    one cleaned by auto-treatment, one never scanned; and the environment the plugin reads its key from."""
    return make_app(monkeypatch)


def make_app(monkeypatch, api_key=None):
    if api_key:
        monkeypatch.setenv('VIRUSDIE_API_KEY', api_key)
    emulator = VirusdieApp()
    monkeypatch.setenv('VIRUSDIE_API_URL', URL)
    monkeypatch.setenv('VIRUSDIE_API_KEY', emulator.api_key)
    monkeypatch.setenv('VIRUSDIE_MAC_KEY', emulator.mac_key)
    emulator.configure({'rate_limit_enabled': False, 'scan_duration': 0,
                        'syncfile_uploaded': ['shop.example.com', 'www.example.com', 'bücher.example.com',
                                              'clean.example.net'],
                        'scan_threats': {'shop.example.com': 3, 'bücher.example.com': {'threats': 1, 'doubt': 2},
                                         'clean.example.net': 4}})
    client = vd.VirusdieClient.from_params(dict(api_url=URL, api_key=emulator.api_key, mac_key=emulator.mac_key,
                                                timeout=30, retries=0, rate_limit_wait=0, validate_certs=True,
                                                ca_path=None))
    FakeHttp.for_app(emulator).mount(client.http)
    assert client.add_sites(SITES[:3] + [{'name': SITES[3], 'share': 'owner@example.com'}, SITES[4]]) == {}
    client.set_option('shop.example.com', 'firewall', True)
    client.set_option('clean.example.net', 'auto_treatment', True)
    for site in ('shop.example.com', 'www.example.com', 'bücher.example.com', 'clean.example.net'):
        client.scan_site(site)
    emulator.reset_counters()
    return emulator


def test_sites_with_threats_are_grouped_and_carry_their_scan_facts(load_inventory, app):
    run = load_inventory(virusdie_sites, app, PLUGIN)
    assert run.requests() == ['GET /api/sites_list/']
    assert run.fake.sent[0].query == {'withscanreport': ''}
    assert run.hosts() == ['blog.example.org', 'clean.example.net', 'shop.example.com', 'www.example.com',
                           'xn--bcher-kva.example.com']
    assert run.hosts('virusdie_threats') == ['shop.example.com', 'xn--bcher-kva.example.com']
    assert run.hosts('virusdie_unscanned') == ['blog.example.org']
    shop = run.vars('shop.example.com')
    assert (shop['virusdie_threats'], shop['virusdie_incurable'], shop['virusdie_doubt'], shop['virusdie_treated']) == (3, 0, 0, 0)
    assert shop['virusdie_scanned'] is True and shop['virusdie_scan_report']['threats'] == 3
    assert shop['virusdie_last_scan'] == shop['virusdie_scan_report']['date']
    assert (shop['virusdie_firewall'], shop['virusdie_auto_treatment'], shop['virusdie_shared_with']) == (True, False, None)
    assert (shop['virusdie_domain'], shop['virusdie_host'], shop['virusdie_scan_period']) == ('shop.example.com', 'shop.example.com', 86400)
    assert 'virusdie_firewall_history' not in shop
    bucher = run.vars('xn--bcher-kva.example.com')
    # The guide's site object names no owner: without the unit option, nobody is known to be shared with.
    assert bucher['virusdie_domain'] == 'bücher.example.com' and bucher['virusdie_shared_with'] is None
    assert (bucher['virusdie_threats'], bucher['virusdie_doubt']) == (1, 2)
    clean = run.vars('clean.example.net')
    assert (clean['virusdie_threats'], clean['virusdie_treated']) == (0, 4)  # auto-treatment cleaned what it found
    blog = run.vars('blog.example.org')
    assert blog['virusdie_scanned'] is False and blog['virusdie_scan_report'] is None
    assert blog['virusdie_threats'] is None and blog['virusdie_last_scan'] is None


def test_the_requests_are_signed_with_the_mac_key_from_the_environment(load_inventory, app):
    run = load_inventory(virusdie_sites, app, PLUGIN)
    sent = run.fake.sent[0]
    mac = hmac.new(app.mac_key.encode(), sent.path_url.encode(), hashlib.md5).hexdigest()
    assert sent.headers['Cookie'] == 'apikey=%s; apimac=%s' % (app.api_key, mac)


def test_firewall_history_and_a_unit_are_one_request(load_inventory, app):
    run = load_inventory(virusdie_sites, app, conf('''
        unit: Owner@Example.com
        firewall_history: true
        '''))
    assert run.requests() == ['GET /api/sites_list/']
    assert run.fake.sent[0].query == {'unit': 'Owner@Example.com', 'withscanreport': '', 'withfwhistory': ''}
    assert run.hosts() == ['xn--bcher-kva.example.com']
    assert run.vars('xn--bcher-kva.example.com')['virusdie_shared_with'] == 'owner@example.com'  # from the filter
    run = load_inventory(virusdie_sites, app, conf('firewall_history: true\n'))
    shop = run.vars('shop.example.com')
    days = shop['virusdie_firewall_history']
    assert len(days) == 30 and set(days[0]) == set(vd.FW_FIELDS) and days[-1] == {'date': days[-1]['date']}
    assert shop['virusdie_firewall_blocked'] == sum(day.get('blocked', 0) for day in days) > 0
    assert run.vars('www.example.com')['virusdie_firewall_history'] == []  # firewall off: no history
    assert run.vars('www.example.com')['virusdie_firewall_blocked'] == 0


def test_default_groups_can_be_renamed_or_left_out_and_constructed_features_apply(load_inventory, app):
    run = load_inventory(virusdie_sites, app, conf('''
        threats_group: infected
        unscanned_group: ''
        strict: true
        groups:
          firewall_off: not virusdie_firewall
        keyed_groups:
          - key: virusdie_shared_with | default('none', true)
            prefix: unit
        compose:
          ansible_connection: "'local'"
          needs_cleanup: (virusdie_threats or 0) + (virusdie_doubt or 0) > 0
        '''))
    assert run.hosts('infected') == ['shop.example.com', 'xn--bcher-kva.example.com']
    assert run.hosts('virusdie_threats') is None and run.hosts('virusdie_unscanned') is None
    assert 'shop.example.com' not in run.hosts('firewall_off') and 'blog.example.org' in run.hosts('firewall_off')
    assert run.hosts('unit_owner_example_com') is None  # without the unit option no site's unit is known
    assert len(run.hosts('unit_none')) == 5
    assert run.vars('xn--bcher-kva.example.com')['needs_cleanup'] is True
    assert run.vars('www.example.com')['needs_cleanup'] is False
    assert run.vars('www.example.com')['ansible_connection'] == 'local'


def test_the_key_may_be_a_template(load_inventory, app, monkeypatch):
    monkeypatch.setenv('CUSTOMER_KEY', app.api_key)
    monkeypatch.setenv('VIRUSDIE_API_KEY', 'f' * 32)
    run = load_inventory(virusdie_sites, app, conf('api_key: "{{ lookup(\'env\', \'CUSTOMER_KEY\') }}"\n'))
    assert len(run.hosts()) == 5


def test_input_is_checked_before_any_request(load_inventory, app, monkeypatch):
    with pytest.raises(AnsibleParserError, match='unit must be an e-mail address'):
        load_inventory(virusdie_sites, app, conf('unit: nobody\n'))
    with pytest.raises(AnsibleParserError, match='timeout must be between 1 and 3600'):
        load_inventory(virusdie_sites, app, conf('timeout: 0\n'))
    monkeypatch.delenv('VIRUSDIE_API_KEY')
    with pytest.raises(AnsibleParserError, match='option api_key is required: set it in the inventory file or in the '
                                                 'environment variable VIRUSDIE_API_KEY'):
        load_inventory(virusdie_sites, app, PLUGIN)
    assert app.counter_report()['total'] == 0


def test_a_vendor_error_names_the_plugin_and_never_a_key(load_inventory, app, monkeypatch):
    monkeypatch.setenv('VIRUSDIE_MAC_KEY', 'wrong-mac-key-0123456789')
    with pytest.raises(AnsibleParserError) as failure:
        load_inventory(virusdie_sites, app, PLUGIN)
    text = str(failure.value)
    assert text.startswith('domainsec.onboard.virusdie_sites: Virusdie refused sites_list (145902)')
    assert app.api_key not in text and 'wrong-mac-key-0123456789' not in text


def test_the_cache_answers_the_second_load(load_inventory, app, tmp_path):
    config = conf('''
        cache: true
        cache_plugin: jsonfile  # short names: no collection loader in unit tests
        cache_connection: %s
        ''' % (tmp_path / 'cache'))
    first = load_inventory(virusdie_sites, app, config)
    second = load_inventory(virusdie_sites, app, config)
    assert len(first.fake.sent) == 1 and second.fake.sent == []
    threats = ['shop.example.com', 'xn--bcher-kva.example.com']
    assert second.hosts('virusdie_threats') == first.hosts('virusdie_threats') == threats
    assert second.vars('shop.example.com') == first.vars('shop.example.com')
    assert len(load_inventory(virusdie_sites, app, config, cache=False).fake.sent) == 1
    with_history = load_inventory(virusdie_sites, app, config + 'firewall_history: true\n')
    assert len(with_history.fake.sent) == 1 and 'virusdie_firewall_history' in with_history.vars('shop.example.com')
    for name in os.listdir(str(tmp_path / 'cache')):
        with open(str(tmp_path / 'cache' / name), encoding='utf-8') as handle:
            text = handle.read()
        assert app.api_key not in text and app.mac_key not in text


def test_the_file_name_must_end_in_the_plugin_name(tmp_path):
    plugin = virusdie_sites.InventoryModule()
    for name, accepted in (('sites.virusdie_sites.yml', True), ('virusdie_sites.yaml', True),
                           ('sites.virusdie.yml', False), ('virusdie_sites.json', False)):
        path = tmp_path / name
        path.write_text(PLUGIN)
        assert plugin.verify_file(str(path)) is accepted, name


def test_the_plugins_call_named_client_operations_only():
    """As the modules: no path, no raw request (tests/unit/plugins/module_utils/test_vendor_client.py)."""
    from unit.plugins.module_utils.test_vendor_client import raw_api_uses  # pylint: disable=import-outside-toplevel
    from ansible_collections.domainsec.onboard.plugins.inventory import hardenize_hosts  # pylint: disable=import-outside-toplevel
    from ansible_collections.domainsec.onboard.plugins.plugin_utils import vendor_inventory  # pylint: disable=import-outside-toplevel
    for module in (virusdie_sites, hardenize_hosts, vendor_inventory):
        with open(module.__file__.replace('.pyc', '.py'), encoding='utf-8') as handle:
            assert raw_api_uses(handle.read()) == [], module.__name__
    assert raw_api_uses("sites = client.read('sites_list')") != []


def test_a_key_a_hostile_server_echoes_into_a_site_is_masked_in_every_form(load_inventory, monkeypatch):
    """The unit a site is shared with, as the server names it, is shown as is (virusdie_shared_with): a server that
    echoes the API key there (raw, URL-encoded, JSON-escaped as PHP writes it) leaks none of its forms into the
    inventory."""
    key = 'k3y+with/slash=and=='
    app = make_app(monkeypatch, api_key=key)
    app.configure({'site_unit_field': True})
    echoed = {'shop.example.com': key, 'www.example.com': 'k3y%2Bwith%2Fslash%3Dand%3D%3D',
              'blog.example.org': 'shared: k3y+with\\/slash=and=='}
    for site, text in echoed.items():
        app.accounts[app.email]['sites'][site]['unit'] = text
    run = load_inventory(virusdie_sites, app, PLUGIN)
    assert run.fake.sent[0].headers['Cookie'].startswith('apikey=%s;' % key)  # sent, and so echoed
    shown = [run.vars(site)['virusdie_shared_with'] for site in echoed]
    assert shown == ['********', '********', 'shared: ********'], shown
    assert not [site for site in echoed if 'k3y' in repr(run.vars(site))]
