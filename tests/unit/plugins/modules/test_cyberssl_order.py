# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""cyberssl_order: the input checks, the decision (what a run would do with the live order), the guards of money
(price, balance) and of keys (a certificate only beside its own key), each able to fail when its guard breaks."""

import contextlib
import datetime
import io
import json
import os

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.domainsec.onboard.plugins.module_utils import cyberssl as cs
from ansible_collections.domainsec.onboard.plugins.module_utils import cyberssl_policy as policy
from ansible_collections.domainsec.onboard.plugins.module_utils.cert_files import KeyFiles
from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError
from ansible_collections.domainsec.onboard.plugins.modules import cyberssl_order as mod
from ansible_collections.domainsec.onboard.plugins.module_utils.file_writer import FileWriter
from unit.file_module import file_module
from unit.pki import cert_pem, csr_pem, key_pem, new_key


KEY = new_key()
CSR = csr_pem(KEY)
OTHER = new_key()


def params(**kwargs):
    base = dict(primary_domain='example.com', addon_domains=[], dv_method='dns', dv_emails=None, dv_zones=None,
                csr=CSR, csr_subject=None, private_key_path=None, period=1, wait_timeout=600, wait_interval=10,
                renew_before_days=None, product_id=17, order_id=None, max_price=None, mode='0644', revalidate=False,
                renew_key='reuse', recover_key=False, settle_timeout=180, admin_contact=None, tech_contact=None)
    base.update(kwargs)
    return base


SUBJECT = {'city': 'x', 'state': 'y', 'country': 'US', 'organization': 'z'}


@pytest.mark.parametrize('kwargs, says', [
    (dict(primary_domain='not a domain'), 'primary_domain'),
    (dict(primary_domain='localhost'), 'primary_domain'),
    (dict(addon_domains=['example.com']), 'addon_domains: every domain may appear once'),
    (dict(dv_method='email'), 'dv_emails: dv_method=email needs one approval address per domain (1'),
    (dict(dv_method='email', dv_emails=['admin@other.org']), "dv_emails: 'admin@other.org' is not an address at"),
    (dict(dv_method='email', dv_emails=['admin@']),
     "dv_emails[0] must be an e-mail address such as name@example.com; 'admin@' is not"),
    (dict(dv_emails=['admin@example.com']), 'dv_emails is only for dv_method=email'),
    (dict(dv_method='http', primary_domain='*.example.com'), 'dv_method: a wildcard domain cannot be validated'),
    (dict(csr='hello'), 'csr must be a PEM certificate signing request'),
    (dict(csr=CSR + key_pem(KEY)), 'csr holds a private key'),
    (dict(csr=CSR + '-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n'), 'csr holds a private key'),
    (dict(csr_subject=SUBJECT), 'csr and csr_subject are mutually exclusive'),
    (dict(csr=None, csr_subject=SUBJECT), 'private_key_path is required with csr_subject'),
    (dict(csr=None, csr_subject=dict(SUBJECT, country='USA'), private_key_path='/k'), 'csr_subject.country'),
    (dict(csr=None, csr_subject=dict(SUBJECT, email='nobody'), private_key_path='/k'), 'csr_subject.email'),
    (dict(admin_contact=dict(email='jane.example.com')), "admin_contact.email must be an e-mail address such as name@example.com; 'jane.example.com'"),
    (dict(tech_contact=dict(email='a@b')), 'tech_contact.email'),
    (dict(period=11), 'period must be between 1 and 10'),
    (dict(renew_before_days=-1), 'renew_before_days must be between'),
    (dict(settle_timeout=3601), 'settle_timeout must be between 0 and 3600'),
    (dict(max_price=-1.0), 'max_price must be a number of 0 or more'),
    (dict(max_price=float('nan')), 'max_price must be a number of 0 or more'),
    (dict(max_price=float('inf')), 'max_price must be a number of 0 or more'),
    (dict(mode='rw-r--r--'), 'mode must be an octal file mode'),
])
def test_bad_input_names_the_option(kwargs, says):
    with pytest.raises(ValueError) as caught:
        mod.validate(params(**kwargs))
    assert says in str(caught.value)


def test_good_contacts_and_a_zero_price_cap_pass():
    wanted = mod.validate(params(admin_contact=dict(email='Jane@Bücher.Example'), max_price=0.0))
    assert wanted['primary'] == 'example.com'


def test_a_private_key_pasted_after_the_csr_is_masked_whole_and_line_by_line():
    key = key_pem(KEY)
    masked = mod.private_key_blocks('text ' + CSR + key)
    assert masked[0] == key.strip()
    body = [line for line in key.splitlines() if not line.startswith('-----')]
    assert all(line in masked for line in body)
    assert mod.private_key_blocks(CSR) == []
    putty = ('PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\n'
             'AAAAIFuQ2QbWb8pBbdkZpSDuRWNTtOl9xWx8jT8e5wF5pVxN\nPrivate-MAC: 0123456789abcdef0123456789abcdef\n')
    masked = mod.private_key_blocks(CSR + putty)  # no END line: everything from its start is masked
    assert 'AAAAIFuQ2QbWb8pBbdkZpSDuRWNTtOl9xWx8jT8e5wF5pVxN' in masked and masked[0].startswith('PuTTY-User-Key-File-3')
    assert mod.holds_private_key(CSR + putty)


def test_validate_normalises():
    wanted = mod.validate(params(primary_domain='Bücher.Example.', addon_domains=['WWW.bücher.example'],
                                 dv_method='email', dv_emails=['admin@xn--bcher-kva.example', 'hostmaster@bücher.example'],
                                 dv_zones=['Bücher.Example']))
    assert wanted['domains'] == ['xn--bcher-kva.example', 'www.xn--bcher-kva.example']
    assert wanted['emails'] == ['admin@xn--bcher-kva.example', 'hostmaster@xn--bcher-kva.example']
    assert wanted['zones'] == ['xn--bcher-kva.example']


def days(n):
    return (datetime.date.today() + datetime.timedelta(days=n)).isoformat()


def order(**kwargs):
    base = dict(order_id=1001, status='Activated', domains=['example.com'], csr=CSR, dv_method='dns',
                valid_till=days(200), certificate=cert_pem(KEY))
    base.update(kwargs)
    return base


def decide(live, **kwargs):
    p = params(**kwargs)
    keys = kwargs.pop('keys', None)
    return policy.decide(p, mod.validate(p), live, keys)


@pytest.mark.parametrize('live, kwargs, actions', [
    (None, {}, ['order']),
    (order(), {}, []),
    (order(), dict(renew_before_days=30), []),
    (order(valid_till=days(10)), dict(renew_before_days=30), ['renew']),
    (order(valid_till=days(30)), dict(renew_before_days=30), ['renew']),  # on the boundary: renewed
    (order(valid_till=days(31)), dict(renew_before_days=30), []),
    (order(valid_till=days(10)), {}, []),
    (order(status='Awaiting Validation', valid_till=''), dict(renew_before_days=30), []),
    (order(addon_domains=None), dict(addon_domains=['www.example.com']), ['reissue']),
    (order(csr=csr_pem(OTHER)), {}, ['reissue']),
    (order(csr=CSR.replace('\n', '\r\n')), {}, []),
    (order(dv_method='http'), {}, ['change_dv_method']),
    (order(status='Awaiting Validation'), dict(revalidate=True), ['revalidate']),
    (order(), dict(revalidate=True), []),
])
def test_decide(live, kwargs, actions):
    assert decide(live, **kwargs)['actions'] == actions


def test_a_due_renewal_with_the_live_key_waits_for_a_new_csr_when_asked():
    due = order(valid_till=days(5))
    plan = decide(due, renew_before_days=30, renew_key='new')
    assert plan == dict(actions=[], renewal_due=True)
    fresh = csr_pem(OTHER)
    assert decide(due, renew_before_days=30, renew_key='new', csr=fresh) == dict(actions=['renew'], renewal_due=True)
    assert decide(due, renew_before_days=30, renew_key='reuse') == dict(actions=['renew'], renewal_due=True)


def write(path, text):
    with open(str(path), 'w') as handle:
        handle.write(text)
    return str(path)


def vendor_params(tmp_path, **kwargs):
    return dict(csr=None, csr_subject=SUBJECT, private_key_path=str(tmp_path / 'k.key'), **kwargs)


def test_a_vendor_key_that_is_not_here_is_recovered_or_named(tmp_path):
    live = order(status='Awaiting Validation', certificate='', valid_till='')
    keys = KeyFiles(str(tmp_path / 'k.key'))
    with pytest.raises(policy.KeyNotHere) as caught:
        decide(live, keys=keys, **vendor_params(tmp_path))
    assert 'order 1001' in caught.value.msg and 'recover_key: true' in caught.value.msg and 'csr' in caught.value.msg
    assert decide(live, keys=keys, **vendor_params(tmp_path, recover_key=True))['actions'] == ['reissue']
    write(tmp_path / 'k.key', key_pem(OTHER))  # a key, but another one
    with pytest.raises(policy.KeyNotHere):
        decide(live, keys=KeyFiles(str(tmp_path / 'k.key')), **vendor_params(tmp_path))
    write(tmp_path / 'k.key.new', key_pem(KEY))  # the order's key, waiting beside the one in use
    assert decide(live, keys=KeyFiles(str(tmp_path / 'k.key')), **vendor_params(tmp_path))['actions'] == []


def test_check_key_path_refuses_a_csr_of_another_key(tmp_path):
    class Module(object):
        check_mode = False
    p = params(private_key_path=write(tmp_path / 'k.key', key_pem(OTHER)))
    with pytest.raises(ValueError, match='csr does not belong to the key at private_key_path'):
        mod.check_key_path(Module(), mod.validate(p), KeyFiles(p['private_key_path']))
    write(tmp_path / 'k.key.new', key_pem(KEY))
    mod.check_key_path(Module(), mod.validate(p), KeyFiles(p['private_key_path']))  # the CSR of the waiting key
    with pytest.raises(ValueError, match='does not exist'):
        mod.check_key_path(Module(), mod.validate(p), KeyFiles(str(tmp_path / 'missing.key')))


SUMMARY = dict(product_id=17, primary_domain='example.com', domains_included='example.com')


def test_a_renewal_and_the_order_it_renews_are_not_a_second_purchase():
    old = dict(SUMMARY, order_id=1001, order_type='new', status='Activated', valid_till=days(20), created='')
    renewal = dict(SUMMARY, order_id=1002, order_type='renew', status='Awaiting Validation', valid_till='',
                   created=days(0) + ' 10:00:00')
    assert policy.unexplained([old, renewal], 30) == [renewal]
    second = dict(renewal, order_id=1003)
    assert policy.unexplained([old, renewal, second], 30) == [renewal, second]  # a renewal bought twice
    twice = dict(old, order_id=1004, status='Awaiting Validation', valid_till='')
    assert policy.unexplained([old, twice], 30) == [old, twice]  # two new orders
    far = dict(old, valid_till=days(200))
    assert policy.unexplained([far, renewal], 30) == [far, renewal]  # nothing to renew that early: a second purchase


class FakeClient(object):
    def __init__(self, price, balance):
        self._price, self._balance = price, balance

    def price(self, *args):
        return self._price

    def balance(self):
        return self._balance


PRODUCT = dict(name='PositiveSSL', price_for_1year=5, multidomains_maximum=1, is_wildcard='', organization_required='')
CONTACT = dict(first_name='J', last_name='D', phone='1', title='t', email='j@example.com')


def purchase(price, balance, **kwargs):
    p = params(admin_contact=CONTACT, **kwargs)
    return policy.check_purchase(FakeClient(price, balance), p, mod.validate(p), 'order', PRODUCT)


def test_the_price_cap_is_inclusive_and_zero_is_a_cap():
    assert purchase(5.0, 100.0, max_price=5.0) == 5.0
    with pytest.raises(DomainsecError, match='max_price 4.99 is below the price 5.00'):
        purchase(5.0, 100.0, max_price=4.99)
    with pytest.raises(DomainsecError, match='max_price 0.00 is below the price 5.00'):
        purchase(5.0, 100.0, max_price=0.0)
    assert purchase(0.0, 100.0, max_price=0.0) == 0.0
    assert purchase(50.0, 100.0) == 50.0  # no cap


def test_a_price_that_is_not_a_number_is_never_paid():
    for price in (None, float('nan'), -1.0):
        with pytest.raises(DomainsecError, match='no usable price'):
            purchase(price, 100.0, max_price=10.0)


def test_the_balance_must_cover_the_price():
    assert purchase(5.0, 5.0) == 5.0
    with pytest.raises(DomainsecError, match='balance 4.99 is 0.01 short of the price 5.00'):
        purchase(5.0, 4.99)


def test_a_renewal_checks_price_and_balance_too():
    p = params(admin_contact=CONTACT, max_price=1.0)
    with pytest.raises(DomainsecError, match='max_price'):
        policy.check_purchase(FakeClient(5.0, 100.0), p, mod.validate(p), 'renew', PRODUCT)
    with pytest.raises(DomainsecError, match='renewal order'):
        policy.check_purchase(FakeClient(5.0, 1.0), params(admin_contact=CONTACT), mod.validate(params()), 'renew', PRODUCT)


def FakeModule(p, check_mode=False):  # pylint: disable=invalid-name
    """A real AnsibleModule (the file writer needs its file arguments) with the params ``p``."""
    return file_module(dict(p), check_mode=check_mode)


CERTS = {}


def issued(key, chain='-----BEGIN CERTIFICATE-----\nB\n-----END CERTIFICATE-----'):
    """An activated order with a certificate for ``key`` (the same certificate every time for the same key)."""
    cert = CERTS.setdefault(id(key), cert_pem(key))
    return dict(order_id=1001, status='Activated', certificate=cert, certificate_chain=chain)


def file_params(tmp_path, **kwargs):
    return params(certificate_path=str(tmp_path / 'c.crt'), chain_path=str(tmp_path / 'c.chain'),
                  fullchain_path=str(tmp_path / 'c.full'), **kwargs)


def run_write(p, keys, live, check_mode=False):
    result = dict(files_changed=[], actions=[], changed=False)
    mod.write_certificates(FakeModule(p, check_mode), mod.validate(p), keys, result, live)
    return result


def test_certificate_files_are_written_only_beside_their_key(tmp_path):
    p = file_params(tmp_path, private_key_path=write(tmp_path / 'k.key', key_pem(KEY)))
    keys = KeyFiles(p['private_key_path'])
    other = run_write(p, keys, issued(OTHER))
    assert other['files_changed'] == [] and other['certificate_matches_key'] is False
    assert not os.path.exists(p['certificate_path'])
    own = run_write(p, keys, issued(KEY))
    assert own['certificate_matches_key'] is True and sorted(own['files_changed']) == sorted(
        [p['certificate_path'], p['chain_path'], p['fullchain_path']])
    assert run_write(p, keys, issued(KEY))['files_changed'] == []  # unchanged the second time


def test_without_a_key_path_the_csr_decides(tmp_path):
    p = file_params(tmp_path)
    assert run_write(p, KeyFiles(None), issued(OTHER))['files_changed'] == []
    assert len(run_write(p, KeyFiles(None), issued(KEY))['files_changed']) == 3


def test_a_certificate_of_the_waiting_key_promotes_it_and_keeps_the_previous_files(tmp_path):
    old_key, old_cert = key_pem(OTHER), cert_pem(OTHER)
    p = file_params(tmp_path, private_key_path=write(tmp_path / 'k.key', old_key))
    write(tmp_path / 'c.crt', old_cert)
    write(tmp_path / 'k.key.new', key_pem(KEY))
    keys = KeyFiles(p['private_key_path'])
    predicted = run_write(p, keys, issued(KEY), check_mode=True)
    assert p['private_key_path'] in predicted['files_changed'] and os.path.exists(str(tmp_path / 'k.key.new'))
    result = run_write(p, keys, issued(KEY))
    assert result['files_changed'] == predicted['files_changed']  # check mode predicted exactly this run
    assert open(p['private_key_path']).read().strip() == key_pem(KEY).strip()
    assert not os.path.exists(str(tmp_path / 'k.key.new'))
    assert open(p['private_key_path'] + '.previous').read() == old_key
    assert open(p['certificate_path'] + '.previous').read() == old_cert
    assert oct(os.stat(p['private_key_path']).st_mode & 0o777) == '0o600'
    assert oct(os.stat(p['private_key_path'] + '.previous').st_mode & 0o777) == '0o600'
    assert open(p['certificate_path']).read().strip() == issued(KEY)['certificate'].strip()
    assert result['certificate_matches_key'] is True
    assert run_write(p, KeyFiles(p['private_key_path']), issued(KEY))['files_changed'] == []


def test_a_vendor_key_goes_beside_a_key_in_use(tmp_path):
    keys = KeyFiles(str(tmp_path / 'k.key'))
    writer = FileWriter(file_module(dict(mode='0644')))
    assert keys.store(writer, key_pem(KEY)) == str(tmp_path / 'k.key')
    assert keys.store(writer, key_pem(OTHER)) == str(tmp_path / 'k.key.new')
    assert open(str(tmp_path / 'k.key')).read().strip() == key_pem(KEY).strip()
    assert oct(os.stat(str(tmp_path / 'k.key.new')).st_mode & 0o777) == '0o600'


def test_certificate_files_and_differs(tmp_path):
    p = file_params(tmp_path)
    files = mod.certificate_files(p, issued(KEY))
    assert files[p['fullchain_path']] == files[p['certificate_path']] + files[p['chain_path']]
    assert mod.certificate_files(p, dict(certificate='')) == {}


def test_purchase_text_names_what_may_have_been_bought():
    p = params(period=2)
    assert mod.purchase_text(p, mod.validate(p), 'renew', 10.0) == \
        'renewal order for example.com (product 17, 2 year(s), price 10.00)'


def test_settle_timeout_default_is_the_clients():
    assert mod.argument_spec()['settle_timeout']['default'] == cs.SETTLE_TIMEOUT


def run_main(args):
    out = io.StringIO()
    with patch_module_args(args), contextlib.redirect_stdout(out):
        with pytest.raises(SystemExit):
            mod.main()
    return json.loads(out.getvalue())


@pytest.mark.parametrize('check_mode', [False, True])
def test_a_csr_with_its_key_is_refused_and_masked_everywhere(check_mode, monkeypatch):
    """Before any request (no API URL is reachable: none is given), the key masked in the message and in Ansible's
    echo of the arguments (invocation.module_args)."""
    monkeypatch.setenv('CYBERSSL_API_KEY', 'cs-key-for-the-test')
    key = key_pem(KEY)
    args = dict(primary_domain='example.com', product_id=17, csr=CSR + key, _ansible_check_mode=check_mode,
                api_url='https://cyberssl.invalid/v1')
    result = run_main(args)
    assert result['failed'] and 'csr holds a private key' in result['msg']
    text = json.dumps(result)
    lines = [line for line in key.splitlines() if not line.startswith('-----')]
    assert lines and not [line for line in lines if line in text]
    assert 'BEGIN CERTIFICATE REQUEST' in result['invocation']['module_args']['csr']
