# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run an inventory plugin of the collection in process, an emulator app answering through FakeHttp.

The plugin's options are registered with Ansible's configuration from its
DOCUMENTATION merged with its doc fragments by Ansible's own code
(``get_docstring``), as the plugin loader does, so ``parse()`` runs whole:
the file is read by a DataLoader, the options are typed and checked by the
config manager, the cache plugin is Ansible's. Only the network is fake:
``CLIENT.from_params`` is wrapped to mount ``FakeHttp.for_app(app)`` on the
client's session.
"""

import importlib

import pytest

from unit.fake_http import FakeHttp
from ansible import constants as C
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.utils.plugin_docs import get_docstring


class FragmentLoader(object):
    """The doc fragments the plugins name, found by import (what the collection loader would find)."""

    PACKAGES = {'domainsec.onboard.': 'ansible_collections.domainsec.onboard.plugins.doc_fragments.',
                'ansible.builtin.': 'ansible.plugins.doc_fragments.'}

    def get(self, name):
        for prefix, package in self.PACKAGES.items():
            if name.startswith(prefix):
                fragment = importlib.import_module(package + name[len(prefix):]).ModuleDocFragment
                return type('Fragment', (fragment,), {'ansible_name': name})
        return None


def register(module):
    """Register the options of the plugin ``module`` with Ansible's config manager; the merged option docs."""
    doc = get_docstring(module.__file__, FragmentLoader(), plugin_type='inventory')[0]
    C.config.initialize_plugin_configuration_definitions('inventory', module.InventoryModule.NAME, doc['options'])
    return doc['options']


class Run(object):
    """One inventory load: the plugin, the inventory it filled, the requests it sent."""

    def __init__(self, plugin, inventory, fake):
        self.plugin = plugin
        self.inventory = inventory
        self.fake = fake

    def hosts(self, group=None):
        """Every host, or the hosts of ``group`` (None when there is no such group)."""
        if group is None:
            return sorted(self.inventory.hosts)
        return sorted(h.name for h in self.inventory.groups[group].get_hosts()) if group in self.inventory.groups else None

    def vars(self, host):
        return self.inventory.get_host(host).get_vars()

    def groups(self):
        return sorted(self.inventory.groups)

    def requests(self):
        return ['%s %s' % (s.method, s.path) for s in self.fake.sent]


@pytest.fixture
def load_inventory(monkeypatch, tmp_path):
    """``load_inventory(module, app, config_text, name=..., cache=True)``: parse a file with the plugin, ``app`` answering.

    Every load builds its own plugin (as each ansible-inventory run does); the FakeHttp of a load records its requests.
    """
    wrapped = {}
    warnings = []

    def loader(module, app, config, name=None, cache=True):
        client_class = module.InventoryModule.CLIENT
        if client_class not in wrapped:
            real = client_class.from_params.__func__
            wrapped[client_class] = real
        real = wrapped[client_class]
        fake = FakeHttp.for_app(app)

        def from_params(cls, params):
            client = real(cls, params)
            client.http.sleep = lambda seconds: None
            fake.mount(client.http)
            return client
        monkeypatch.setattr(client_class, 'from_params', classmethod(from_params))
        register(module)
        path = tmp_path / (name or 'test.%s.yml' % module.InventoryModule.NAME.rsplit('.', 1)[1])
        path.write_text(config)
        plugin = module.InventoryModule()
        plugin._load_name = module.InventoryModule.NAME  # pylint: disable=protected-access
        plugin.ansible_name = module.InventoryModule.NAME
        monkeypatch.setattr(plugin.display, 'warning', lambda msg, *args, **kwargs: warnings.append(msg))
        inventory = InventoryData()
        assert plugin.verify_file(str(path))
        plugin.parse(inventory, DataLoader(), str(path), cache=cache)
        if getattr(plugin, '_cache', None) is not None and plugin.get_option('cache'):
            plugin.update_cache_if_changed()
        return Run(plugin, inventory, fake)

    loader.warnings = warnings
    return loader


@pytest.fixture(autouse=True)
def no_vendor_environment(monkeypatch):
    """No credentials or CA from the calling shell (or the emulators fixture) leak into a unit test."""
    for variable in ('HARDENIZE_API_URL', 'HARDENIZE_ORG', 'HARDENIZE_API_USER', 'HARDENIZE_API_PASSWORD',
                     'VIRUSDIE_API_URL', 'VIRUSDIE_API_KEY', 'VIRUSDIE_MAC_KEY', 'DOMAINSEC_CA_PATH'):
        monkeypatch.delenv(variable, raising=False)


class Marked(str):
    """A string that went through the tests' stand-in for make_unsafe (``mark_unsafe``)."""


def mark_unsafe(value):
    """make_unsafe's stand-in: every string (keys included), in dicts and lists, becomes a ``Marked``."""
    if isinstance(value, dict):
        return dict((mark_unsafe(k), mark_unsafe(v)) for k, v in value.items())
    if isinstance(value, list):
        return [mark_unsafe(v) for v in value]
    return Marked(value) if isinstance(value, str) else value
