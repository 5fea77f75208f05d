# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""cyberssl_order: the input checks and the decision (what a run would do with the live order)."""

import datetime

import pytest

from ansible_collections.domainsec.onboard.plugins.modules import cyberssl_order as mod

CSR = '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n'


def params(**kwargs):
    base = dict(primary_domain='example.com', addon_domains=[], dv_method='dns', dv_emails=None, dv_zones=None,
                csr=CSR, csr_subject=None, private_key_path=None, period=1, wait_timeout=600, wait_interval=10,
                renew_before_days=None, product_id=17, order_id=None, max_price=None, mode='0644', revalidate=False)
    base.update(kwargs)
    return base


@pytest.mark.parametrize('kwargs, says', [
    (dict(primary_domain='not a domain'), 'primary_domain'),
    (dict(primary_domain='localhost'), 'primary_domain'),
    (dict(addon_domains=['example.com']), 'addon_domains: every domain may appear once'),
    (dict(dv_method='email'), 'dv_emails: dv_method=email needs one approval address per domain (1'),
    (dict(dv_method='email', dv_emails=['admin@other.org']), "dv_emails: 'admin@other.org' is not an address at"),
    (dict(dv_emails=['admin@example.com']), 'dv_emails is only for dv_method=email'),
    (dict(dv_method='http', primary_domain='*.example.com'), 'dv_method: a wildcard domain cannot be validated'),
    (dict(csr='hello'), 'csr must be a PEM certificate signing request'),
    (dict(csr_subject={'city': 'x'}), 'csr and csr_subject are mutually exclusive'),
    (dict(csr=None, csr_subject={'city': 'x'}), 'private_key_path is required with csr_subject'),
    (dict(period=11), 'period must be between 1 and 10'),
    (dict(renew_before_days=-1), 'renew_before_days must be between'),
    (dict(max_price=-1.0), 'max_price must not be negative'),
    (dict(mode='rw-r--r--'), 'mode must be an octal file mode'),
])
def test_bad_input_names_the_option(kwargs, says):
    with pytest.raises(ValueError) as caught:
        mod.validate(params(**kwargs))
    assert says in str(caught.value)


def test_validate_normalises():
    wanted = mod.validate(params(primary_domain='Bücher.Example.', addon_domains=['WWW.bücher.example'],
                                 dv_method='email', dv_emails=['admin@xn--bcher-kva.example', 'hostmaster@bücher.example'],
                                 dv_zones=['Bücher.Example']))
    assert wanted['domains'] == ['xn--bcher-kva.example', 'www.xn--bcher-kva.example']
    assert wanted['zones'] == ['xn--bcher-kva.example']


def order(**kwargs):
    base = dict(order_id=1001, status='Activated', domains=['example.com'], csr=CSR, dv_method='dns',
                valid_till=(datetime.date.today() + datetime.timedelta(days=200)).isoformat())
    base.update(kwargs)
    return base


@pytest.mark.parametrize('live, kwargs, actions', [
    (None, {}, ['order']),
    (order(), {}, []),
    (order(), dict(renew_before_days=30), []),
    (order(valid_till=(datetime.date.today() + datetime.timedelta(days=10)).isoformat()), dict(renew_before_days=30),
     ['renew']),
    (order(valid_till=(datetime.date.today() + datetime.timedelta(days=10)).isoformat()), {}, []),
    (order(status='Awaiting Validation', valid_till=''), dict(renew_before_days=30), []),
    (order(), dict(addon_domains=['www.example.com']), ['reissue']),
    (order(csr=CSR.replace('MIIB', 'MIIC')), {}, ['reissue']),
    (order(csr=CSR.replace('\n', '\r\n')), {}, []),
    (order(dv_method='http'), {}, ['change_dv_method']),
    (order(status='Awaiting Validation'), dict(revalidate=True), ['revalidate']),
    (order(), dict(revalidate=True), []),
])
def test_decide(live, kwargs, actions):
    p = params(**kwargs)
    assert mod.decide(p, mod.validate(p), live) == actions


def test_vendor_csr_is_not_compared():
    p = params(csr=None, csr_subject={'city': 'x'}, private_key_path='/tmp/k')
    assert mod.decide(p, mod.validate(p), order(csr='-----BEGIN CERTIFICATE REQUEST-----\nOTHER\n-----END')) == []


def test_certificate_files_and_differs(tmp_path):
    p = params(certificate_path=str(tmp_path / 'c.pem'), chain_path=str(tmp_path / 'ch.pem'),
               fullchain_path=str(tmp_path / 'f.pem'))
    issued = dict(certificate='-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----',
                  certificate_chain='-----BEGIN CERTIFICATE-----\nB\n-----END CERTIFICATE-----')
    files = mod.certificate_files(p, issued)
    assert files[p['fullchain_path']] == files[p['certificate_path']] + files[p['chain_path']]
    for path, content in files.items():
        assert mod.file_differs(path, content, 0o644)
        mod.write_file(path, content, 0o644)
        assert not mod.file_differs(path, content, 0o644)
        assert mod.file_differs(path, content, 0o600)  # the mode counts too
    assert mod.certificate_files(p, dict(certificate='')) == {}
