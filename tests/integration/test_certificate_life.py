# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Two certificates' lives through the collection playbooks, against the emulators, with the certificates aged in
the CyberSSL emulator. One domain keeps its key and files on the controller (life.example), one on two web hosts
(webhosts.example: inventory hosts with their own file system roots, local connection - tests/integration/web_hosts.py;
the key made on web01, web02 given a copy). Both run side by side in each playbook run (check mode with --diff on a
new domain served by web hosts, which writes nothing at any vendor, on the controller or on a web host, is proved by
test_onboard_playbook.test_check_mode_new_domain_every_stage):

2. onboarded: the keys made with community.crypto (CyberSSL stores only the CSRs); each web host gets the
   certificate files with its own paths and modes, and reloads once;
3. renewed by the onboarding once inside renew_before_days: a new key, the old files kept as .previous until the new
   certificate is issued, on the controller and on both web hosts (each reloading once more);
4. a fresh controller (empty Ansible home, temporary and lock directories, as a new AWX job) changes nothing, writes
   nothing at any vendor and warns of no second purchase;
5. a web host that cannot be reached fails its domain naming it, the vendors' work reported as done;
6. domainsec.onboard.renew finds both renewals due and renews them (on both web hosts too), then finds nothing due."""

import datetime
import json
import os
import re

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from test_targets import assert_no_secrets, failure_excerpt, run_playbook
from web_hosts import HOSTS, inventory, web_files

pytestmark = pytest.mark.main_core_only  # the playbooks' own logic; the role runs on both cores elsewhere

DOMAIN = 'life.example'
WEB_DOMAIN = 'webhosts.example'
VENDORS = ('securityspace', 'cyberssl', 'virusdie', 'sigsci')
CONTACT = {'first_name': 'Jane', 'last_name': 'Doe', 'phone': '+1.5555550100', 'title': 'Ops',
           'email': 'hostmaster@life.example'}
NOTHING = dict((vendor, 0) for vendor in VENDORS)


def public_numbers(path, kind):
    data = path.read_bytes()
    if kind == 'key':
        return serialization.load_pem_private_key(data, password=None).public_key().public_numbers()
    return x509.load_pem_x509_certificate(data).public_key().public_numbers()


def pair_matches(tls, suffix=''):
    return public_numbers(tls / (DOMAIN + '.key' + suffix), 'key') == public_numbers(tls / (DOMAIN + '.crt' + suffix), 'crt')


def recap(output):
    """{host: changed} from the PLAY RECAP."""
    return dict((host, int(n)) for host, n in re.findall(r'^(\S+)\s+: ok=\d+\s+changed=(\d+)', output.split('PLAY RECAP')[-1], re.M))


def step(emulators, tmp_path, playbook, extra, label, *args, expect=0, env=None):
    """Run a playbook with the web hosts' inventory; its output, and the writes and requests per vendor it caused."""
    for vendor in VENDORS:
        emulators.reset(vendor, counters_only=True)
    result = run_playbook(playbook, ['-i', inventory(tmp_path), '-e', '@%s' % extra] + list(args), env=env)
    assert result.returncode == expect, '%s: %s' % (label, failure_excerpt(result.stdout))
    assert_no_secrets(result.stdout, emulators)
    assert 'PRIVATE KEY' not in result.stdout and 'secretaccesskey' not in result.stdout, label
    counts = dict((vendor, emulators.counters(vendor)) for vendor in VENDORS)
    return result.stdout, counts


def writes(counts):
    return dict((vendor, counts[vendor]['writes']) for vendor in VENDORS)


def test_two_certificates_on_the_controller_and_on_two_web_hosts_over_their_life(emulators, tmp_path):
    for vendor in emulators.harness.emulators:
        emulators.reset(vendor)
    tls = tmp_path / 'tls'
    cyberssl = emulators.harness.emulators['cyberssl']
    certificate = {'certificate': True, 'certificate_key_type': 'ECC', 'certificate_admin_contact': CONTACT,
                   'certificate_max_price': 10, 'certificate_wait_interval': 1}
    here = dict(certificate, name=DOMAIN, records=[{'type': 'A', 'name': '', 'value': '192.0.2.77'}], certificate_dir=str(tls))
    # (the Virusdie sync file and the agent keys on the web hosts: the molecule scenario and the check mode test)
    web = dict(certificate, name=WEB_DOMAIN, records=[{'type': 'A', 'name': '', 'value': '192.0.2.90'}],
               web_hosts='web', certificate_key_host='web01')
    summary_path = tmp_path / 'summary.json'
    onboarding = tmp_path / 'onboard.json'
    onboarding.write_text(json.dumps({'onboard_domains': [here, web], 'onboard_summary_path': str(summary_path)}))
    reloads = {name: tmp_path / name / 'reloads' for name in HOSTS}

    def orders():
        return dict((order['primary_domain'], order['order_id']) for order in cyberssl.dump_state()['orders'])

    # 2. Onboarded: one order each; the keys were made with community.crypto, only their CSRs went to CyberSSL.
    output, counts = step(emulators, tmp_path, 'domainsec.onboard.onboard', onboarding, 'onboarding')
    assert counts['cyberssl']['counts'].get('add_ssl_order') == 2
    assert pair_matches(tls) and (tls / (DOMAIN + '.key')).stat().st_mode & 0o777 == 0o600
    key_text = (tls / (DOMAIN + '.key')).read_text()
    onboarded = web_files(tmp_path)
    web_key = onboarded['web01/etc/ssl/domainsec/%s.key' % WEB_DOMAIN][2]
    state = json.dumps(cyberssl.dump_state())
    assert 'PRIVATE KEY' not in state
    assert not [line for text in (key_text, web_key) for line in text.splitlines()[1:-1] if line in state]
    # Each web host has its files with its own paths and modes (web02: certificate mode 0640).
    for name in HOSTS:
        base = '%s/etc/ssl/domainsec/%s' % (name, WEB_DOMAIN)
        mode = '0o640' if name == 'web02' else '0o644'
        assert onboarded[base + '.key'] == ('0o600', os.getuid(), web_key)
        assert onboarded[base + '.crt'][0] == onboarded[base + '.fullchain.pem'][0] == mode
        assert onboarded[base + '.fullchain.pem'][2] == onboarded[base + '.crt'][2] + onboarded[base + '.chain.pem'][2]
        assert reloads[name].read_text() == 'reload\n'
    assert 'web02/etc/ssl/domainsec/%s.csr' % WEB_DOMAIN not in onboarded  # the CSR is made where the key is
    # The web domain's key is on no file of the controller's (the temporary directory stands for it).
    assert not [os.path.join(base, name) for base, _dirs, names in os.walk(tmp_path) for name in names
                if not os.path.relpath(base, tmp_path).startswith(HOSTS)
                and web_key.splitlines()[1] in open(os.path.join(base, name), errors='replace').read()]
    result = json.loads(summary_path.read_text())['results'][WEB_DOMAIN]['web']
    assert result['certificate_changed'] == list(HOSTS) and result['unreachable'] == {} and result['key_host'] == 'web01'

    # 3. Ten days left: the onboarding renews each once, with a new key, and keeps the old pair as .previous - on the
    # controller and on both web hosts, which reload once more each.
    first = orders()
    for order in first.values():
        cyberssl.admin_action('POST', 'expire', {'order_id': order, 'days': 10})
    old_cert = (tls / (DOMAIN + '.crt')).read_text()
    output, counts = step(emulators, tmp_path, 'domainsec.onboard.onboard', onboarding, 'renewal by the onboarding')
    assert counts['cyberssl']['counts'].get('add_ssl_order') == 2 and counts['cyberssl']['writes'] == 2
    assert counts['securityspace']['counts'].get('dnsAddCNAME') == 2  # the renewals' validation records
    assert pair_matches(tls) and pair_matches(tls, '.previous')
    assert (tls / (DOMAIN + '.key.previous')).read_text() == key_text
    assert (tls / (DOMAIN + '.key')).read_text() != key_text
    assert not (tls / (DOMAIN + '.key.new')).exists() and not (tls / (DOMAIN + '.csr.new')).exists()
    expiry = x509.load_pem_x509_certificate((tls / (DOMAIN + '.crt')).read_bytes()).not_valid_after_utc
    assert expiry - datetime.datetime.now(datetime.timezone.utc) > datetime.timedelta(days=360)
    assert x509.load_pem_x509_certificate(old_cert.encode()).serial_number != \
        x509.load_pem_x509_certificate((tls / (DOMAIN + '.crt')).read_bytes()).serial_number
    renewed = web_files(tmp_path)
    for name in HOSTS:
        base = '%s/etc/ssl/domainsec/%s' % (name, WEB_DOMAIN)
        assert renewed[base + '.key.previous'][2] == web_key != renewed[base + '.key'][2]
        assert renewed[base + '.key'][2] == renewed['web01/etc/ssl/domainsec/%s.key' % WEB_DOMAIN][2]
        assert renewed[base + '.crt.previous'][2] == onboarded[base + '.crt'][2] != renewed[base + '.crt'][2]
        assert base + '.key.new' not in renewed
        assert reloads[name].read_text() == 'reload\n' * 2

    # 4. A fresh controller: no order, no change on the controller or any web host, no warning of a second purchase.
    fresh = tmp_path / 'fresh'
    output, counts = step(emulators, tmp_path, 'domainsec.onboard.onboard', onboarding, 'a fresh controller',
                          env={'ANSIBLE_HOME': str(fresh / 'home'), 'ANSIBLE_LOCAL_TEMP': str(fresh / 'tmp'),
                               'DOMAINSEC_LOCK_DIR': str(fresh / 'locks')})
    assert writes(counts) == NOTHING and '[WARNING]' not in output, output[-3000:]
    assert recap(output)[DOMAIN] == 0 and recap(output)[WEB_DOMAIN] == 0, output[-3000:]
    assert web_files(tmp_path) == renewed

    # 5. A web host that cannot be reached: the domain fails naming it, with what the vendors did reported.
    unreachable = tmp_path / 'unreachable.json'
    unreachable.write_text(json.dumps({'onboard_domains': [dict(web, web_hosts=['web01', 'web02', 'web03'])],
                                       'onboard_summary_path': str(summary_path)}))
    output, counts = step(emulators, tmp_path, 'domainsec.onboard.onboard', unreachable, 'a web host down', expect=2)
    summary = json.loads(summary_path.read_text())
    assert summary['failed'][WEB_DOMAIN].startswith('web hosts stage (fail): web host(s) web03 could not be reached')
    assert list(summary['results'][WEB_DOMAIN]['web']['unreachable']) == ['web03']
    assert summary['results'][WEB_DOMAIN]['certificate']['status'] == 'Activated'
    assert writes(counts) == NOTHING and web_files(tmp_path) == renewed

    # 6. The renewals age too: domainsec.onboard.renew finds them among the account's orders and renews each once,
    # the web domain on both web hosts; the next day nothing is due.
    second = orders()
    assert set(second.values()).isdisjoint(first.values())
    for order in second.values():
        cyberssl.admin_action('POST', 'expire', {'order_id': order, 'days': 5})
    renewing = tmp_path / 'renew.json'
    renewing.write_text(json.dumps({
        'renew_certificate_dir': str(tls), 'renew_summary_path': str(tmp_path / 'renewals.json'),
        'renew_defaults': {'certificate_admin_contact': CONTACT, 'certificate_key_type': 'ECC', 'certificate_wait_interval': 1},
        'renew_domains': {WEB_DOMAIN: {'web_hosts': 'web', 'certificate_key_host': 'web01'}}}))
    output, counts = step(emulators, tmp_path, 'domainsec.onboard.renew', renewing, 'renew playbook')
    assert counts['cyberssl']['counts'].get('add_ssl_order') == 2 and counts['cyberssl']['writes'] == 2
    summary = json.loads((tmp_path / 'renewals.json').read_text())
    assert sorted(summary['renewed']) == [DOMAIN, WEB_DOMAIN] and summary['failed'] == {}, summary
    assert summary['renewed'][DOMAIN]['renewed_order'] == second[DOMAIN]
    assert summary['renewed'][DOMAIN]['status'] == 'Activated'
    assert pair_matches(tls) and pair_matches(tls, '.previous')
    assert '2 renewed, 0 skipped, 0 failed' in output
    again = web_files(tmp_path)
    for name in HOSTS:
        base = '%s/etc/ssl/domainsec/%s' % (name, WEB_DOMAIN)
        assert again[base + '.key.previous'][2] == renewed[base + '.key'][2] != again[base + '.key'][2]
        assert reloads[name].read_text() == 'reload\n' * 3

    output, counts = step(emulators, tmp_path, 'domainsec.onboard.renew', renewing, 'renew playbook again')
    assert writes(counts) == NOTHING and '[WARNING]' not in output
    summary = json.loads((tmp_path / 'renewals.json').read_text())
    assert summary['renewed'] == {} and {DOMAIN, WEB_DOMAIN} <= set(summary['not_due']), summary
