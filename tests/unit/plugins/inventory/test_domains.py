# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The inventory plugin domainsec.onboard.domains (plugins/inventory/domains.py), parsing real files in process: the
onboarding file as YAML and as CSV, what becomes hosts, host and group variables, and each refusal of a bad file.
What the playbooks then check (unknown variables, state absent, purge_records) is domain_plan.j2's, tested with the
playbooks (tests/integration/test_onboard_playbook.py)."""

import textwrap

import pytest

from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible_collections.domainsec.onboard.plugins.inventory import domains
from unit.plugins.inventory.conftest import Marked, mark_unsafe, register

PLUGIN = 'plugin: domainsec.onboard.domains\n'


class Run(object):
    def __init__(self, inventory):
        self.inventory = inventory

    def hosts(self, group='domainsec_domains'):
        return sorted(h.name for h in self.inventory.groups[group].get_hosts())

    def vars(self, host):
        return self.inventory.get_host(host).get_vars()

    def group_vars(self, group='domainsec_domains'):
        return self.inventory.groups[group].get_vars()


def load(tmp_path, config, files):
    """Parse ``fleet.domains.yml`` (the plugin line plus ``config``) beside ``files`` ({name: text}) with the plugin."""
    register(domains)
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text), encoding='utf-8')
    path = tmp_path / 'fleet.domains.yml'
    path.write_text(PLUGIN + textwrap.dedent(config))
    plugin = domains.InventoryModule()
    plugin._load_name = plugin.ansible_name = domains.InventoryModule.NAME  # pylint: disable=protected-access
    assert plugin.verify_file(str(path))
    inventory = InventoryData()
    plugin.parse(inventory, DataLoader(), str(path))
    return Run(inventory)


def refusal(tmp_path, config, files):
    with pytest.raises(AnsibleParserError) as caught:
        load(tmp_path, config, files)
    return str(caught.value)


YAML_FILE = '''\
    onboard_domains:
      - name: " shop.example.com "
        records: [{type: A, name: "", value: 192.0.2.10}]
        monitor_hostnames: [shop.example.com, www.shop.example.com]
        admin_email: ""
        waf_site: "{{ 6 * 7 }}"
      - blog.example.net
    onboard_defaults:
      monitoring: true
    onboard_summary_path: /tmp/summary.json
    '''


def test_yaml_domains_become_hosts_with_their_variables(tmp_path):
    """Each domain a host of domainsec_domains named by its (trimmed) name; its variables, but the empty ones (so the
    defaults apply), as host variables with the list of their names; the file's other top-level variables, the
    defaults among them, as group variables; connection local with the Python of the run."""
    run = load(tmp_path, 'path: domains.yml\n', {'domains.yml': YAML_FILE})
    assert run.hosts() == ['blog.example.net', 'shop.example.com']
    shop = run.vars('shop.example.com')
    assert shop['records'] == [{'type': 'A', 'name': '', 'value': '192.0.2.10'}]
    assert shop['monitor_hostnames'] == ['shop.example.com', 'www.shop.example.com']
    assert 'admin_email' not in shop and shop['waf_site'] == '{{ 6 * 7 }}'
    assert shop['domainsec_domain_keys'] == ['monitor_hostnames', 'records', 'waf_site']
    assert shop['ansible_connection'] == 'local' and shop['ansible_python_interpreter'] == '{{ ansible_playbook_python }}'
    blog = run.vars('blog.example.net')
    assert blog['domainsec_domain_keys'] == [] and 'records' not in blog
    assert run.group_vars() == {'onboard_defaults': {'monitoring': True}, 'onboard_summary_path': '/tmp/summary.json'}


def test_csv_rows_become_hosts_each_cell_a_yaml_value(tmp_path):
    """A header row, then a row per domain; a cell is a YAML value (true, a list, a mapping, a quoted text), an empty
    cell is not given, a row may be shorter than the header, blank lines and a byte order mark are ignored; the
    other_keys are host variables that are no onboarding variable, and keyed_groups use them. A row whose first
    cell begins with # is a comment."""
    csv_text = ('\ufeffname,customer,monitoring,monitor_hostnames,records,min_ttl,waf_site\n'
                '# a comment row, "then a domain"\n'
                'shop.example.com,acme,true,"[shop.example.com, www.shop.example.com]",'
                '"[{type: A, name: \'\', value: 192.0.2.10}]",3600,"\'NO\'"\n'
                '\n'
                'blog.example.net,globex,false\n')
    config = '''\
        path: domains.csv
        other_keys: [customer]
        keyed_groups:
          - key: customer
            prefix: customer
        '''
    run = load(tmp_path, config, {'domains.csv': csv_text})
    assert run.hosts() == ['blog.example.net', 'shop.example.com']
    shop = run.vars('shop.example.com')
    assert shop['monitoring'] is True and shop['min_ttl'] == 3600 and shop['waf_site'] == 'NO'
    assert shop['monitor_hostnames'] == ['shop.example.com', 'www.shop.example.com']
    assert shop['records'] == [{'type': 'A', 'name': '', 'value': '192.0.2.10'}]
    assert shop['customer'] == 'acme'
    assert shop['domainsec_domain_keys'] == ['min_ttl', 'monitor_hostnames', 'monitoring', 'records', 'waf_site']
    blog = run.vars('blog.example.net')
    assert blog['monitoring'] is False and blog['domainsec_domain_keys'] == ['monitoring'] and 'records' not in blog
    assert run.hosts('customer_acme') == ['shop.example.com'] and run.hosts('customer_globex') == ['blog.example.net']
    assert run.group_vars() == {}


def test_every_value_from_the_file_is_marked_unsafe(tmp_path, monkeypatch):
    """Host names and every value (host and group variables) pass through make_unsafe: never templated, on any core
    (2.19 and later trust no plugin data anyway). The interpreter is the one template the plugin means."""
    monkeypatch.setattr(domains, 'make_unsafe', mark_unsafe)
    run = load(tmp_path, 'path: domains.yml\n', {'domains.yml': YAML_FILE})
    shop = run.inventory.get_host('shop.example.com')
    assert isinstance(shop.name, Marked) and isinstance(shop.vars['waf_site'], Marked)
    assert isinstance(shop.vars['records'][0]['value'], Marked) and isinstance(shop.vars['domainsec_domain_keys'][0], Marked)
    assert isinstance(run.group_vars()['onboard_summary_path'], Marked)
    assert not isinstance(shop.vars['ansible_python_interpreter'], Marked)


@pytest.mark.parametrize('text, reasons', [
    # not the shape of the playbooks' extra vars
    ('- a.example\n', ['the file must be a mapping with onboard_domains, a list of domains']),
    ('onboard_defaults: {monitoring: true}\n', ['the file must be a mapping with onboard_domains']),
    ('onboard_domains: a.example\n', ['give onboard_domains, a list of domains: each a name, or a mapping with name']),
    ('onboard_domains: []\n', ['give onboard_domains, a list of domains']),
    # entries without a usable name, twice, or odd; every reason at once
    ('onboard_domains: [a.example, "", {monitoring: true}, [b.example], {name: 7}, {name: ""}, " A.example"]\n',
     ['onboard_domains[1] is empty', 'onboard_domains[2] has no name',
      'onboard_domains[3] is neither a domain name nor a mapping with name', 'onboard_domains[4]: the name is not a string',
      'onboard_domains[5] has no name', 'A.example: given twice (one entry per domain): onboard_domains[0] and onboard_domains[6]']),
    ('onboard_domains: [{name: a.example, "admin email": x}]\n"bad key": 1\n',
     ["'bad key' not a variable name", "a.example: 'admin email' not a variable name"]),
])
def test_a_bad_yaml_file_is_refused_whole_naming_every_reason(tmp_path, text, reasons):
    message = refusal(tmp_path, 'path: domains.yml\n', {'domains.yml': text})
    assert message.startswith('domainsec.onboard.domains: %s refused, no domain was read: ' % (tmp_path / 'domains.yml'))
    for reason in reasons:
        assert reason in message, (reason, message)


@pytest.mark.parametrize('text, reasons', [
    ('', ['the file is empty: give a header row (name and variables of the role) and a row per domain']),
    ('name,monitoring\n', ['no domain: give a row per domain after the header row']),
    ('domain,monitoring\na.example,true\n', ['the header row (row 1) has no column name']),
    ('name,,monitoring,monitoring,admin email\na.example\n',
     ['the header row (row 1) has a column without a name (column 2)', 'the header row (row 1) names monitoring more than once',
      "the header row (row 1): 'admin email' not a variable name"]),
    ('name,monitoring\na.example,true\nc.example,true,extra\n,true\nb.example,"[unclosed"\nA.EXAMPLE\n',
     ['row 3 has 3 cells, the header 2', 'row 4 has no name', "row 5, column monitoring: '[unclosed' is not a YAML value",
      'A.EXAMPLE: given twice (one entry per domain): row 2 and row 6']),
])
def test_a_bad_csv_file_is_refused_whole_naming_every_reason(tmp_path, text, reasons):
    message = refusal(tmp_path, 'path: domains.csv\n', {'domains.csv': text})
    assert 'domains.csv refused, no domain was read: ' in message
    for reason in reasons:
        assert reason in message, (reason, message)


def test_a_missing_file_and_a_missing_path_are_refused(tmp_path):
    assert 'cannot read %s' % (tmp_path / 'gone.csv') in refusal(tmp_path, 'path: gone.csv\n', {})
    assert 'cannot read' in refusal(tmp_path, 'path: gone.yml\n', {})
    with pytest.raises(Exception, match='path'):
        load(tmp_path, '', {})


def test_only_files_named_for_the_plugin(tmp_path):
    register(domains)
    plugin = domains.InventoryModule()
    for name, accepted in (('fleet.domains.yml', True), ('domains.yaml', True), ('domains.csv', False), ('hosts.yml', False)):
        path = tmp_path / name
        path.write_text(PLUGIN)
        assert plugin.verify_file(str(path)) is accepted, name
