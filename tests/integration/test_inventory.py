# -*- coding: utf-8 -*-
"""The inventory plugins hardenize_hosts and virusdie_sites, run by real ansible-inventory and ansible-playbook.

Each test starts from reset emulators and seeds them through the collection's
own clients (in process, over HTTPS with the test CA): Hardenize groups and
hosts, Virusdie sites with scans that found threats. The inventory files hold
no secret: the credentials come from the environment the ``emulators``
fixture exports, or from a lookup in the file. Request counts come from the
emulators' counters; every output is grepped for every secret the emulators
know.
"""

import json
import os
import re
import subprocess

import pytest

from test_targets import ROOT, ansible_bin, assert_no_secrets, run_playbook
from ansible_collections.domainsec.onboard.plugins.module_utils import hardenize as hz
from ansible_collections.domainsec.onboard.plugins.module_utils import virusdie as vd

COLLECTIONS = os.path.join(ROOT, 'build', 'collections')
# Templates are trusted in inventory files: a group name that is one must reach the play as text.
TEMPLATE_NAME = '{{ 6 * 7 }}'


def transport(env):
    return dict(validate_certs=True, ca_path=env['DOMAINSEC_CA_PATH'], timeout=30, retries=3, rate_limit_wait=60)


@pytest.fixture
def seeded(emulators):
    """Hardenize: groups Production, Shop Sites and one named like a template; five hosts. Virusdie: four sites,
    shop and bücher with threats in their latest scan, www scanned and clean, blog never scanned."""
    for vendor in ('hardenize', 'virusdie'):
        emulators.reset(vendor)
    env = emulators.env
    hardenize = hz.HardenizeClient.from_params(dict(
        transport(env), api_url=env['HARDENIZE_API_URL'], org=env['HARDENIZE_ORG'], api_user=env['HARDENIZE_API_USER'],
        api_password=env['HARDENIZE_API_PASSWORD']))
    for name in ('Production', 'Shop Sites', TEMPLATE_NAME):
        hardenize.create_group(name, False)
    hardenize.create_hosts(['www.example.com', 'shop.example.com'], {'status': 'monitored', 'groups': ['production']},
                           landed=None)
    hardenize.create_hosts(['shop.example.com', 'pay.shop.example.com'],
                           {'status': 'monitored', 'groups': ['shop_sites']}, landed=None)
    hardenize.create_hosts(['bücher.example.com'], {'status': 'idle', 'groups': ['production', '6_7']}, landed=None)
    hardenize.create_hosts(['old.example.com'], {'status': 'archived'}, landed=None)
    hardenize.close()
    emulators.configure('virusdie', scan_duration=0,
                        syncfile_uploaded=['www.example.com', 'shop.example.com', 'bücher.example.com'],
                        scan_threats={'shop.example.com': 3, 'bücher.example.com': {'threats': 1, 'doubt': 2}})
    virusdie = vd.VirusdieClient.from_params(dict(transport(env), api_url=env['VIRUSDIE_API_URL'],
                                                  api_key=env['VIRUSDIE_API_KEY'], mac_key=env['VIRUSDIE_MAC_KEY']))
    assert virusdie.add_sites(['www.example.com', 'shop.example.com', 'blog.example.org',
                               {'name': 'bücher.example.com', 'share': 'owner@example.com'}]) == {}
    virusdie.set_option('shop.example.com', 'firewall', True)
    for site in ('www.example.com', 'shop.example.com', 'bücher.example.com'):
        virusdie.scan_site(site)
    virusdie.close()
    for vendor in ('hardenize', 'virusdie'):
        emulators.reset(vendor, counters_only=True)
    return emulators


def ansible_env(extra=None):
    environ = dict(os.environ)
    environ.update({
        'ANSIBLE_COLLECTIONS_PATH': COLLECTIONS,
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_FORCE_COLOR': '0',
        'ANSIBLE_INVENTORY_UNPARSED_FAILED': '1',  # a source the plugin cannot read fails the command
        'ANSIBLE_PYTHON_INTERPRETER': os.path.join(os.path.dirname(ansible_bin('ansible-playbook')), 'python'),
    })
    environ.update(extra or {})
    return environ


def run_inventory(sources, *args, **kwargs):
    command = [ansible_bin('ansible-inventory')]
    for source in sources:
        command += ['-i', str(source)]
    return subprocess.run(command + list(args), env=ansible_env(kwargs.get('env')), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=300, check=False)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def graph_groups(text):
    """``{group: sorted hosts}`` of ``ansible-inventory --graph`` output (groups directly holding hosts)."""
    tree, group = {}, None
    for line in text.splitlines():
        match = re.match(r'^[ |]*(?:--)?(@?)([^\s@:]+)(:?)$', line)
        if not match:
            continue
        if match.group(1):
            group = match.group(2)
            tree.setdefault(group, [])
        elif group is not None:
            tree[group].append(match.group(2))
    return dict((name, sorted(hosts)) for name, hosts in tree.items())


def plain(value):
    """``--list`` output without the ``{"__ansible_unsafe": text}`` wrappers ansible-core 2.19+ writes for strings
    not to be templated (every string the plugins got from a vendor)."""
    if isinstance(value, dict):
        if set(value) == {'__ansible_unsafe'}:
            return value['__ansible_unsafe']
        return dict((k, plain(v)) for k, v in value.items())
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def strings(value):
    """Every string of a JSON value, with whether it was marked unsafe."""
    if isinstance(value, dict):
        if set(value) == {'__ansible_unsafe'}:
            return [(value['__ansible_unsafe'], True)]
        return [item for v in value.values() for item in strings(v)]
    if isinstance(value, list):
        return [item for v in value for item in strings(v)]
    return [(value, False)] if isinstance(value, str) else []


def counts(emulators, vendor):
    report = emulators.counters(vendor)
    return report['total'], report['counts']


def inventory_files(tmp_path, cache=True):
    """A Hardenize file with the password from a lookup, a Virusdie file with everything from the environment."""
    cache_lines = ('cache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_connection: %s\n'
                   % (tmp_path / 'cache')) if cache else ''
    hardenize = write(tmp_path, 'monitoring.hardenize_hosts.yml', (
        'plugin: domainsec.onboard.hardenize_hosts\n'
        'api_password: "{{ lookup(\'ansible.builtin.env\', \'INVENTORY_TEST_HZ_PASSWORD\') }}"\n'
        'keyed_groups:\n'
        '  - key: hardenize_status\n'
        '    prefix: status\n') + cache_lines)
    virusdie = write(tmp_path, 'scanning.virusdie_sites.yml', (
        'plugin: domainsec.onboard.virusdie_sites\n'
        'firewall_history: true\n'
        'groups:\n'
        '  firewall_on: virusdie_firewall\n') + cache_lines)
    return hardenize, virusdie


def lookup_env(emulators):
    """The Hardenize password only under the name the lookup reads; the usual variable holds a wrong one."""
    return {'INVENTORY_TEST_HZ_PASSWORD': emulators.env['HARDENIZE_API_PASSWORD'],
            'HARDENIZE_API_PASSWORD': 'wrong-password-1234'}


def test_graph_list_and_the_cache(seeded, tmp_path):
    emulators = seeded
    hardenize, virusdie = inventory_files(tmp_path)
    env = lookup_env(emulators)
    outputs = []

    graph = run_inventory([hardenize, virusdie], '--graph', '-vvv', env=env)
    outputs.append(graph.stdout + graph.stderr)
    assert graph.returncode == 0, graph.stderr[-3000:]
    assert counts(emulators, 'hardenize') == (2, {'GET /groups': 1, 'GET /hosts': 1})
    assert counts(emulators, 'virusdie') == (1, {'sites_list': 1})
    tree = graph_groups(graph.stdout)
    assert tree['hardenize_production'] == ['shop.example.com', 'www.example.com', 'xn--bcher-kva.example.com']
    assert tree['hardenize_shop_sites'] == ['pay.shop.example.com', 'shop.example.com']
    assert tree['hardenize_6_7'] == tree['status_idle'] == ['xn--bcher-kva.example.com']
    assert tree['status_archived'] == ['old.example.com']
    assert tree['virusdie_threats'] == ['shop.example.com', 'xn--bcher-kva.example.com']
    assert tree['virusdie_unscanned'] == ['blog.example.org'] and tree['firewall_on'] == ['shop.example.com']
    assert 'GET https://' in graph.stderr + graph.stdout  # the trace at -vvv, redacted

    listed = run_inventory([hardenize, virusdie], '--list', env=env)
    outputs.append(listed.stdout + listed.stderr)
    assert listed.returncode == 0, listed.stderr[-3000:]
    assert counts(emulators, 'hardenize')[0] == 2 and counts(emulators, 'virusdie')[0] == 1  # from the cache
    data = json.loads(listed.stdout)
    marked = strings(data['_meta']['hostvars'])
    assert len(marked) > 50 and all(unsafe for _text, unsafe in marked)  # every vendor string is marked unsafe
    data = plain(data)
    hostvars = data['_meta']['hostvars']
    assert sorted(data['hardenize_production']['hosts']) == ['shop.example.com', 'www.example.com',
                                                             'xn--bcher-kva.example.com']
    assert sorted(data['virusdie_threats']['hosts']) == ['shop.example.com', 'xn--bcher-kva.example.com']
    assert data['virusdie_unscanned']['hosts'] == ['blog.example.org']
    assert data['firewall_on']['hosts'] == ['shop.example.com']
    shop = hostvars['shop.example.com']
    assert shop['hardenize_groups'] == ['Production', 'Shop Sites'] and shop['hardenize_status'] == 'monitored'
    assert shop['virusdie_threats'] == 3 and shop['virusdie_scanned'] is True and shop['virusdie_firewall'] is True
    assert len(shop['virusdie_firewall_history']) == 30 and shop['virusdie_firewall_blocked'] > 0
    bucher = hostvars['xn--bcher-kva.example.com']
    assert bucher['hardenize_hostname'] == 'bücher.example.com' and bucher['virusdie_domain'] == 'bücher.example.com'
    assert bucher['hardenize_groups'] == ['Production', TEMPLATE_NAME]
    # Virusdie's sites name no owner: without the unit option the unit is not known (the unit source below knows it).
    assert (bucher['virusdie_threats'], bucher['virusdie_doubt'], bucher['virusdie_shared_with']) == (1, 2, None)
    assert hostvars['blog.example.org']['virusdie_threats'] is None
    assert 'virusdie_threats' not in hostvars['old.example.com']  # only in Hardenize

    flushed = run_inventory([hardenize, virusdie], '--list', '--flush-cache', env=env)
    outputs.append(flushed.stdout + flushed.stderr)
    assert flushed.returncode == 0, flushed.stderr[-3000:]
    assert plain(json.loads(flushed.stdout))['_meta']['hostvars'] == hostvars
    assert counts(emulators, 'hardenize')[0] == 4 and counts(emulators, 'virusdie')[0] == 2

    cached = sorted(os.listdir(str(tmp_path / 'cache')))
    assert len(cached) == 2
    for name in cached:
        outputs.append(name + (tmp_path / 'cache' / name).read_text())
    assert assert_no_secrets('\n'.join(outputs), emulators) > 0


def test_filters(seeded, tmp_path):
    emulators = seeded
    monitored = write(tmp_path, 'shops.hardenize_hosts.yml', (
        'plugin: domainsec.onboard.hardenize_hosts\n'
        'group: [shop sites]\n'
        'status: [monitored, idle]\n'
        'group_prefix: hz_\n'))
    listed = run_inventory([monitored], '--list')
    assert listed.returncode == 0, listed.stderr[-3000:]
    data = plain(json.loads(listed.stdout))
    assert sorted(data['_meta']['hostvars']) == ['pay.shop.example.com', 'shop.example.com']
    assert sorted(data['hz_shop_sites']['hosts']) == ['pay.shop.example.com', 'shop.example.com']
    assert data['hz_production']['hosts'] == ['shop.example.com']
    assert counts(emulators, 'hardenize') == (2, {'GET /groups': 1, 'GET /hosts': 1})

    unit = write(tmp_path, 'owner.virusdie_sites.yml', (
        'plugin: domainsec.onboard.virusdie_sites\n'
        'unit: owner@example.com\n'
        'threats_group: infected\n'))
    listed = run_inventory([unit], '--list')
    assert listed.returncode == 0, listed.stderr[-3000:]
    data = plain(json.loads(listed.stdout))
    assert sorted(data['_meta']['hostvars']) == ['xn--bcher-kva.example.com']
    assert data['infected']['hosts'] == ['xn--bcher-kva.example.com'] and 'virusdie_threats' not in data
    assert data['_meta']['hostvars']['xn--bcher-kva.example.com']['virusdie_shared_with'] == 'owner@example.com'
    assert counts(emulators, 'virusdie') == (1, {'sites_list': 1})
    assert_no_secrets(listed.stdout + listed.stderr, emulators)


def test_a_vendor_error_fails_the_source_without_a_secret(seeded, tmp_path):
    emulators = seeded
    hardenize, virusdie = inventory_files(tmp_path, cache=False)
    # No INVENTORY_TEST_HZ_PASSWORD: the lookup gives '', so HARDENIZE_API_PASSWORD is used, a wrong one.
    result = run_inventory([hardenize], '--list', '-vvv', env={'HARDENIZE_API_PASSWORD': 'wrong-password-1234'})
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert 'domainsec.onboard.hardenize_hosts: Hardenize refused GET /groups (HTTP 401)' in output
    assert 'wrong-password-1234' not in output
    result = run_inventory([virusdie], '--list', env={'VIRUSDIE_API_KEY': '', 'VIRUSDIE_MAC_KEY': ''})
    output += result.stdout + result.stderr
    assert result.returncode != 0
    assert 'option api_key is required: set it in the inventory file or in the environment variable VIRUSDIE_API_KEY' \
        in ' '.join(output.split())
    assert counts(emulators, 'virusdie')[0] == 0
    assert_no_secrets(output, emulators)


def test_a_play_on_the_sites_with_threats_that_hardenize_monitors(seeded, tmp_path):
    emulators = seeded
    hardenize, virusdie = inventory_files(tmp_path)
    playbook = write(tmp_path, 'play.yml', '''
- name: Sites with threats that Hardenize monitors in production
  hosts: virusdie_threats:&hardenize_production
  gather_facts: false
  connection: local
  tasks:
    - name: Check the facts of both plugins
      ansible.builtin.assert:
        that:
          - virusdie_threats > 0
          - "'Production' in hardenize_groups"
          - inventory_hostname in groups['virusdie_threats']
        quiet: true

    - name: Show them
      ansible.builtin.debug:
        msg: "THREATS {{ inventory_hostname }}={{ virusdie_threats }} groups={{ hardenize_groups | join(',') }}"
''')
    result = run_playbook(str(playbook), extra_args=['-i', str(hardenize), '-i', str(virusdie)],
                          env=dict(lookup_env(emulators), ANSIBLE_INVENTORY_UNPARSED_FAILED='1'))
    assert result.returncode == 0, result.stdout[-5000:]
    shown = sorted(line.split('"THREATS ', 1)[1].rstrip('"') for line in result.stdout.splitlines()
                   if '"THREATS ' in line)
    assert shown == ['shop.example.com=3 groups=Production,Shop Sites',
                     'xn--bcher-kva.example.com=1 groups=Production,%s' % TEMPLATE_NAME]
    assert 'ok=2' in result.stdout and 'failed=0' in result.stdout
    assert counts(emulators, 'hardenize') == (2, {'GET /groups': 1, 'GET /hosts': 1})
    assert counts(emulators, 'virusdie') == (1, {'sites_list': 1})
    assert_no_secrets(result.stdout, emulators)
