# -*- coding: utf-8 -*-
"""The EDA playbooks run by real ansible-playbook against the emulators, without ansible-rulebook or Java.

ansible-rulebook's run_playbook hands the matching event to the playbook as the extra variable
``ansible_eda: {ruleset, rule, event}``. These tests pass a made-up event the same way, built by the event source's
own ``make_event`` from a Hardenize payload (the emulator's Certificate and CT entry shapes), and call the playbooks
by the FQCN the rulebooks use. Three ansible-playbook runs in all (about 10 CPU-seconds): an unexpected
certificate is reported, the precertificate of the account's own CyberSSL order is not, a discovered host is added.
The opt-in end-to-end test in test_eda_hardenize_webhook.py runs the same playbooks under ansible-rulebook.
"""

import json
import secrets

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.domainsec.onboard.extensions.eda.plugins.event_source.hardenize_webhook import make_event
from emulators.hardenize import mock_event_data
from test_targets import assert_no_secrets, failure_excerpt, run_playbook

# Playbook logic over modules that the targets run on both cores; one core is enough for these.
pytestmark = pytest.mark.main_core_only

ADMIN = {'admin_firstname': 'Ada', 'admin_lastname': 'Lovelace', 'admin_phone': '+44.2000000', 'admin_title': 'CTO',
         'admin_email': 'ada@example.org'}
# Custom stats (set_stats) printed at the end of the run, as AWX keeps them as artifacts
ENV = {'ANSIBLE_SHOW_CUSTOM_STATS': '1'}


def eda_vars(tmp_path, rule, event_type, data, **extra):
    """An extra-vars file as ansible-rulebook's run_playbook writes it for a Hardenize event of ``event_type``."""
    payload = {'id': secrets.randbelow(10 ** 6) + 20000, 'createdOn': '2026-12-01T00:00:00.000Z',
               'type': event_type, 'apiVersion': '1.86.2', 'data': data}
    event = make_event(payload, 'demo', secrets.token_hex(16), 0.02)
    path = tmp_path / 'eda_vars.json'
    path.write_text(json.dumps(dict(extra, ansible_eda={'ruleset': 'Hardenize', 'rule': rule, 'event': event})))
    return '@%s' % path, event


def certificate(serial, hosts, **fields):
    """A Hardenize Certificate object (pki.cert.new event data) with this serial number and these hosts."""
    return dict(mock_event_data('pki.cert.new'), serial=serial, hosts=hosts, sanCount=len(hosts), **fields)


class CyberSSL(object):
    """Places CyberSSL orders through the emulator's API and activates them (admin API): the account's certificates."""

    def __init__(self, emulators):
        self.emulators = emulators
        self.url = emulators.env['CYBERSSL_API_URL']
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = emulators.env['DOMAINSEC_CA_PATH']
        answer = self.session.get(self.url + '/auth', params={'apikey': emulators.env['CYBERSSL_API_KEY']}, timeout=15)
        self.token = answer.json()['token']

    def activated_order(self, domain):
        key = ec.generate_private_key(ec.SECP256R1())
        csr = x509.CertificateSigningRequestBuilder().subject_name(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])).sign(key, hashes.SHA256())
        answer = self.session.post(self.url + '/add_ssl_order', timeout=15, data=dict(
            ADMIN, token=self.token, product_id=17, order_type='new', period=1, dv_method='dns',
            csr=csr.public_bytes(serialization.Encoding.PEM).decode('ascii'))).json()
        assert answer['success'] is True, answer
        self.emulators.admin('cyberssl', 'set_status', {'order_id': answer['order_id'], 'status': 'Activated'})
        return answer['order_id']

    def serial(self, order_id):
        """The serial number of the order's certificate as Hardenize writes serials: plain lower-case hex."""
        return next(o['serial'] for o in self.emulators.state('cyberssl')['orders'] if o['order_id'] == order_id)


@pytest.fixture
def orders(emulators):
    """Three activated CyberSSL orders: www.example.org, bücher.example.org (in punycode, as CyberSSL keeps it) and
    other.example.net."""
    emulators.reset('cyberssl')
    cyberssl = CyberSSL(emulators)
    placed = dict((domain, cyberssl.activated_order(domain))
                  for domain in ('www.example.org', 'xn--bcher-kva.example.org', 'other.example.net'))
    emulators.reset('cyberssl', counters_only=True)
    yield cyberssl, placed
    cyberssl.session.close()


def test_unexpected_certificate_is_reported(emulators, orders, tmp_path):
    """A certificate for two of the account's names (one internationalised) and an IP address, whose serial is none of
    the orders' certificates: the play fails naming it, after reading only the orders of its names."""
    cyberssl, placed = orders
    serial = '%x' % (secrets.randbits(127) | 1 << 127)  # 32 hex digits, the first not 0 (the report strips zeros)
    hosts = ['www.example.org', 'bücher.example.org', '192.0.2.10']
    extra, event = eda_vars(tmp_path, 'New certificate', 'pki.cert.new', certificate(serial, hosts))
    result = run_playbook('domainsec.onboard.eda_certificate_issued', ['-e', extra], env=ENV)
    (tmp_path / 'output.txt').write_text(result.stdout)
    assert result.returncode == 2, result.stdout[-6000:]  # 2: a failed task
    message = ('Unexpected certificate issuance: Hardenize event %d reports a certificate %s for %s'
               % (event['hardenize']['id'], serial, ', '.join(hosts)))
    assert message in result.stdout, failure_excerpt(result.stdout)
    assert 'activated orders of its names: %d, %d)' % (placed['www.example.org'], placed['xn--bcher-kva.example.org']) \
        in result.stdout, failure_excerpt(result.stdout)
    assert '"outcome": "unexpected"' in result.stdout  # set_stats, for AWX
    counts = emulators.counters('cyberssl')
    # the account's orders once, again for the internationalised name; each order of the names once, nothing else
    assert counts['counts'].get('my_orders') == 2 and counts['counts'].get('order_status') == 2, counts
    assert counts['writes'] == 0
    assert_no_secrets(result.stdout, emulators)


def test_precertificate_of_an_order_is_not_reported(emulators, orders, tmp_path):
    """The precertificate of the account's own order (same serial number as its certificate): reported as that
    order, and the play succeeds."""
    cyberssl, placed = orders
    order_id = placed['www.example.org']
    serial = cyberssl.serial(order_id)
    extra, event = eda_vars(tmp_path, 'New certificate', 'pki.cert.new',
                            certificate(serial, ['www.example.org'], precert=True, duplicate=False))
    result = run_playbook('domainsec.onboard.eda_certificate_issued', ['-e', extra], env=ENV)
    (tmp_path / 'output.txt').write_text(result.stdout)
    assert result.returncode == 0, failure_excerpt(result.stdout)
    assert ('Hardenize event %d: precertificate %s for www.example.org' % (event['hardenize']['id'], serial)
            in result.stdout), result.stdout[-6000:]
    assert 'is CyberSSL order %d.' % order_id in result.stdout, result.stdout[-6000:]
    assert '"outcome": "ours"' in result.stdout and 'Unexpected' not in result.stdout
    assert emulators.counters('cyberssl')['writes'] == 0


def test_discovered_host_is_added(emulators, tmp_path):
    """A CT entry's matched hosts: the one under hardenize_discovered_suffixes is added to monitoring in the group;
    the wildcard and the name outside the suffixes are not."""
    emulators.reset('hardenize')
    data = dict(mock_event_data('ct.entry'), hosts=['new-host.example.com', '*.example.com', 'shop.example.net'],
                matchedHosts=['New-Host.example.com.', '*.example.com', 'shop.example.net'])
    extra, event = eda_vars(tmp_path, 'New host discovered in a CT log entry', 'ct.entry', data,
                            hardenize_discovered_groups=['discovered'], hardenize_discovered_suffixes=['example.com'])
    result = run_playbook('domainsec.onboard.eda_host_discovered', ['-e', extra])
    (tmp_path / 'output.txt').write_text(result.stdout)
    assert result.returncode == 0, failure_excerpt(result.stdout)
    hosts = emulators.state('hardenize')['hosts']
    assert [(h['hostname'], h['status'], h['groups']) for h in hosts] == [('new-host.example.com', 'monitored',
                                                                          ['discovered'])], hosts
    assert 'Hardenize event %d (ct.entry): new-host.example.com (changed)' % event['hardenize']['id'] in result.stdout
    assert_no_secrets(result.stdout, emulators)
