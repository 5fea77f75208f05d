# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What ``cyberssl_order`` decides, apart from what it does: the live order a task manages, whether it is renewed,
reissued or left alone (:func:`decide`), which live orders are a second purchase (:func:`unexplained`), and the
checks before anything is paid for (:func:`check_purchase`: product, contact, price cap, balance; :func:`check_csr`).
The module runs the same decision in check mode and in a real run; unit tests reach it without a server."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import math

from ansible_collections.domainsec.onboard.plugins.module_utils import cyberssl as cs
from ansible_collections.domainsec.onboard.plugins.module_utils.cert_files import PENDING
from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError
from ansible_collections.domainsec.onboard.plugins.module_utils.x509 import same_key

# A renewal may be placed this many days before the certificate it renews expires (or renew_before_days, when more):
# within it, a renewal and the order it renews are two live orders of one certificate, not a second purchase.
RENEWAL_OVERLAP_DAYS = 90


def find_live(client, params, wanted):
    """The order this task manages (or None), and every live order of the domain and product."""
    if params.get('order_id'):
        order = client.order(params['order_id'])
        if order is None:
            raise DomainsecError('order_id %s: CyberSSL knows no such order' % params['order_id'], vendor=cs.VENDOR)
        if cs.base_domain(order.get('primary_domain') or '') != cs.base_domain(wanted['primary']) and \
                (order.get('primary_domain') or '').lower() != wanted['primary']:
            raise DomainsecError('order_id %s is for %s, not for primary_domain %s' % (
                params['order_id'], order.get('primary_domain'), wanted['primary']), vendor=cs.VENDOR)
        return order, [order]
    live = [o for o in client.orders() if matches_live(o, wanted['primary'], params['product_id'])]
    live.sort(key=lambda o: cs.as_int(o.get('order_id')) or 0)
    if not live:
        return None, live
    # The newest live order, read in full: a my_orders summary has neither the CSR nor the certificate.
    return client.order(live[-1]['order_id']) or live[-1], live


def matches_live(order, primary, product_id):
    return ((order.get('primary_domain') or '').lower().rstrip('.') == primary and
            cs.as_int(order.get('product_id')) == product_id and order.get('status') in cs.LIVE_STATUSES)


def unexplained(live, renew_before_days=None):
    """The live orders that are not one certificate's: each renewal (``order_type`` renew) explains the newest older
    activated order that expires within the renewal window of the renewal's creation. More than one left means a
    second purchase."""
    window = max(renew_before_days or 0, RENEWAL_OVERLAP_DAYS)
    left = sorted(live, key=lambda o: cs.as_int(o.get('order_id')) or 0)
    for renewal in [o for o in left if str(o.get('order_type') or '').lower() == 'renew']:
        created = cs.parse_date(renewal.get('created')) or datetime.date.today()
        renewed = [o for o in left if (cs.as_int(o.get('order_id')) or 0) < (cs.as_int(renewal.get('order_id')) or 0)
                   and o.get('status') == 'Activated' and cs.parse_date(o.get('valid_till')) is not None
                   and (cs.parse_date(o.get('valid_till')) - created).days <= window]
        if renewed:
            left.remove(renewed[-1])
    return left


def renewal_due(params, order):
    left = cs.days_left(order)
    return (order.get('status') == 'Activated' and params.get('renew_before_days') is not None and left is not None
            and left <= params['renew_before_days'])


def order_key(order):
    """What the order's key is read from: its CSR (after a reissue the old certificate stays readable until the new
    one is issued), else its certificate."""
    return order.get('csr') or order.get('certificate') or ''


def decide(params, wanted, order, keys=None):
    """What to do with ``order`` (the live order or None): ``{'actions': [...], 'renewal_due': bool}``.

    ``keys`` (:class:`KeyFiles`) are the keys on this machine. With ``csr_subject`` the order's key must be one of
    them; when it is not, the order is reissued with a new key (``recover_key``) or :class:`KeyNotHere` is raised.
    """
    plan = dict(actions=[], renewal_due=False)
    if order is None:
        plan['actions'] = ['order']
        return plan
    if renewal_due(params, order):
        plan['renewal_due'] = True
        if wanted['csr'] and params.get('renew_key') == 'new' and \
                same_key(wanted['csr'], order.get('certificate') or '') is not False:
            return plan  # a renewal with this CSR would keep the key: the caller makes a new one first
        plan['actions'] = ['renew']
        return plan
    reissue = sorted(order.get('domains') or []) != sorted(wanted['domains'])
    if wanted['csr'] and order.get('csr') is not None and cs.pem_body(order.get('csr')) != cs.pem_body(wanted['csr']):
        reissue = True
    if not wanted['csr'] and keys is not None and keys.holder(order_key(order)) is None:
        if not params.get('recover_key'):
            raise KeyNotHere(order, keys)
        reissue = True
    if reissue:
        plan['actions'] = ['reissue']
        return plan
    if cs.dv_method_of(order) and cs.dv_method_of(order) != wanted['method']:
        plan['actions'].append('change_dv_method')
    if params['revalidate'] and order.get('status') == 'Awaiting Validation':
        plan['actions'].append('revalidate')
    return plan


class KeyNotHere(DomainsecError):
    """The live order was made for a key CyberSSL generated, and that key is not on this machine."""

    def __init__(self, order, keys):
        super(KeyNotHere, self).__init__(
            'order %s for %s (%s) belongs to a key that is not on this machine: neither private_key_path %s nor %s%s '
            'holds it (its reply with the key was lost, or this is a new controller or a new AWX job). No certificate '
            'file was written. Either set recover_key: true, which reissues the order with a new key CyberSSL makes '
            '(free of charge; the certificate is issued again once the new validation passes), or give the CSR of a '
            'key you have as csr, which reissues the order with that key' % (
                order.get('order_id'), order.get('primary_domain'), order.get('status'), keys.path, keys.path, PENDING),
            vendor=cs.VENDOR)


def check_purchase(client, params, wanted, action, product):
    """Everything a paid order needs, checked before it is placed; returns the price."""
    check_product(params, wanted, product)
    if not params.get('admin_contact'):
        raise DomainsecError('admin_contact is required to place an order (first_name, last_name, phone, title, email)',
                             vendor=cs.VENDOR)
    price = client.price(params['product_id'], params['period'], len(wanted['domains']))
    if price is None or not math.isfinite(price) or price < 0:
        raise DomainsecError('CyberSSL sent no usable price for product %s (%r); nothing was ordered'
                             % (params['product_id'], price), vendor=cs.VENDOR)
    if params.get('max_price') is not None and price > params['max_price']:
        raise DomainsecError('max_price %.2f is below the price %.2f of product %s for %d year(s) and %d domain(s); '
                             'nothing was ordered' % (params['max_price'], price, params['product_id'], params['period'],
                                                      len(wanted['domains'])), vendor=cs.VENDOR)
    balance = client.balance()
    if balance is not None and balance < price:
        raise DomainsecError('the CyberSSL balance %.2f is %.2f short of the price %.2f of this %s order; nothing was '
                             'ordered' % (balance, price - balance, price, 'renewal' if action == 'renew' else 'new'),
                             vendor=cs.VENDOR)
    return price


def check_product(params, wanted, product):
    """The product offers the period, the domain count and wildcards; organisation fields exactly when required."""
    name = '%s (%s)' % (params['product_id'], product.get('name') or 'product')
    offered = cs.periods(product)
    if params['period'] not in offered:
        raise DomainsecError('period: product %s is not offered for %d year(s); it is for %s' % (
            name, params['period'], ', '.join(str(p) for p in offered) or 'no period'), vendor=cs.VENDOR)
    wildcards = [d for d in wanted['domains'] if d.startswith('*.')]
    if wildcards and not cs.truthy(product.get('is_wildcard')):
        raise DomainsecError('%s: product %s does not allow wildcard domains (%s)' % (
            'primary_domain' if wanted['primary'].startswith('*.') else 'addon_domains', name, ', '.join(wildcards)),
            vendor=cs.VENDOR)
    if len(wanted['domains']) > cs.max_domains(product):
        raise DomainsecError('addon_domains: product %s covers at most %d domain(s), the order has %d' % (
            name, cs.max_domains(product), len(wanted['domains'])), vendor=cs.VENDOR)
    required = cs.truthy(product.get('organization_required'))
    if required and not params.get('organization'):
        raise DomainsecError('organization is required: product %s is business-validated (organization_required)'
                             % name, vendor=cs.VENDOR)
    if params.get('organization') and not required:
        raise DomainsecError('organization is only for business-validated products; product %s does not take it'
                             % name, vendor=cs.VENDOR)


def check_reissue_subject(params):
    """``reissue_ssl_order`` with a vendor-made CSR takes department and e-mail too (the document lists them as
    required there, not for ``add_ssl_order``)."""
    subject = params.get('csr_subject') or {}
    missing = [field for field in ('department', 'email') if subject and not subject.get(field)]
    if missing:
        raise DomainsecError('csr_subject.%s: a reissue with a key CyberSSL makes needs %s as well (reissue_ssl_order '
                             'requires csr_department and csr_email); nothing was reissued'
                             % (missing[0], ' and '.join(missing)), vendor=cs.VENDOR)


def check_csr(client, params, wanted):
    """The vendor's reading of the CSR names primary_domain (and no domain outside the order)."""
    if not wanted['csr']:
        return
    parsed = client.validate_csr(wanted['csr'], params['product_id'], wanted['addons'])
    common = (parsed.get('common_name') or '').lower().rstrip('.')
    if common != wanted['primary']:
        raise DomainsecError('csr: its common name is %s, not primary_domain %s' % (common or '(none)', wanted['primary']),
                             vendor=cs.VENDOR)
    san = cs.split_domains(parsed.get('san'))
    stray = sorted(set(san) - set(wanted['domains']))
    if stray:
        raise DomainsecError('csr: it names %s, which is not among primary_domain and addon_domains' % ', '.join(stray),
                             vendor=cs.VENDOR)
