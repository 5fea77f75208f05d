# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: domains
short_description: The domains of an onboarding file as inventory hosts
version_added: 1.0.0
description:
  - The domains of an onboarding file (YAML or CSV) as inventory hosts in the group C(domainsec_domains), one host
    per domain named by the domain, so that the playbooks C(domainsec.onboard.onboard) and
    C(domainsec.onboard.offboard) take them from the inventory, C(--limit) and retry files select among them, and
    host and group variables give a domain its own settings and vendor accounts (the variables
    C(domainsec_<vendor>_<option>) of the playbooks).
  - "A YAML file has the shape of the playbooks' extra vars: C(onboard_domains), a list of domains, each a name or a
    mapping with C(name) and variables of the C(domainsec.onboard.onboard_domain) role without their
    C(onboard_domain_) prefix; and, optionally, C(onboard_defaults) (the same variables, for every domain) and other
    variables of the playbooks (C(onboard_summary_path), ...). It may be encrypted with ansible-vault."
  - "A CSV file (the name ends in C(.csv)) has one row per domain; its first row names the columns: C(name) and the
    same variables. Each cell is read as a YAML value, so C(true), C(3600), C([a.example.com, b.example.com]) and
    C({type: A, name: '', value: 192.0.2.10}) are what they say; quote a text YAML would read otherwise (C('NO')).
    Blank rows and rows whose first cell begins with C(#) are left out."
  - "Host variables: each variable the file gives for the domain (an empty one is not given, so the defaults apply),
    C(domainsec_domain_keys) (the names of those variables: the playbooks refuse a name that is not a variable of
    the role, as they do for C(onboard_domains)), C(ansible_connection=local) and C(ansible_python_interpreter) set
    to the Python that runs Ansible (the modules run on the controller). Group variables of C(domainsec_domains):
    the file's other top-level variables, C(onboard_defaults) among them. Every value from the file is marked unsafe:
    it is never templated."
  - The file is refused whole, before any host is made, when a domain has no name, is given twice (names compared
    without case) or is neither a name nor a mapping, and when the file is not such a list. Everything else - an
    unknown variable, C(state=absent), C(purge_records) - the playbooks refuse before any vendor is asked, with the
    same rules as for C(onboard_domains) (C(playbooks/templates/domain_plan.j2)).
  - Uses a YAML configuration file whose name ends in C(domains.yml) or C(domains.yaml).
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - ansible.builtin.constructed
options:
  plugin:
    description: The name of this plugin; marks the file as this plugin's configuration.
    type: str
    required: true
    choices: [domainsec.onboard.domains]
  path:
    description:
      - The onboarding file, YAML or CSV (by its name's end, C(.csv)). A relative path is relative to the directory of
        this configuration file. Give C(-i) this configuration file rather than its directory, or keep the
        onboarding file out of that directory; Ansible would otherwise try to read it as an inventory of its own.
    type: str
    required: true
  other_keys:
    description:
      - Variables of the file that are not variables of the role (for example a C(customer) column), set as host
        variables as they are, for C(keyed_groups), C(groups), C(compose) or plays of your own; the playbooks leave
        them out of the domain's settings.
    type: list
    elements: str
    default: []
'''

EXAMPLES = r'''
# inventory/fleet.domains.yml - the domains of domains.yml (beside it) in the group domainsec_domains
plugin: domainsec.onboard.domains
path: domains.yml

# inventory/domains.yml
# onboard_domains:
#   - name: example.com
#     records: [{type: A, name: "", value: 192.0.2.10}]
#     monitor_hostnames: [example.com, www.example.com]
#   - example.org
# onboard_defaults:
#   monitoring: true
#
#   ansible-playbook -i inventory/ domainsec.onboard.onboard                        # every domain
#   ansible-playbook -i inventory/ domainsec.onboard.onboard --limit example.org    # this one only

---
# inventory/customers.domains.yml - a spreadsheet, one group per customer for its own vendor accounts
plugin: domainsec.onboard.domains
path: customers.csv
other_keys: [customer]
keyed_groups:
  - key: customer
    prefix: customer

# inventory/customers.csv
# name,customer,monitoring,waf,records
# shop.example.com,acme,true,true,"[{type: A, name: '', value: 192.0.2.10}]"
# blog.example.net,globex,true,false,
#
# inventory/group_vars/customer_acme.yml (encrypted with ansible-vault): the account of that customer
# domainsec_hardenize_org: acme
# domainsec_hardenize_api_user: svc-acme
# domainsec_hardenize_api_password: ...
'''

import csv
import io
import os
import re
from collections.abc import Mapping

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.module_utils.common.text.converters import to_native, to_text
from ansible.plugins.inventory import BaseInventoryPlugin, Constructable

try:
    from ansible.utils.unsafe_proxy import wrap_var as make_unsafe
except ImportError:  # pragma: no cover - a future ansible-core without unsafe_proxy: plugin data is untrusted anyway
    def make_unsafe(value):
        return value

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core before 2.19 templates every string of the inventory
    def trust_as_template(value):
        return value

import yaml

GROUP = 'domainsec_domains'
LIST_VAR = 'onboard_domains'
KEYS_VAR = 'domainsec_domain_keys'
VARIABLE_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')


def is_empty(value):
    """None or a blank string: not given (the playbooks' rule for an empty value, domain_plan.j2)."""
    return value is None or (isinstance(value, str) and not value.strip())


class InventoryModule(BaseInventoryPlugin, Constructable):
    """The domains of an onboarding file (YAML or CSV) as inventory hosts."""

    NAME = 'domainsec.onboard.domains'

    def verify_file(self, path):
        """Files ending in ``domains.yml`` or ``domains.yaml`` (``fleet.domains.yml``)."""
        if not super(InventoryModule, self).verify_file(path):
            return False
        if path.endswith(('domains.yml', 'domains.yaml')):
            return True
        self.display.vvv('Skipping %s: the file name does not end in domains.yml or domains.yaml' % path)
        return False

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        source = os.path.join(os.path.dirname(os.path.abspath(path)), os.path.expanduser(self.get_option('path')))
        if source.endswith('.csv'):
            domains, group_vars = self.read_csv(source), {}
        else:
            domains, group_vars = self.read_yaml(source)
        self.populate(domains, group_vars)

    # -- the file --------------------------------------------------------------------
    def fail(self, source, refused):
        raise AnsibleParserError('%s: %s refused, no domain was read: %s' % (self.NAME, source, '; '.join(refused)))

    def read_yaml(self, source):
        """``([(name, {variable: value}), ...], {group variable: value})`` from a YAML onboarding file."""
        try:
            data = self.loader.load_from_file(source)
        except AnsibleError as exc:
            raise AnsibleParserError('%s: cannot read %s: %s' % (self.NAME, source, to_native(exc)))
        if not isinstance(data, Mapping) or LIST_VAR not in data:
            self.fail(source, ['the file must be a mapping with %s, a list of domains: each a name, or a mapping with '
                               'name (and onboard_defaults, optionally)' % LIST_VAR])
        entries = data[LIST_VAR]
        if not isinstance(entries, list) or not entries:
            self.fail(source, ['give %s, a list of domains: each a name, or a mapping with name' % LIST_VAR])
        refused, domains = [], []
        for index, item in enumerate(entries):
            where = '%s[%d]' % (LIST_VAR, index)
            if isinstance(item, str) and item.strip():
                domains.append((where, item, {}))
            elif isinstance(item, Mapping):
                domains.append((where, item.get('name'), dict((k, v) for k, v in item.items() if k != 'name')))
            elif is_empty(item):
                refused.append('%s is empty' % where)
            else:
                refused.append('%s is neither a domain name nor a mapping with name' % where)
        group_vars = dict((key, value) for key, value in data.items() if key != LIST_VAR)
        odd = sorted(to_text(key) for key in group_vars if not isinstance(key, str) or not VARIABLE_NAME.match(key))
        if odd:
            refused.append('%s not a variable name (letters, digits and _)' % ', '.join(repr(key) for key in odd))
        return self.checked(source, domains, refused), group_vars

    def read_csv(self, source):
        """``[(name, {variable: value}), ...]`` from a CSV onboarding file: a header row, then one row per domain."""
        try:
            with io.open(source, encoding='utf-8-sig', newline='') as handle:
                rows = list(csv.reader(handle))
        except (IOError, OSError, UnicodeDecodeError, csv.Error) as exc:
            raise AnsibleParserError('%s: cannot read %s: %s' % (self.NAME, source, to_native(exc)))
        # Blank rows, and comments (a first cell that begins with #: no domain name does), are left out.
        rows = [(number, row) for number, row in enumerate(rows, 1)
                if any(cell.strip() for cell in row) and not row[0].lstrip().startswith('#')]
        if not rows:
            self.fail(source, ['the file is empty: give a header row (name and variables of the role) and a row per '
                               'domain'])
        (header_number, header), rows = rows[0], rows[1:]
        header = [cell.strip() for cell in header]
        refused = []
        if 'name' not in header:
            refused.append('the header row (row %d) has no column name' % header_number)
        if '' in header:
            refused.append('the header row (row %d) has a column without a name (column %d)'
                           % (header_number, header.index('') + 1))
        twice = sorted(set(key for key in header if key and header.count(key) > 1))
        if twice:
            refused.append('the header row (row %d) names %s more than once' % (header_number, ', '.join(twice)))
        odd = [key for key in header if key and not VARIABLE_NAME.match(key)]
        if odd:
            refused.append('the header row (row %d): %s not a variable name (letters, digits and _)'
                           % (header_number, ', '.join(repr(key) for key in odd)))
        if not rows:
            refused.append('no domain: give a row per domain after the header row')
        if refused:
            self.fail(source, refused)
        domains = []
        for number, row in rows:
            where = 'row %d' % number
            if len(row) > len(header):
                refused.append('%s has %d cells, the header %d' % (where, len(row), len(header)))
                continue
            values = {}
            for key, cell in zip(header, row):
                try:
                    values[key] = yaml.safe_load(cell) if cell.strip() else None
                except yaml.YAMLError as exc:
                    problem = getattr(exc, 'problem', None) or 'not YAML'
                    refused.append('%s, column %s: %r is not a YAML value (%s)' % (where, key, cell, problem))
            domains.append((where, values.pop('name', None), values))
        return self.checked(source, domains, refused)

    def checked(self, source, domains, refused):
        """The domains with a name, each once; the file refused whole (every reason named) otherwise."""
        result, seen = [], {}
        for where, name, variables in domains:
            if is_empty(name):
                refused.append('%s has no name' % where)
                continue
            if not isinstance(name, str):
                refused.append('%s: the name is not a string' % where)
                continue
            name = to_text(name).strip()
            if name.lower() in seen:
                refused.append('%s: given twice (one entry per domain): %s and %s' % (name, seen[name.lower()], where))
                continue
            odd = sorted(to_text(key) for key in variables if not isinstance(key, str) or not VARIABLE_NAME.match(key))
            if odd:
                refused.append('%s: %s not a variable name (letters, digits and _)' % (name, ', '.join(repr(k) for k in odd)))
                continue
            seen[name.lower()] = where
            result.append((name, variables))
        if refused:
            self.fail(source, refused)
        return result

    # -- the inventory -----------------------------------------------------------------
    def populate(self, domains, group_vars):
        other = set(self.get_option('other_keys'))
        group = self.inventory.add_group(GROUP)
        for key, value in group_vars.items():
            self.inventory.set_variable(group, key, make_unsafe(value))
        strict = self.get_option('strict')
        for name, variables in domains:
            given = dict((key, value) for key, value in variables.items() if not is_empty(value))
            name = make_unsafe(name)
            self.inventory.add_host(name, group=group)
            for key, value in given.items():
                self.inventory.set_variable(name, key, make_unsafe(value))
            self.inventory.set_variable(name, KEYS_VAR, make_unsafe(sorted(key for key in given if key not in other)))
            self.inventory.set_variable(name, 'ansible_connection', 'local')
            self.inventory.set_variable(name, 'ansible_python_interpreter', trust_as_template('{{ ansible_playbook_python }}'))
            hostvars = self.inventory.get_host(name).get_vars()
            self._set_composite_vars(self.get_option('compose'), hostvars, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), hostvars, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), hostvars, name, strict=strict)
