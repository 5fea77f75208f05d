# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A certificate's life through the collection playbooks, against the emulators, with the certificate aged in the
CyberSSL emulator: onboarded (the key made here with community.crypto; CyberSSL stores only the CSR), renewed by the
onboarding once inside renew_before_days (a new key, the old files kept as .previous until the new certificate is
issued), left alone by the next run (no order, no warning), and renewed again by domainsec.onboard.renew, which
finds the due order by itself, then finds nothing due."""

import datetime
import json
import re

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from test_targets import assert_no_secrets, failure_excerpt, run_playbook

pytestmark = pytest.mark.main_core_only  # the playbooks' own logic; the role runs on both cores elsewhere

DOMAIN = 'life.example'
CONTACT = {'first_name': 'Jane', 'last_name': 'Doe', 'phone': '+1.5555550100', 'title': 'Ops',
           'email': 'hostmaster@life.example'}


def public_numbers(path, kind):
    data = path.read_bytes()
    if kind == 'key':
        return serialization.load_pem_private_key(data, password=None).public_key().public_numbers()
    return x509.load_pem_x509_certificate(data).public_key().public_numbers()


def pair_matches(tls, suffix=''):
    return public_numbers(tls / (DOMAIN + '.key' + suffix), 'key') == public_numbers(tls / (DOMAIN + '.crt' + suffix), 'crt')


def step(emulators, playbook, extra, label):
    """Run a playbook; its output, and the writes and requests per vendor it caused."""
    for vendor in ('securityspace', 'cyberssl'):
        emulators.reset(vendor, counters_only=True)
    result = run_playbook(playbook, ['-e', extra])
    assert result.returncode == 0, '%s: %s' % (label, failure_excerpt(result.stdout))
    assert_no_secrets(result.stdout, emulators)
    counts = dict((vendor, emulators.counters(vendor)) for vendor in ('securityspace', 'cyberssl'))
    return result.stdout, counts


def changed(output):
    return sum(int(n) for n in re.findall(r' changed=(\d+)', output.split('PLAY RECAP')[-1]))


def test_onboard_renew_by_the_onboarding_then_by_the_renew_playbook(emulators, tmp_path):
    for vendor in emulators.harness.emulators:
        emulators.reset(vendor)
    tls = tmp_path / 'tls'
    cyberssl = emulators.harness.emulators['cyberssl']
    onboarding = tmp_path / 'onboard.json'
    onboarding.write_text(json.dumps({'onboard_domains': [{
        'name': DOMAIN, 'records': [{'type': 'A', 'name': '', 'value': '192.0.2.77'}],
        'certificate': True, 'certificate_dir': str(tls), 'certificate_key_type': 'ECC',
        'certificate_admin_contact': CONTACT, 'certificate_max_price': 10, 'certificate_wait_interval': 1}]}))
    renewing = tmp_path / 'renew.json'
    renewing.write_text(json.dumps({'renew_certificate_dir': str(tls), 'renew_summary_path': str(tmp_path / 'renewals.json'),
                                    'renew_defaults': {'certificate_admin_contact': CONTACT, 'certificate_key_type': 'ECC',
                                                       'certificate_wait_interval': 1}}))

    # 1. Onboarded: one order; the key was made here, only its CSR went to CyberSSL.
    output, counts = step(emulators, 'domainsec.onboard.onboard', '@%s' % onboarding, 'onboarding')
    assert counts['cyberssl']['counts'].get('add_ssl_order') == 1
    assert pair_matches(tls)
    key_text = (tls / (DOMAIN + '.key')).read_text()
    assert (tls / (DOMAIN + '.key')).stat().st_mode & 0o777 == 0o600
    state = json.dumps(cyberssl.dump_state())
    assert 'PRIVATE KEY' not in state and not [line for line in key_text.splitlines()[1:-1] if line in state]
    first = cyberssl.dump_state()['orders'][-1]['order_id']

    # 2. Ten days left: the onboarding renews once, with a new key, and keeps the old pair as .previous.
    cyberssl.admin_action('POST', 'expire', {'order_id': first, 'days': 10})
    old_cert = (tls / (DOMAIN + '.crt')).read_text()
    output, counts = step(emulators, 'domainsec.onboard.onboard', '@%s' % onboarding, 'renewal by the onboarding')
    assert counts['cyberssl']['counts'].get('add_ssl_order') == 1 and counts['cyberssl']['writes'] == 1
    assert counts['securityspace']['counts'].get('dnsAddCNAME') == 1  # the renewal's validation record
    assert pair_matches(tls) and pair_matches(tls, '.previous')
    assert (tls / (DOMAIN + '.key.previous')).read_text() == key_text
    assert (tls / (DOMAIN + '.key')).read_text() != key_text
    assert not (tls / (DOMAIN + '.key.new')).exists() and not (tls / (DOMAIN + '.csr.new')).exists()
    expiry = x509.load_pem_x509_certificate((tls / (DOMAIN + '.crt')).read_bytes()).not_valid_after_utc
    assert expiry - datetime.datetime.now(datetime.timezone.utc) > datetime.timedelta(days=360)
    assert x509.load_pem_x509_certificate(old_cert.encode()).serial_number != \
        x509.load_pem_x509_certificate((tls / (DOMAIN + '.crt')).read_bytes()).serial_number

    # 3. The next onboarding orders nothing, changes nothing and warns of no second purchase.
    output, counts = step(emulators, 'domainsec.onboard.onboard', '@%s' % onboarding, 'after the renewal')
    assert counts['cyberssl']['writes'] == 0 and counts['securityspace']['writes'] == 0
    assert changed(output) == 0 and '[WARNING]' not in output, output[-3000:]

    # 4. The renewal ages too: domainsec.onboard.renew finds it among the account's orders and renews it once.
    second = cyberssl.dump_state()['orders'][-1]['order_id']
    assert second != first
    cyberssl.admin_action('POST', 'expire', {'order_id': second, 'days': 5})
    output, counts = step(emulators, 'domainsec.onboard.renew', '@%s' % renewing, 'renew playbook')
    assert counts['cyberssl']['counts'].get('add_ssl_order') == 1 and counts['cyberssl']['writes'] == 1
    summary = json.loads((tmp_path / 'renewals.json').read_text())
    assert list(summary['renewed']) == [DOMAIN] and summary['failed'] == {}, summary
    assert summary['renewed'][DOMAIN]['renewed_order'] == second
    assert summary['renewed'][DOMAIN]['status'] == 'Activated'
    assert pair_matches(tls) and pair_matches(tls, '.previous')
    assert '1 renewed, 0 skipped, 0 failed' in output

    # 5. The next day: nothing due, nothing written.
    output, counts = step(emulators, 'domainsec.onboard.renew', '@%s' % renewing, 'renew playbook again')
    assert counts['cyberssl']['writes'] == 0 and counts['securityspace']['writes'] == 0
    summary = json.loads((tmp_path / 'renewals.json').read_text())
    assert summary['renewed'] == {} and DOMAIN in summary['not_due'], summary
    assert '[WARNING]' not in output
