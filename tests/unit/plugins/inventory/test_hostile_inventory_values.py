# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The table of hostile values (tests/unit/hostile_values.py) against the inventory plugins' options of each kind:
the inventory file is parsed whole, the vendor's emulator answering in process; a hostile value must fail the load
naming the option, with no request counted by the emulator. A good value must reach the vendor."""

import json

import pytest

from emulators.hardenize import HardenizeApp
from emulators.virusdie import VirusdieApp
from unit import hostile_values as T
from ansible.errors import AnsibleParserError
from ansible_collections.domainsec.onboard.plugins.inventory import hardenize_hosts
from ansible_collections.domainsec.onboard.plugins.inventory import virusdie_sites


def hardenize_app(monkeypatch):
    app = HardenizeApp()
    app.configure({'rate_limit_enabled': False})
    for variable, value in (('HARDENIZE_API_URL', 'https://hz.test'), ('HARDENIZE_ORG', app.org),
                            ('HARDENIZE_API_USER', app.user), ('HARDENIZE_API_PASSWORD', app.password)):
        monkeypatch.setenv(variable, value)
    return app


def virusdie_app(monkeypatch):
    app = VirusdieApp()
    app.configure({'rate_limit_enabled': False})
    for variable, value in (('VIRUSDIE_API_URL', 'https://vd.test/api'), ('VIRUSDIE_API_KEY', app.api_key),
                            ('VIRUSDIE_MAC_KEY', app.mac_key)):
        monkeypatch.setenv(variable, value)
    return app


# (plugin module, option, kind, emulator, labels the option gives a meaning: an empty hostname is no filter)
OPTIONS = [
    (hardenize_hosts, 'hostname', T.NAME, hardenize_app, ('empty',)),
    (virusdie_sites, 'unit', T.EMAIL, virusdie_app, ()),
]


def config(plugin, option, value):
    # JSON is YAML: every character of the value reaches the plugin as it is, control characters included.
    return 'plugin: %s\n%s: %s\n' % (plugin.InventoryModule.NAME, option, json.dumps(value))


@pytest.mark.parametrize('plugin, option, kind, make_app, label, value', [
    pytest.param(plugin, option, kind, make_app, label, value, id='%s:%s-%s-%s' % (
        plugin.InventoryModule.NAME.rsplit('.', 1)[1], option, kind, label))
    for plugin, option, kind, make_app, meaningful in OPTIONS for label, value in T.HOSTILE[kind]
    if label not in meaningful])
def test_the_inventory_refuses_the_hostile_value_before_any_request(load_inventory, monkeypatch, plugin, option, kind,
                                                                    make_app, label, value):
    app = make_app(monkeypatch)
    with pytest.raises(AnsibleParserError) as caught:
        load_inventory(plugin, app, config(plugin, option, value), cache=False)
    assert '%s must' % option in str(caught.value)  # the message names the option, then the rule
    assert app.counter_report()['total'] == 0


@pytest.mark.parametrize('plugin, option, kind, make_app, value', [
    pytest.param(plugin, option, kind, make_app, value, id='%s:%s-%r' % (
        plugin.InventoryModule.NAME.rsplit('.', 1)[1], option, value))
    for plugin, option, kind, make_app, dummy in OPTIONS for value in T.GOOD[kind]])
def test_the_inventory_takes_the_good_value_to_the_vendor(load_inventory, monkeypatch, plugin, option, kind, make_app,
                                                          value):
    app = make_app(monkeypatch)
    load_inventory(plugin, app, config(plugin, option, value), cache=False)
    assert app.counter_report()['total'] > 0
