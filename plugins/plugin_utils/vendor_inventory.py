# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the collection's inventory plugins share.

An inventory plugin of this collection is a vendor client's read turned into
hosts, groups and host variables. :class:`VendorInventory` does the rest once:

* the connection options are the vendor client's own (``CLIENT.argument_spec()``,
  documented by the vendor doc fragment): a string option may be a Jinja
  template (a lookup, for example), and an option left out of the file is
  taken from the environment variable of the client's ``fallback`` - the same
  variable a module reads;
* the client is built with ``CLIENT.from_params()``, the one HTTP code path of
  the modules (TLS, retries, rate limits, redaction); its trace is shown at
  -vvv, redacted; its errors become an ``AnsibleParserError`` naming the vendor;
* the vendor's answer is cached (``cache: true``) under a key made of the
  inventory file, the non-secret connection options and the read options, and
  every string of it is marked unsafe before it reaches the inventory;
* ``compose``, ``groups`` and ``keyed_groups`` apply to every host.

A plugin declares ``NAME``, ``CLIENT``, ``READ_OPTIONS`` (plugin options that
change what is read) and implements ``fetch(client)`` (JSON-able data, the
cached form) and ``populate(data)`` (calls :meth:`add_host`).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.group import to_safe_group_name
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

try:
    from ansible.utils.unsafe_proxy import wrap_var as make_unsafe
except ImportError:  # pragma: no cover - a future ansible-core without unsafe_proxy: plugin data is untrusted anyway
    def make_unsafe(value):
        return value

from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError, env_fallback_set
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_text


def env_variables(spec):
    """The environment variables of an option's ``fallback=(env_fallback_set, [...])``, in order."""
    fallback = spec.get('fallback') or ()
    if len(fallback) > 1 and fallback[0] is env_fallback_set:
        return list(fallback[1])
    return []


def group_name(name):
    """``name`` as a valid inventory group name (every invalid character replaced by ``_``)."""
    return to_safe_group_name(name, force=True, silent=True)


class VendorInventory(BaseInventoryPlugin, Constructable, Cacheable):
    """Base of the collection's inventory plugins (see the module docstring)."""

    NAME = None
    CLIENT = None  # a VendorClient subclass
    READ_OPTIONS = ()  # plugin options that change what fetch() reads: part of the cache key

    def verify_file(self, path):
        """Files ending in ``<plugin name>.yml`` or ``<plugin name>.yaml`` (``prod.hardenize_hosts.yml``)."""
        if not super(VendorInventory, self).verify_file(path):
            return False
        short = self.NAME.rsplit('.', 1)[-1]
        if path.endswith(('%s.yml' % short, '%s.yaml' % short)):
            return True
        self.display.vvv('Skipping %s: the file name does not end in %s.yml or %s.yaml' % (path, short, short))
        return False

    def parse(self, inventory, loader, path, cache=True):
        super(VendorInventory, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        self.load(path, cache)

    # -- the vendor's data ---------------------------------------------------------
    def load(self, path, cache=True):
        """Read (or take from the cache) the vendor's data and populate the inventory."""
        params = self.client_params()
        key = self.data_cache_key(path, params)
        use_cache = bool(self.get_option('cache'))
        data = None
        if use_cache and cache:
            try:
                data = self._cache[key]
            except KeyError:
                data = None
        if data is None:
            data = self.read(params)
            if use_cache:
                self._cache[key] = data
        self.populate(make_unsafe(data))

    def client_params(self):
        """The client's option values: templated, the environment for what the file leaves out, checked."""
        params = {}
        for name, spec in self.CLIENT.argument_spec().items():
            value, origin = self._value_and_origin(name)
            if isinstance(value, str) and self.templar.is_template(value):
                try:
                    value = self.templar.template(value)
                except AnsibleError as exc:
                    raise AnsibleParserError('%s: the template of option %s failed: %s'
                                             % (self.NAME, name, to_native(exc.message)))
                if value is not None and spec.get('type') in ('str', 'path'):
                    value = to_native(value)
            if value in (None, '') or origin == 'default':
                for variable in env_variables(spec):
                    if os.environ.get(variable):
                        value = os.environ[variable]
                        break
            if spec.get('type') == 'path' and value:
                value = os.path.expanduser(os.path.expandvars(value))
            if value in (None, '') and spec.get('required'):
                variables = env_variables(spec)
                raise AnsibleParserError('%s: option %s is required: set it in the inventory file%s'
                                         % (self.NAME, name, ' or in the environment variable %s' % ' / '.join(variables)
                                            if variables else ''))
            if isinstance(value, str) and not spec.get('no_log'):
                try:
                    check_text(value, name)
                except ValueError as exc:
                    raise AnsibleParserError('%s: %s' % (self.NAME, exc))
            params[name] = value
        return params

    def _value_and_origin(self, name):
        """The option's value and origin (``default``, ``Direct``...); an option the plugin does not document (a
        client option newer than the plugin's doc fragments) has the client's default."""
        if name not in self.option_definitions:
            return self.CLIENT.argument_spec()[name].get('default'), 'default'
        return self.get_option_and_origin(name)

    def data_cache_key(self, path, params):
        """The cache key: the file, the non-secret connection options and the read options (never a secret)."""
        secret = set(self.CLIENT.secret_options())
        what = dict((name, params.get(name)) for name in self.CLIENT.OPTIONS if name not in secret)
        what.update((name, self.get_option(name)) for name in self.READ_OPTIONS)
        digest = hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode('utf-8')).hexdigest()[:12]
        return '%s_%s' % (self.get_cache_key(path), digest)

    def read(self, params):
        """``fetch(client)`` with a client built from ``params``; vendor errors become AnsibleParserError."""
        client = None
        try:
            client = self.CLIENT.from_params(params)
            for warning in client.http.warnings:
                self.display.warning(warning)
            # Every string a vendor sent, masked: a hostile server may echo a credential into any field.
            return client.http.redactor.values(self.fetch(client))
        except DomainsecError as exc:
            raise AnsibleParserError('%s: %s' % (self.NAME, self._redact(client, str(exc))))
        except AnsibleError:
            raise
        except Exception as exc:  # pylint: disable=broad-exception-caught
            raise AnsibleParserError('%s: unexpected error (%s: %s); please report it with the output of -vvv'
                                     % (self.NAME, type(exc).__name__, self._redact(client, str(exc))))
        finally:
            if client is not None:
                for line in client.http.trace:
                    self.display.vvv('%s: %s' % (self.NAME, client.http.redactor.text(line)))
                client.close()

    @staticmethod
    def _redact(client, text):
        return client.http.redactor.text(text) if client is not None else text

    def fetch(self, client):
        """The vendor's data for this inventory (JSON-able: it is what the cache keeps)."""
        raise NotImplementedError

    def populate(self, data):
        """Add the hosts of ``data`` (already marked unsafe) with :meth:`add_host`."""
        raise NotImplementedError

    # -- hosts ---------------------------------------------------------------------
    def add_host(self, name, hostvars, groups=()):
        """Add host ``name`` with ``hostvars`` to ``groups``, then apply compose, groups and keyed_groups."""
        name = make_unsafe(name)
        self.inventory.add_host(name)
        for group in groups:
            added = self.inventory.add_group(make_unsafe(group_name(group)))
            self.inventory.add_child(added, name)
        for variable, value in hostvars.items():
            self.inventory.set_variable(name, variable, make_unsafe(value))
        strict = self.get_option('strict')
        variables = self.inventory.get_host(name).get_vars()
        self._set_composite_vars(self.get_option('compose'), variables, name, strict=strict)
        self._add_host_to_composed_groups(self.get_option('groups'), variables, name, strict=strict)
        self._add_host_to_keyed_groups(self.get_option('keyed_groups'), variables, name, strict=strict)
