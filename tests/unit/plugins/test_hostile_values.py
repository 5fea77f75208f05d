# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The table of hostile values (tests/unit/hostile_values.py) against the one checker of each kind of value
(plugins/module_utils/names.py) and against every module that takes that kind.

A module runs whole (``main()`` in process, its arguments as Ansible passes them) against the vendor's emulator
app, answering through FakeHttp; the emulator counts the requests. A hostile value must fail the task with a
message naming the option, and the emulator must have counted no request. Each module option is also run with
the good values of its kind, which must reach the vendor (at least one request counted): so a refusal is the
value's, not a missing argument's.
"""

import contextlib
import io
import json

import pytest

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args

from unit import hostile_values as T
from unit.fake_http import FakeHttp
from unit.pki import csr_pem, new_key
from ansible_collections.domainsec.onboard.plugins.module_utils import names

VENDORS = ('securityspace', 'hardenize', 'virusdie', 'sigsci', 'cyberssl')
API_PATH = {'securityspace': '/api', 'hardenize': '', 'virusdie': '/api', 'sigsci': '/api/v0', 'cyberssl': '/v1'}
CSR = csr_pem(new_key())


# -- the checkers --------------------------------------------------------------------------------------------------
CHECKERS = {
    T.NAME: lambda value: names.check_name(value, 'the_option'),
    T.WILDCARD: lambda value: names.check_name(value, 'the_option', wildcard=True),
    T.EMAIL: lambda value: names.check_email(value, 'the_option'),
    T.URL: lambda value: names.check_url(value, 'the_option'),
}


def hostile_of(kind, credentials=False, http=False):
    values = list(T.HOSTILE[kind])
    if kind == T.URL:
        values += [] if credentials else T.URL_CREDENTIALS
        values += [] if http else T.URL_HTTP
    return values


@pytest.mark.parametrize('kind, label, value', [(kind, label, value) for kind in CHECKERS
                                                for label, value in hostile_of(kind)],
                         ids=lambda item: item if isinstance(item, str) and len(item) < 60 else None)
def test_the_checker_refuses_the_hostile_value_naming_the_option(kind, label, value):
    with pytest.raises(ValueError) as caught:
        CHECKERS[kind](value)
    assert str(caught.value).startswith('the_option')
    assert len(str(caught.value)) < 600  # a huge value is never quoted whole


@pytest.mark.parametrize('kind, value', [(kind, value) for kind in CHECKERS for value in T.GOOD[kind]])
def test_the_checker_takes_the_good_value(kind, value):
    CHECKERS[kind](value)


def test_the_checkers_return_the_form_that_is_sent():
    assert names.check_name(' B\u00fccher.Example. ', 'x') == 'xn--bcher-kva.example'
    assert names.check_name('*.Example.COM', 'x', wildcard=True) == '*.example.com'
    assert names.check_email('First.Last@B\u00fccher.Example', 'x') == 'First.Last@xn--bcher-kva.example'
    assert names.check_url(' https://user:pw@hooks.example.com/x ', 'x', credentials=True) == \
        'https://user:pw@hooks.example.com/x'
    assert names.check_url('http://example.com/logo.png', 'x', schemes=('http', 'https')) == 'http://example.com/logo.png'


def test_a_url_password_is_masked_in_the_refusal():
    with pytest.raises(ValueError) as caught:
        names.check_url('https://user:s3cret-pw@example.com/x', 'block_redirect_url')
    assert 's3cret-pw' not in str(caught.value) and 'block_redirect_url' in str(caught.value)


@pytest.mark.parametrize('name', [T.LOOKALIKE, names.idna_ascii(T.LOOKALIKE)])
def test_a_lookalike_is_valid_and_warned_about_in_either_form(name):
    assert names.check_name(name, 'domains') == 'xn--pypal-4ve.com'
    assert 'mixes scripts' in names.lookalike_warning(name, 'domains')


# -- the modules ---------------------------------------------------------------------------------------------------
class Case(object):
    """One module option of one kind: ``args(value, env)`` are the module's arguments with ``value`` in the option."""

    def __init__(self, module, option, kind, vendor, args, check_mode=True, credentials=False, http=False,
                 meaningful=(), good=None):
        self.module = module
        self.option = option  # what the failure message must name
        self.kind = kind
        self.vendor = vendor
        self.args = args
        self.check_mode = check_mode
        self.credentials = credentials  # a URL option that takes user:password@
        self.http = http  # a URL option that takes http:// as well
        self.meaningful = meaningful  # hostile labels the option gives a documented meaning (e.g. '' clears)
        self.good = good

    def hostile(self):
        return [(label, value) for label, value in hostile_of(self.kind, self.credentials, self.http)
                if label not in self.meaningful]

    def good_values(self):
        if self.good is not None:
            return self.good
        return T.GOOD[self.kind] + (['http://example.com/x'] if self.http else []) + (
            ['https://user:pw@example.com/x'] if self.credentials else [])

    def __repr__(self):
        return '%s:%s' % (self.module, self.option)


def creds(vendor, env):
    keys = {'securityspace': ('api_key', 'userid', 'password'), 'hardenize': ('api_user', 'api_password', 'org'),
            'virusdie': ('api_key', 'mac_key'), 'sigsci': ('email', 'api_token', 'corp'), 'cyberssl': ('api_key',)}
    prefix = {'sigsci': 'SIGSCI_', 'cyberssl': 'CYBERSSL_'}.get(vendor, vendor.upper() + '_')
    found = dict((key, env[prefix + ('TOKEN' if key == 'api_token' else key.upper())]) for key in keys[vendor])
    found['api_url'] = env['api_url']
    return found


def with_value(base, option, value):
    args = dict(base)
    args[option] = value
    return args


ORDER = dict(primary_domain='example.com', product_id=17, csr=CSR)
CONTACT = dict(first_name='Jane', last_name='Doe', email='jane@example.com', phone='+1.5555550100', title='IT')
IP_LABELS = ('IPv4 address', 'IPv6 address')

CASES = [
    # -- domain and host names
    Case('ssdns_domain', 'domain', T.NAME, 'securityspace', lambda v: dict(domain=v)),
    Case('ssdns_domain_info', 'domain', T.NAME, 'securityspace', lambda v: dict(domain=v)),
    Case('ssdns_record', 'domain', T.NAME, 'securityspace',
         lambda v: dict(domain=v, type='A', name='www', value='192.0.2.1')),
    Case('hardenize_host', 'hostnames[0]', T.NAME, 'hardenize', lambda v: dict(hostnames=[v])),
    Case('hardenize_host', 'axfr_host', T.NAME, 'hardenize', lambda v: dict(hostnames=['example.com'], axfr_host=v),
         meaningful=('empty', 'spaces only') + IP_LABELS),  # '' clears it; a name server's IP address is one
    Case('hardenize_host_info', 'name', T.NAME, 'hardenize', lambda v: dict(name=v)),
    Case('hardenize_host_info', 'hostname', T.NAME, 'hardenize', lambda v: dict(hostname=v)),
    Case('virusdie_site', 'domains[0]', T.NAME, 'virusdie', lambda v: dict(domains=[v])),
    Case('virusdie_site_info', 'domains[0]', T.NAME, 'virusdie', lambda v: dict(domains=[v])),
    Case('cyberssl_order', 'dv_zones[0]', T.NAME, 'cyberssl', lambda v: dict(ORDER, dv_zones=[v])),
    # -- certificate names (a wildcard allowed)
    Case('cyberssl_order', 'primary_domain', T.WILDCARD, 'cyberssl', lambda v: dict(ORDER, primary_domain=v)),
    Case('cyberssl_order', 'addon_domains[0]', T.WILDCARD, 'cyberssl',
         lambda v: dict(ORDER, primary_domain='primary.example.net', addon_domains=[v])),
    Case('cyberssl_order_info', 'domain', T.WILDCARD, 'cyberssl', lambda v: dict(domain=v)),
    Case('cyberssl_csr_info', 'addon_domains[0]', T.WILDCARD, 'cyberssl', lambda v: dict(csr=CSR, addon_domains=[v])),
    # -- e-mail addresses
    Case('ssdns_domain', 'admin_email', T.EMAIL, 'securityspace', lambda v: dict(domain='example.com', admin_email=v)),
    Case('virusdie_site', 'share_with', T.EMAIL, 'virusdie', lambda v: dict(domains=['example.com'], share_with=v),
         meaningful=('empty', 'spaces only')),  # '' unshares
    Case('virusdie_site_info', 'unit', T.EMAIL, 'virusdie', lambda v: dict(unit=v)),
    Case('virusdie_unit', 'unit', T.EMAIL, 'virusdie', lambda v: dict(unit=v, new_email='new@example.com')),
    Case('virusdie_unit', 'new_email', T.EMAIL, 'virusdie', lambda v: dict(unit='old@example.com', new_email=v)),
    Case('virusdie_agency', 'email', T.EMAIL, 'virusdie', lambda v: dict(title='Example Hosting', email=v)),
    Case('virusdie_agency', 'bank_invoicemail', T.EMAIL, 'virusdie',
         lambda v: dict(title='Example Hosting', email='partners@example.com', bank_invoicemail=v),
         meaningful=('empty', 'spaces only')),  # '' clears it
    Case('sigsci_site_info', 'email', T.EMAIL, 'sigsci', lambda v: dict(email=v)),
    Case('sigsci_site_member', 'members[0].email', T.EMAIL, 'sigsci',
         lambda v: dict(site='www-example-com', members=[dict(email=v, role='user')])),
    Case('cyberssl_order', 'admin_contact.email', T.EMAIL, 'cyberssl',
         lambda v: dict(ORDER, admin_contact=dict(CONTACT, email=v))),
    Case('cyberssl_order', 'dv_emails[0]', T.EMAIL, 'cyberssl', lambda v: dict(ORDER, dv_method='email', dv_emails=[v]),
         good=['admin@example.com', 'Hostmaster@Example.COM']),  # an approver must be at the domain
    # -- URLs
    Case('hardenize_event_hook', 'destination', T.URL, 'hardenize',
         lambda v: dict(destination=v, event_types=['hostAdded']), credentials=True),
    Case('sigsci_site', 'block_redirect_url', T.URL, 'sigsci',
         lambda v: dict(name='www-example-com', block_http_code=302, block_redirect_url=v), http=True,
         meaningful=('empty',)),  # '' clears it
    Case('virusdie_agency', 'logourl', T.URL, 'virusdie',
         lambda v: dict(title='Example Hosting', email='partners@example.com', logourl=v), http=True,
         meaningful=('empty', 'spaces only')),  # '' clears it
] + [
    # the API base URL of every vendor (one module each: the check is the shared client's)
    Case(module, 'api_url', T.URL, vendor, lambda v: dict(api_url=v),
         meaningful=('empty',) if vendor == 'cyberssl' else (),  # '' is the default URL (the sandbox option's)
         good=['https://%s.example.com%s' % (vendor, API_PATH[vendor]), 'https://192.0.2.1:8443%s' % API_PATH[vendor],
               'https://localhost%s' % API_PATH[vendor]])
    for module, vendor in (('ssdns_domain_info', 'securityspace'), ('hardenize_host_info', 'hardenize'),
                           ('virusdie_site_info', 'virusdie'), ('sigsci_site_info', 'sigsci'),
                           ('cyberssl_product_info', 'cyberssl'))
]


@pytest.fixture(scope='module')
def apps():
    from emulators.cyberssl import CyberSSLApp  # pylint: disable=import-outside-toplevel
    from emulators.hardenize import HardenizeApp  # pylint: disable=import-outside-toplevel
    from emulators.securityspace import SecuritySpaceApp  # pylint: disable=import-outside-toplevel
    from emulators.sigsci import SigsciApp  # pylint: disable=import-outside-toplevel
    from emulators.virusdie import VirusdieApp  # pylint: disable=import-outside-toplevel
    found = {}
    for vendor, app_class in (('securityspace', SecuritySpaceApp), ('hardenize', HardenizeApp),
                              ('virusdie', VirusdieApp), ('sigsci', SigsciApp), ('cyberssl', CyberSSLApp)):
        app = app_class()
        app.base_url = 'https://%s.emulator.test' % vendor
        app.config['rate_limit_enabled'] = False
        found[vendor] = app
    return found


@pytest.fixture(autouse=True)
def no_vendor_environment(monkeypatch):
    """Only the arguments of the test reach a module: no credentials or URL from the calling shell."""
    for prefix in ('SECURITYSPACE_', 'HARDENIZE_', 'VIRUSDIE_', 'SIGSCI_', 'CYBERSSL_'):
        for name in ('API_URL', 'API_KEY', 'USERID', 'PASSWORD', 'ORG', 'API_USER', 'API_PASSWORD', 'MAC_KEY', 'EMAIL',
                     'TOKEN', 'CORP'):
            monkeypatch.delenv(prefix + name, raising=False)
    monkeypatch.delenv('DOMAINSEC_CA_PATH', raising=False)


def run_case(case, value, apps, monkeypatch, tmp_path):
    """Run the case's module with ``value``: ``(result, requests the emulator counted)``."""
    import importlib  # pylint: disable=import-outside-toplevel
    module = importlib.import_module('ansible_collections.domainsec.onboard.plugins.modules.%s' % case.module)
    app = apps[case.vendor]
    app.reset_counters()
    # The warnings are recorded as the module gives them (Ansible's own store is process-wide, and where it sends
    # them depends on what else of Ansible the test session loaded).
    warned = []
    give = AnsibleModule.warn

    def warn(module, warning, *args, **kwargs):
        warned.append(warning)
        return give(module, warning, *args, **kwargs)
    monkeypatch.setattr(AnsibleModule, 'warn', warn)
    FakeHttp.for_app(app).serve_every_client(monkeypatch)
    env = dict(app.env(), api_url=app.base_url + API_PATH[case.vendor])
    args = dict(creds(case.vendor, env))
    args.update(case.args(value))
    if case.module == 'cyberssl_order':
        args.update(lock_dir=str(tmp_path))
    args.update(_ansible_check_mode=case.check_mode, _ansible_tmpdir=str(tmp_path))
    out = io.StringIO()
    with patch_module_args(args), contextlib.redirect_stdout(out):
        with pytest.raises(SystemExit):
            module.main()
    result = json.loads(out.getvalue())
    result['warned'] = warned
    return result, app.counter_report()['total']


HOSTILE_RUNS = [pytest.param(case, label, value, id='%s-%s-%s' % (case, case.kind, label))
                for case in CASES for label, value in case.hostile()]
GOOD_RUNS = [pytest.param(case, value, id='%s-%s-%r' % (case, case.kind, value)) for case in CASES
             for value in case.good_values()]


@pytest.mark.parametrize('case, label, value', HOSTILE_RUNS)
def test_the_module_refuses_the_hostile_value_before_any_request(case, label, value, apps, monkeypatch, tmp_path):
    result, requests = run_case(case, value, apps, monkeypatch, tmp_path)
    assert result.get('failed') is True, result
    assert '%s must' % case.option in result['msg'] or '%s:' % case.option in result['msg'], result['msg']
    assert requests == 0
    assert len(result['msg']) < 1000  # a huge value is never quoted whole


@pytest.mark.parametrize('case, value', GOOD_RUNS)
def test_the_module_takes_the_good_value_to_the_vendor(case, value, apps, monkeypatch, tmp_path):
    result, requests = run_case(case, value, apps, monkeypatch, tmp_path)
    assert requests > 0, result.get('msg')


LOOKALIKE_CASES = [c for c in CASES if (c.module, c.option) in (
    ('ssdns_domain', 'domain'), ('ssdns_record', 'domain'), ('hardenize_host', 'hostnames[0]'),
    ('virusdie_site', 'domains[0]'), ('cyberssl_order', 'primary_domain'))] + [
    Case('sigsci_site', 'display_name', T.NAME, 'sigsci', lambda v: dict(name='www-example-com', display_name=v)),
    Case('sigsci_site', 'block_redirect_url', T.URL, 'sigsci',
         lambda v: dict(name='www-example-com', block_http_code=302, block_redirect_url='https://%s/blocked' % v)),
    Case('hardenize_event_hook', 'destination', T.URL, 'hardenize',
         lambda v: dict(destination='https://%s/hook' % v, event_types=['hostAdded'])),
]


def warning_texts(result):
    """The warnings the module gave (recorded by run_case)."""
    return result['warned']


@pytest.mark.parametrize('case', LOOKALIKE_CASES, ids=repr)
def test_a_lookalike_name_is_taken_with_a_warning_naming_the_option(case, apps, monkeypatch, tmp_path):
    result, requests = run_case(case, T.LOOKALIKE, apps, monkeypatch, tmp_path)
    assert requests > 0, result.get('msg')
    option = case.option.split('[')[0]
    texts = [text for text in warning_texts(result) if 'mixes scripts' in text]
    assert len(texts) == 1 and any('mixes scripts' in text and text.startswith(option) for text in texts), result


# -- the vendor's accepted values and limits ------------------------------------------------------------------------
SITE = Case('virusdie_site', 'scan_period', None, 'virusdie', lambda v: dict(domains=['shop.example.com'], scan_period=v),
            check_mode=False)


@pytest.mark.parametrize('period', [7200, 1, -3600, 31536000, 86401])
def test_a_scan_period_virusdie_does_not_offer_fails_before_any_request(period, apps, monkeypatch, tmp_path):
    result, requests = run_case(SITE, period, apps, monkeypatch, tmp_path)
    assert result.get('failed') is True and 'scan_period' in result['msg'] and '86400' in result['msg'], result
    assert requests == 0


@pytest.mark.parametrize('period', [0, 3600, 21600, 43200, 86400, 604800, 2592000])
def test_every_scan_period_virusdie_offers_is_set_0_included(period, apps, monkeypatch, tmp_path):
    result, requests = run_case(SITE, period, apps, monkeypatch, tmp_path)
    assert result.get('failed') is not True, result.get('msg')
    assert result['sites'][0]['scan_period'] == period and requests > 0


AGENCY = Case('virusdie_agency', 'title', None, 'virusdie', lambda v: dict(title=v, email='partners@example.com'))


@pytest.mark.parametrize('option', ['title', 'address', 'website'])
def test_an_agency_field_over_255_characters_fails_before_any_request(option, apps, monkeypatch, tmp_path):
    case = Case('virusdie_agency', option, None, 'virusdie',
                lambda v: dict({'title': 'Example Hosting', 'email': 'partners@example.com'}, **{option: v}))
    result, requests = run_case(case, 'A' * 100000, apps, monkeypatch, tmp_path)
    assert result.get('failed') is True and result['msg'].startswith('%s must be at most 255 characters' % option)
    assert requests == 0 and len(result['msg']) < 200
    result, requests = run_case(case, 'A' * 255, apps, monkeypatch, tmp_path)
    assert result.get('failed') is not True and requests > 0, result.get('msg')


SYNCFILE = Case('virusdie_syncfile', 'mode', None, 'virusdie', None, check_mode=False)


def run_syncfile(apps, monkeypatch, tmp_path, mode, dest=None):
    SYNCFILE.args = lambda v: dict(dest=dest or str(tmp_path) + '/', mode=v)
    return run_case(SYNCFILE, mode, apps, monkeypatch, tmp_path)


@pytest.mark.parametrize('mode', ['0777', '0666', '0660', '0620', '0602', 'g+w', 'u=rw,g=rw,o=', 'a+w', 0o777])
def test_a_sync_file_mode_with_group_or_other_write_fails_before_any_request(mode, apps, monkeypatch, tmp_path):
    result, requests = run_syncfile(apps, monkeypatch, tmp_path, mode)
    assert result.get('failed') is True and result['msg'].startswith('mode: ') and 'write' in result['msg'], result
    assert requests == 0 and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize('mode, warned', [('0644', True), ('0604', True), ('a+r', True), ('0640', False),
                                          ('0600', False), ('u=rw,g=r,o=', False)])
def test_a_sync_file_others_may_read_is_written_with_a_warning(mode, warned, apps, monkeypatch, tmp_path):
    result, requests = run_syncfile(apps, monkeypatch, tmp_path, mode)
    assert result.get('failed') is not True and requests == 1, result.get('msg')
    texts = [t for t in warning_texts(result) if 'read the sync file' in t]
    assert len(texts) == (1 if warned else 0), texts


def test_a_symbolic_mode_counts_from_the_existing_file_found_in_the_directory(apps, monkeypatch, tmp_path):
    import os  # pylint: disable=import-outside-toplevel
    result, requests = run_syncfile(apps, monkeypatch, tmp_path, '0600')
    path = result['path']
    os.chmod(path, 0o666)
    before = open(path, 'rb').read()
    with open(path, 'wb') as handle:
        handle.write(b'<?php // old keys')
    result, requests = run_syncfile(apps, monkeypatch, tmp_path, 'u=rw')  # leaves the group and others as they are
    assert result.get('failed') is True and 'mode: 0666' in result['msg'] and requests == 1, result
    assert open(path, 'rb').read() == b'<?php // old keys' and before
