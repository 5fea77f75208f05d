# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fault matrix: every fault kind of the harness x first, middle and last write x every write endpoint.

Each case runs the real module (in process, through the real HTTPS transport)
against the emulators with one fault injected on one write, then runs the same
task again without faults. Nothing of what is checked comes from the module's
own account of itself; all of it comes from the vendor's side:

* the writes the emulator received over both runs, per write endpoint: exactly
  those of a clean run, plus one send of the faulted write when the fault kind
  kept the server from carrying it out (``NOT_CARRIED_OUT``). A write re-sent
  after it had landed, or a duplicate removed again in the same run (a
  same-run cleanup), shows up as a count that does not match;
* the faulted run succeeded for the kinds where the write landed and only the
  answer was lost or late (except a purchase that did not show within its
  settle time: that fails, saying what may have been bought);
* its ``changed`` is whether the vendor's state changed (the managed objects
  before and after the faulted run), and a failure says "Done before this
  failure" exactly when something had landed;
* after the clean re-run, what the task wants exists exactly once (0
  duplicates, 0 lost), and a faulted run that succeeded leaves the re-run
  nothing to do.

The purchases (``add_ssl_order``: three orders in one run, so the fault hits
the first, the middle and the last) are slowed past the first re-read (a
``slow`` delay of 3.5 s after a 1 s timeout) and must end with exactly one
order per domain and one charge each. Every case's outcome goes to
``build/fault-matrix/<endpoint>.md`` (one row per case).
"""

import contextlib
import io
import json
import os

import pytest

from ansible.module_utils.testing import patch_module_args

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from emulators.base import GENERIC_FAULTS, PROCESSED_FAULTS
from ansible_collections.domainsec.onboard.plugins.modules import cyberssl_order
from ansible_collections.domainsec.onboard.plugins.modules import hardenize_event_hook
from ansible_collections.domainsec.onboard.plugins.modules import hardenize_event_type
from ansible_collections.domainsec.onboard.plugins.modules import hardenize_group
from ansible_collections.domainsec.onboard.plugins.modules import hardenize_host
from ansible_collections.domainsec.onboard.plugins.modules import sigsci_site
from ansible_collections.domainsec.onboard.plugins.modules import sigsci_site_member
from ansible_collections.domainsec.onboard.plugins.modules import ssdns_domain
from ansible_collections.domainsec.onboard.plugins.modules import ssdns_record
from ansible_collections.domainsec.onboard.plugins.modules import virusdie_agency
from ansible_collections.domainsec.onboard.plugins.modules import virusdie_site
from ansible_collections.domainsec.onboard.plugins.modules import virusdie_unit

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPORT_DIR = os.path.join(ROOT, 'build', 'fault-matrix')
ZONE = 'matrix.example'
FAST = dict(timeout=1, retries=2, rate_limit_wait=20)  # the timeout and slow faults hold 1.5 s: longer than timeout
DELAY = 1.5
# The kinds after which the server has carried out the write (late, or with its answer lost or spoilt): the write
# must not be sent again. Every other kind keeps the server from carrying it out: it is sent once more (by the run,
# or by the re-run when the run could not prove that it had not landed).
CARRIED_OUT = frozenset(['slow']) | frozenset(PROCESSED_FAULTS)
# Kinds a purchase cannot tell from a slow vendor (no answer, or a gateway's): the run looks for it until its settle
# time ends and then fails without sending it again; the re-run buys it.
UNANSWERED = frozenset(['timeout', 'drop', 'http_502', 'http_504'])
HOOK_URL = 'HARDENIZE_TEST_RECEIVER_URL'


def run(module, args):
    """Run a module's main() in process; its JSON result. ``args`` may be a list: one run per item, in turn (a
    playbook's tasks); the result is failed or changed when one of them was, with the first failure's message."""
    if isinstance(args, list):
        return combined([run(module, item) for item in args])
    out = io.StringIO()
    with patch_module_args(dict(args, **FAST)), contextlib.redirect_stdout(out):
        try:
            module.main()
        except SystemExit:
            pass
    return json.loads(out.getvalue())


def combined(results):
    failed = [r for r in results if r.get('failed')]
    result = dict(changed=any(r.get('changed') for r in results), results=results)
    if failed:
        result.update(failed=True, msg=failed[0].get('msg'))
    return result


# -- the vendors' state ------------------------------------------------------------------
def ss_app(emulators):
    return emulators.harness.emulators['securityspace']


def hz_app(emulators):
    return emulators.harness.emulators['hardenize']


def ss_records(emulators, rtype=None):
    state = ss_app(emulators).dump_state()
    domain = state['domains'].get(ZONE)
    if domain is None:
        return None
    return [r for r in domain['records'] if rtype is None or r['type'] == rtype]


def hz_state(emulators):
    return hz_app(emulators).dump_state()


# -- scenarios: set up, the task, what must hold after the clean re-run ----------------
A3 = [dict(type='A', name='r%d' % i, value='192.0.2.%d' % (i + 1)) for i in range(3)]
SAMPLES = {
    'dnsAddA': A3,
    'dnsAddAAAA': [dict(type='AAAA', name='r%d' % i, value='2001:db8::%d' % (i + 1)) for i in range(3)],
    'dnsAddCNAME': [dict(type='CNAME', name='c%d' % i, value='target%d.example.net' % i) for i in range(3)],
    'dnsAddMX': [dict(type='MX', name='', value='mx%d.example.net' % i, priority=10 + i) for i in range(3)],
    'dnsAddNS': [dict(type='NS', name='sub', value='ns%d.example.net' % i) for i in range(3)],
    'dnsAddCAA': [dict(type='CAA', name='', tag='issue', value='ca%d.example.net' % i) for i in range(3)],
    'dnsAddTXT': [dict(type='TXT', name='', value='token-%d' % i) for i in range(3)],
    'dnsAddSRV': [dict(type='SRV', name='', service='_sip', protocol='tcp', priority=i, weight=5, port=5060,
                       value='sip%d.example.net' % i) for i in range(3)],
}


def ss_zone(emulators, publish=False):
    result = run(ssdns_domain, dict(domain=ZONE, publish=publish))
    assert not result.get('failed'), result


def ss_kept_records(emulators, wanted_type, count, owner=None):
    records = [r for r in ss_records(emulators, wanted_type)
               if owner is None or (r['data'].get('name') or r['data'].get('host') or '') == owner]
    keys = [json.dumps(r['data'], sort_keys=True) for r in records]
    assert len(keys) == len(set(keys)), 'duplicates: %s' % keys
    assert len(records) == count, 'want %d %s records, found %d' % (count, wanted_type, len(records))


def add_records_scenario(endpoint):
    records = SAMPLES[endpoint]
    rtype = records[0]['type']

    def setup(emulators):
        ss_zone(emulators)

    def check(emulators):
        # the zone's own apex NS records are not part of the task
        ss_kept_records(emulators, rtype, len(records), owner='sub' if rtype == 'NS' else None)
    return dict(vendor='securityspace', endpoint=endpoint, writes=len(records), setup=setup, module=ssdns_record,
                args=dict(domain=ZONE, records=records, publish=False), check=check)


def delete_records_scenario():
    def setup(emulators):
        ss_zone(emulators)
        result = run(ssdns_record, dict(domain=ZONE, records=A3, publish=False))
        assert result['changed'] and not result.get('failed'), result

    def check(emulators):
        assert ss_records(emulators, 'A') == [], ss_records(emulators, 'A')
    return dict(vendor='securityspace', endpoint='dnsDeleteRecord', writes=3, setup=setup, module=ssdns_record,
                args=dict(domain=ZONE, records=A3, state='absent', publish=False), check=check)


def publish_scenario():
    def setup(emulators):
        ss_zone(emulators)

    def check(emulators):
        domain = ss_app(emulators).dump_state()['domains'][ZONE]
        assert domain['state'] in (2, 3), domain['state']
        assert len([r for r in domain['records'] if r['type'] == 'A']) == 1
    return dict(vendor='securityspace', endpoint='dnsPublish', writes=1, setup=setup, module=ssdns_record,
                args=dict(domain=ZONE, type='A', name='www', value='192.0.2.80'), check=check, also={'dnsAddA': 1})


def domain_scenarios():
    def no_setup(emulators):
        pass

    def exists_once(emulators):
        domains = [d for d in ss_app(emulators).dump_state()['domains'] if d == ZONE]
        assert domains == [ZONE]

    def setup_zone(emulators):
        ss_zone(emulators)

    def gone(emulators):
        assert ZONE not in ss_app(emulators).dump_state()['domains']

    def soa_set(emulators):
        soa = ss_records(emulators, 'SOA')[0]['data']
        assert soa['mail'].rstrip('.') == 'dns.matrix.example' and int(soa['min']) == 7200, soa

    def options_set(emulators):
        options = ss_records(emulators, 'Options')[0]['data']
        acl = sorted(a.strip() for a in options['allowtransferacl'].split(','))
        assert acl == ['192.0.2.53/32', '198.51.100.0/24'] and options['notify'] == 'yes', options
        assert options['alsonotify'] == '192.0.2.54', options
    return [
        dict(vendor='securityspace', endpoint='dnsAddDomain', writes=1, setup=no_setup, module=ssdns_domain,
             args=dict(domain=ZONE, publish=False), check=exists_once),
        dict(vendor='securityspace', endpoint='dnsDeleteDomain', writes=1, setup=setup_zone, module=ssdns_domain,
             args=dict(domain=ZONE, state='absent'), check=gone),
        dict(vendor='securityspace', endpoint='dnsSetSOA', writes=1, setup=setup_zone, module=ssdns_domain,
             args=dict(domain=ZONE, admin_email='dns@matrix.example', min_ttl=7200, publish=False), check=soa_set),
        dict(vendor='securityspace', endpoint='dnsSetOptions', writes=1, setup=setup_zone, module=ssdns_domain,
             args=dict(domain=ZONE, allow_transfer=['192.0.2.53', '198.51.100.0/24'], notify='yes',
                       also_notify=['192.0.2.54'], publish=False), check=options_set),
    ]


HOSTS = ['h%d.matrix.example' % i for i in range(3)]


def hz_hosts(emulators):
    return dict((h['hostname'], h) for h in hz_state(emulators)['hosts'])


def host_scenarios():
    def no_setup(emulators):
        pass

    def created(emulators):
        hosts = hz_hosts(emulators)
        assert sorted(n for n in hosts if n.endswith('matrix.example')) == HOSTS
        assert all(hosts[n]['status'] == 'monitored' for n in HOSTS)

    def setup_hosts(emulators):
        result = run(hardenize_host, dict(hostnames=HOSTS, status='monitored'))
        assert not result.get('failed'), result

    def updated(emulators):
        hosts = hz_hosts(emulators)
        assert all(hosts[n]['status'] == 'idle' for n in HOSTS), hosts

    def deleted(emulators):
        assert not any(n.endswith('matrix.example') for n in hz_hosts(emulators))
    return [
        dict(vendor='hardenize', endpoint='POST /hosts', writes=1, setup=no_setup, module=hardenize_host,
             args=dict(hostnames=HOSTS, status='monitored'), check=created),
        dict(vendor='hardenize', endpoint='POST /hosts/*', writes=1, setup=setup_hosts, module=hardenize_host,
             args=dict(hostnames=HOSTS, status='idle'), check=updated),
        dict(vendor='hardenize', endpoint='DELETE /hosts', writes=1, setup=setup_hosts, module=hardenize_host,
             args=dict(hostnames=HOSTS, state='absent'), check=deleted),
    ]


def group_scenarios():
    def groups(emulators):
        return [g for g in hz_state(emulators)['groups'] if g['name'].startswith('Matrix')]

    def no_setup(emulators):
        pass

    def setup_group(emulators):
        result = run(hardenize_group, dict(name='Matrix', auto=True, tags=['a']))
        assert not result.get('failed'), result

    def one_group(emulators):
        assert [g['name'] for g in groups(emulators)] == ['Matrix']

    def tagged(emulators):
        assert [sorted(g['tags']) for g in groups(emulators)] == [['a', 'b']]

    def no_group(emulators):
        assert groups(emulators) == []
    return [
        dict(vendor='hardenize', endpoint='POST /groups', writes=1, setup=no_setup, module=hardenize_group,
             args=dict(name='Matrix'), check=one_group),
        dict(vendor='hardenize', endpoint='POST /groups/{id}', writes=1, setup=setup_group, module=hardenize_group,
             args=dict(name='Matrix', auto=True, tags=['a', 'b']), check=tagged),
        dict(vendor='hardenize', endpoint='DELETE /groups/{id}', writes=1, setup=setup_group, module=hardenize_group,
             args=dict(name='Matrix', state='absent'), check=no_group),
    ]


def hook_scenarios():
    def destination():
        return os.environ[HOOK_URL] + '/matrix'

    def hooks(emulators):
        return [h for h in hz_state(emulators)['eventHooks'] if h['destination'] == destination()]

    def no_setup(emulators):
        pass

    def setup_hook(emulators):
        result = run(hardenize_event_hook, dict(destination=destination(), event_types=['pki.cert.new'],
                                                status='disabled'))
        assert not result.get('failed'), result

    def one_hook(status, types=('pki.cert.new',)):
        def check(emulators):
            found = hooks(emulators)
            assert len(found) == 1, found
            assert found[0]['status'] == status and sorted(found[0]['eventTypes']) == sorted(types), found[0]
        return check

    def no_hook(emulators):
        assert hooks(emulators) == []

    def args(**kwargs):
        return lambda: dict(dict(destination=destination(), event_types=['pki.cert.new']), **kwargs)

    def setup_type(emulators):
        result = run(hardenize_event_type, dict(name='pki.cert.new', enabled=False))
        assert not result.get('failed'), result

    def type_enabled(emulators):
        types = dict((t['name'], t) for t in hz_state(emulators)['eventTypes'])
        assert types['pki.cert.new']['enabled'] is True
    return [
        dict(vendor='hardenize', endpoint='POST /eventHooks', writes=1, setup=no_setup, module=hardenize_event_hook,
             args=args(status='disabled'), check=one_hook('disabled')),
        dict(vendor='hardenize', endpoint='POST /eventHooks/{id}', writes=1, setup=setup_hook,
             module=hardenize_event_hook, args=args(event_types=['pki.cert.new', 'ct.entry'], status='disabled'),
             check=one_hook('disabled', ('ct.entry', 'pki.cert.new'))),
        dict(vendor='hardenize', endpoint='DELETE /eventHooks/{id}', writes=1, setup=setup_hook,
             module=hardenize_event_hook, args=args(state='absent'), check=no_hook),
        dict(vendor='hardenize', endpoint='POST /eventTypes/{name}', writes=1, setup=setup_type,
             module=hardenize_event_type, args=lambda: dict(name='pki.cert.new', enabled=True), check=type_enabled),
    ]


def sigsci_scenarios():
    site = 'matrix-site'
    members = [dict(email='m%d@example.com' % i, role='user') for i in range(3)]

    def state(emulators):
        return emulators.harness.emulators['sigsci'].dump_state()

    def sites(emulators):
        return [s for s in state(emulators)['sites'] if s['name'] == site]

    def no_setup(emulators):
        pass

    def setup_site(emulators):
        result = run(sigsci_site, dict(name=site, agent_level='log'))
        assert not result.get('failed'), result

    def setup_members(emulators):
        setup_site(emulators)
        result = run(sigsci_site_member, dict(site=site, members=members))
        assert not result.get('failed'), result

    def one_site(level):
        def check(emulators):
            found = sites(emulators)
            assert len(found) == 1 and found[0]['agentLevel'] == level, found
        return check

    def no_site(emulators):
        assert sites(emulators) == []

    def member_emails(emulators):
        return sorted(m['email'] for m in sites(emulators)[0]['members'] if m['email'].startswith('m'))

    def three_members(role):
        def check(emulators):
            found = [m for m in sites(emulators)[0]['members'] if m['email'].startswith('m')]
            assert sorted(m['email'] for m in found) == [m['email'] for m in members], found
            assert all(m['role'] == role for m in found), found
        return check

    def no_members(emulators):
        assert member_emails(emulators) == []
    return [
        dict(vendor='sigsci', endpoint='POST /corps/{corp}/sites', writes=1, setup=no_setup, module=sigsci_site,
             args=dict(name=site, agent_level='log'), check=one_site('log')),
        dict(vendor='sigsci', endpoint='PATCH /corps/{corp}/sites/{site}', writes=1, setup=setup_site,
             module=sigsci_site, args=dict(name=site, agent_level='block'), check=one_site('block')),
        dict(vendor='sigsci', endpoint='DELETE /corps/{corp}/sites/{site}', writes=1, setup=setup_site,
             module=sigsci_site, args=dict(name=site, state='absent', force=True), check=no_site),
        dict(vendor='sigsci', endpoint='POST /corps/{corp}/sites/{site}/members/{email}/invite', writes=3,
             setup=setup_site, module=sigsci_site_member, args=dict(site=site, members=members),
             check=three_members('user')),
        # A role change is a removal and an invitation (the API has no site-level update): faulted on either write.
        dict(vendor='sigsci', name='role change: POST /corps/{corp}/sites/{site}/members/{email}/invite',
             endpoint='POST /corps/{corp}/sites/{site}/members/{email}/invite', writes=3,
             also={'DELETE /corps/{corp}/sites/{site}/members/{email}': 3}, setup=setup_members,
             module=sigsci_site_member, args=dict(site=site, members=[dict(m, role='observer') for m in members]),
             check=three_members('observer')),
        dict(vendor='sigsci', name='role change: DELETE /corps/{corp}/sites/{site}/members/{email}',
             endpoint='DELETE /corps/{corp}/sites/{site}/members/{email}', writes=3,
             also={'POST /corps/{corp}/sites/{site}/members/{email}/invite': 3}, setup=setup_members,
             module=sigsci_site_member, args=dict(site=site, members=[dict(m, role='observer') for m in members]),
             check=three_members('observer')),
        dict(vendor='sigsci', endpoint='DELETE /corps/{corp}/sites/{site}/members/{email}', writes=3,
             setup=setup_members, module=sigsci_site_member, args=dict(site=site, members=members, state='absent'),
             check=no_members),
    ]


def virusdie_scenarios():
    domains = ['v%d.matrix.example' % i for i in range(3)]

    def state(emulators):
        return emulators.harness.emulators['virusdie'].dump_state()

    def sites(emulators):
        return dict((s['host'], s) for s in state(emulators)['sites'] if s['host'] in domains)

    def no_setup(emulators):
        emulators.configure('virusdie', rate_limit_enabled=False)

    def setup_sites(emulators, **kwargs):
        no_setup(emulators)
        result = run(virusdie_site, dict(dict(domains=domains), **kwargs))
        assert not result.get('failed'), result

    def added(emulators):
        found = sites(emulators)
        assert sorted(found) == domains and all(s['unit'] == 'c@example.com' for s in found.values()), found

    def firewalled(emulators):
        assert all(s['firewallstatus'] == 1 for s in sites(emulators).values()), sites(emulators)

    def gone(emulators):
        assert sites(emulators) == {}

    def reshared(emulators):
        assert all(s['unit'] == 'd@example.com' for s in sites(emulators).values()), sites(emulators)

    def unit_renamed(emulators):
        assert all(s['unit'] == 'e@example.com' for s in sites(emulators).values()), sites(emulators)

    def unit_gone(emulators):
        assert all(s['unit'] is None for s in sites(emulators).values()), sites(emulators)

    def agency_set(emulators):
        assert (state(emulators)['agency'] or {}).get('title') == 'Matrix Hosting'

    def agency_gone(emulators):
        assert not state(emulators)['agency']

    def setup_agency(emulators):
        no_setup(emulators)
        result = run(virusdie_agency, dict(title='Matrix Hosting', email='m@example.com'))
        assert not result.get('failed'), result
    return [
        dict(vendor='virusdie', endpoint='sites_add', writes=1, setup=no_setup, module=virusdie_site,
             args=dict(domains=domains, share_with='c@example.com'), check=added),
        dict(vendor='virusdie', endpoint='site_setoption', writes=3, setup=setup_sites,
             module=virusdie_site, args=dict(domains=domains, firewall=True), check=firewalled),
        dict(vendor='virusdie', endpoint='site_delete', writes=3, setup=setup_sites, module=virusdie_site,
             args=dict(domains=domains, state='absent'), check=gone),
        # An API that names each site's unit (the setting site_unit_field, not from the vendor): only then does
        # virusdie_site unshare from the old unit before sharing with the new one.
        dict(vendor='virusdie', endpoint='site_unshare', writes=3,
             setup=lambda e: (setup_sites(e, share_with='c@example.com'),
                              e.configure('virusdie', site_unit_field=True)), module=virusdie_site,
             args=dict(domains=domains, share_with='d@example.com'), check=reshared, also={'sites_add': 1}),
        dict(vendor='virusdie', endpoint='unit_update', writes=1,
             setup=lambda e: setup_sites(e, share_with='c@example.com'), module=virusdie_unit,
             args=dict(unit='c@example.com', new_email='e@example.com'), check=unit_renamed),
        dict(vendor='virusdie', endpoint='unit_delete', writes=1,
             setup=lambda e: setup_sites(e, share_with='c@example.com'), module=virusdie_unit,
             args=dict(unit='c@example.com', state='absent'), check=unit_gone),
        dict(vendor='virusdie', endpoint='agency_update', writes=1, setup=no_setup, module=virusdie_agency,
             args=dict(title='Matrix Hosting', email='m@example.com'), check=agency_set),
        dict(vendor='virusdie', endpoint='agency_delete', writes=1, setup=setup_agency, module=virusdie_agency,
             args=dict(state='absent'), check=agency_gone),
    ]


def make_csr(*names):
    """A PEM CSR for ``names`` (the first is the common name) with a new EC key."""
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
           .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
           .sign(key, hashes.SHA256()))
    return csr.public_bytes(serialization.Encoding.PEM).decode('ascii')


def cyberssl_scenarios():
    """Money: whatever the fault, exactly one order per domain exists afterwards and each is charged once."""
    primary = 'c.matrix.example'
    two = [primary, 'www.' + primary]
    three = two + ['api.' + primary]
    csr2, csr3 = make_csr(*two), make_csr(*three)
    singles = ['c%d.matrix.example' % i for i in range(3)]
    single_csrs = dict((name, make_csr(name)) for name in singles)
    contact = dict(first_name='Jane', last_name='Doe', phone='+1.5555550100', title='Ops', email='ops@matrix.example')
    base = dict(primary_domain=primary, addon_domains=two[1:], product_id=19, csr=csr2, admin_contact=contact,
                settle_timeout=6)

    def state(emulators):
        return emulators.harness.emulators['cyberssl'].dump_state()

    def orders(emulators, domain=primary):
        return [o for o in state(emulators)['orders'] if o['primary_domain'] == domain]

    def no_setup(emulators):
        emulators.reset('cyberssl')

    def setup_order(emulators):
        no_setup(emulators)
        result = run(cyberssl_order, dict(base, dv_method='http'))
        assert not result.get('failed'), result

    def one_order(domains, method, balance):
        def check(emulators):
            found = orders(emulators)
            assert len(found) == 1, 'orders: %s' % [o['order_id'] for o in found]
            assert sorted(found[0]['domains']) == sorted(domains), found[0]['domains']
            assert found[0]['dv_method'].split(':')[0] == method, found[0]['dv_method']
            assert abs(float(state(emulators)['balance']) - balance) < 0.001, state(emulators)['balance']
        return check

    def one_order_each(emulators):
        for name in singles:
            found = orders(emulators, name)
            assert len(found) == 1, 'orders for %s: %s' % (name, [o['order_id'] for o in found])
        assert abs(float(state(emulators)['balance']) - (500.0 - 3 * 5.0)) < 0.001, state(emulators)['balance']
    three_orders = [dict(primary_domain=name, product_id=17, csr=single_csrs[name], admin_contact=contact,
                         settle_timeout=6) for name in singles]
    return [
        # three purchases in one run, the slow one past the first re-read (3.5 s after a 1 s timeout)
        dict(vendor='cyberssl', endpoint='add_ssl_order', writes=3, setup=no_setup, module=cyberssl_order,
             args=three_orders, check=one_order_each, delay=3.5, money=True),
        dict(vendor='cyberssl', endpoint='reissue_ssl_order', writes=1, setup=setup_order, module=cyberssl_order,
             args=dict(base, dv_method='http', addon_domains=three[1:], csr=csr3), check=one_order(three, 'http', 480.0),
             money=True),
        dict(vendor='cyberssl', endpoint='change_dv_method', writes=1, setup=setup_order, module=cyberssl_order,
             args=dict(base, dv_method='dns'), check=one_order(two, 'dns', 480.0)),
    ]


SCENARIOS = ([add_records_scenario(endpoint) for endpoint in SAMPLES] + [delete_records_scenario(), publish_scenario()]
             + domain_scenarios() + host_scenarios() + group_scenarios() + hook_scenarios() + sigsci_scenarios()
             + virusdie_scenarios() + cyberssl_scenarios())
KINDS = list(GENERIC_FAULTS)


def positions(scenario):
    """first, middle and last write (one position when the task sends one write to the endpoint)."""
    count = scenario['writes']
    return ['first', 'middle', 'last'] if count >= 3 else ['only']


def skip_for(position, count):
    return {'first': 0, 'only': 0, 'middle': count // 2, 'last': count - 1}[position]


def cases(full=None):
    """Every fault kind at every scenario; the position of the faulted write by pairs. A scenario with three or more
    writes takes each kind at one position, turning with the kind and the scenario (the kind's index plus the
    scenario's, modulo 3), so each kind meets first, middle and last write over the scenarios and each scenario meets
    all three over the kinds: every pair of (scenario, kind, position) is covered, in a third of the cases. The
    purchases (``money``) keep every kind at every position. ``DOMAINSEC_FULL_MATRIX=1`` (or ``full``) runs the
    whole product."""
    if full is None:
        full = os.environ.get('DOMAINSEC_FULL_MATRIX', '') not in ('', '0')
    found = []
    for index, scenario in enumerate(SCENARIOS):
        name = scenario.get('name', scenario['endpoint'])
        for turn, kind in enumerate(KINDS):
            places = positions(scenario)
            if not (full or scenario.get('money')) and len(places) > 1:
                places = [places[(index + turn) % len(places)]]
            found.extend((name, kind, position) for position in places)
    return found


# A scenario is named by its endpoint, or by its ``name`` where one endpoint has two scenarios.
CASES = cases()
BY_ENDPOINT = dict((s.get('name', s['endpoint']), s) for s in SCENARIOS)


# What each vendor's managed objects are (the rest of its state - sessions, tokens, rate buckets, scan reports that
# age - changes without a write).
OBSERVED = {'securityspace': ('domains',), 'hardenize': ('hosts', 'groups', 'eventHooks', 'eventTypes'),
            'sigsci': ('sites',), 'virusdie': ('sites', 'units', 'agency'), 'cyberssl': ('orders', 'balance')}
VOLATILE = frozenset(['scanreport', 'traffic'])


def observe(emulators, vendor):
    """The vendor's managed objects, as comparable text."""
    def strip(value):
        if isinstance(value, dict):
            return dict((k, strip(v)) for k, v in value.items() if k not in VOLATILE)
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    state = emulators.harness.emulators[vendor].dump_state()
    return json.dumps(strip(dict((key, state[key]) for key in OBSERVED[vendor])), sort_keys=True, default=str)


def write_counts(emulators, vendor):
    app = emulators.harness.emulators[vendor]
    return dict((key, n) for key, n in emulators.counters(vendor)['counts'].items() if app.is_write(key) and n)


def expected_writes(scenario, kind):
    """The writes over the faulted run and the clean re-run: a clean run's, plus the faulted write once more when the
    fault kept the server from carrying it out."""
    expected = dict(scenario.get('also') or {})
    expected[scenario['endpoint']] = scenario['writes'] + (0 if kind in CARRIED_OUT else 1)
    return expected


def _record(endpoint, row):
    os.makedirs(REPORT_DIR, exist_ok=True)
    path = os.path.join(REPORT_DIR, '%s.md' % endpoint.replace(' ', '_').replace('/', '_').replace('*', 'all')
                        .replace('{', '').replace('}', ''))
    new = not os.path.exists(path)
    with open(path, 'a', encoding='utf-8') as handle:
        if new:
            handle.write('| endpoint | fault | write | faulted run | its message | re-run | writes sent (expected) | '
                         'state |\n|---|---|---|---|---|---|---|---|\n')
        handle.write(row + '\n')


@pytest.mark.matrix
@pytest.mark.parametrize('endpoint, kind, position', CASES, ids=['%s-%s-%s' % c for c in CASES])
def test_fault_matrix(emulators, endpoint, kind, position):
    scenario = BY_ENDPOINT[endpoint]
    case, endpoint = endpoint, scenario['endpoint']
    vendor = scenario['vendor']
    for name in ('securityspace', 'hardenize', 'sigsci', 'virusdie', 'cyberssl'):
        emulators.reset(name)
    if vendor == 'hardenize':
        emulators.configure('hardenize', rate_limit_enabled=False)
    scenario['setup'](emulators)
    args = scenario['args']() if callable(scenario['args']) else scenario['args']
    emulators.reset(vendor, counters_only=True)
    emulators.fault(vendor, endpoint, kind, skip=skip_for(position, scenario['writes']), count=1,
                    delay=scenario.get('delay', DELAY), retry_after=1)
    # Each task of the run on its own: its result, and whether the vendor's state changed while it ran.
    runs = []
    for task in (args if isinstance(args, list) else [args]):
        before = observe(emulators, vendor)
        result = run(scenario['module'], task)
        runs.append((result, observe(emulators, vendor) != before))
    faulted = combined([result for result, dummy in runs])
    pending = emulators.admin(vendor, 'faults')['pending']
    emulators.admin(vendor, 'faults', method='DELETE')
    rerun = run(scenario['module'], args)
    sent, expected = write_counts(emulators, vendor), expected_writes(scenario, kind)
    state = 'ok'
    try:
        scenario['check'](emulators)
    except AssertionError as exc:
        state = 'WRONG: %s' % exc
    message = (faulted.get('msg') or '').replace('|', '/').replace('\n', ' ')[:160]
    _record(case, '| %s | %s | %s | %s | %s | %s | %s | %s |' % (
        case, kind, position, 'failed' if faulted.get('failed') else ('changed' if faulted.get('changed') else 'ok'),
        message, 'failed' if rerun.get('failed') else ('changed' if rerun.get('changed') else 'unchanged'),
        '%s (%s)' % (sent.get(endpoint, 0), expected[endpoint]) if sent == expected else 'WRONG %s (%s)' % (sent, expected),
        state))

    assert pending == [], 'the fault was never hit: %s' % pending
    assert not rerun.get('failed'), 'the clean re-run failed: %s' % rerun.get('msg')
    assert state == 'ok', state
    # Each write sent exactly as often as the fault requires; nothing re-sent after it landed, no duplicate made and
    # removed again.
    assert sent == expected, 'writes sent %s, expected %s' % (sent, expected)
    unproven = scenario.get('money') and kind in UNANSWERED
    if unproven:
        # A purchase that got no answer and did not show: never sent again by the run, which says what it may have bought.
        assert faulted.get('failed') and 'may have been placed' in faulted['msg'] and 'Nothing was sent again' in \
            faulted['msg'], faulted.get('msg')
    else:
        # The write landed (late, or with its answer lost), or it was proven not to have landed and sent again.
        assert not faulted.get('failed'), 'the faulted run failed: %s' % faulted.get('msg')
    # changed is what happened at the vendor, and a failure says what was done exactly when something was.
    for result, landed in runs:
        assert bool(result.get('changed')) == landed, 'changed=%s, the vendor state %s' % (
            result.get('changed'), 'changed' if landed else 'did not change')
        if result.get('failed'):
            assert ('Done before this failure' in result['msg']) == landed, result['msg']
    if not faulted.get('failed'):
        assert not rerun.get('changed'), 'the faulted run reported success but the re-run changed: %s' % rerun
