#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cyberssl_product_info
short_description: Read CyberSSL certificate products, their prices and the account balance
version_added: 1.0.0
description:
  - Without O(product_id), lists the certificate products the account can order (C(list_products)).
  - With O(product_id), reads that product (C(get_ssl_product_details)) with the periods it is offered for and the
    number of domains it allows; with O(period) also the price of an order of O(nr_domains) domains for that period
    (C(get_ssl_product_price)).
  - With O(balance=true), also reads the account balance (C(get_balance)), so a play can check that an order is
    affordable before placing it.
  - Only reads; nothing is ever ordered or changed.
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.cyberssl
  - domainsec.onboard.transport
  - domainsec.onboard.attributes.INFO_MODULE
options:
  product_id:
    description: Read only this product, with its periods and, with O(period), its price.
    type: int
  period:
    description:
      - Validity in years (1 to 10) whose price to read. Requires O(product_id).
      - Fails when the product is not offered for this period (see RV(product.periods)).
    type: int
  nr_domains:
    description:
      - Number of domains of the order to price, the primary domain included (at least 1). Domains beyond those the
        product includes cost extra per year.
      - Fails when the product allows fewer domains (see RV(product.max_domains)). Used only with O(period).
    type: int
    default: 1
  balance:
    description: Also read the account balance.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Every product of the account
  domainsec.onboard.cyberssl_product_info:
  environment:
    CYBERSSL_API_KEY: "{{ vault_cyberssl_api_key }}"
  register: catalogue

- name: The wildcard products
  ansible.builtin.debug:
    msg: "{{ catalogue.products | selectattr('is_wildcard') | map(attribute='name') | list }}"

- name: Price of a two-year certificate for three domains, and the balance
  domainsec.onboard.cyberssl_product_info:
    api_key: "{{ vault_cyberssl_api_key }}"
    sandbox: true
    product_id: 19
    period: 2
    nr_domains: 3
    balance: true
  register: offer

- name: Stop when the account cannot pay for it
  ansible.builtin.assert:
    that: offer.balance >= offer.price
    fail_msg: "The order costs {{ offer.price }} but the balance is {{ offer.balance }}"
'''

RETURN = r'''
products:
  description:
    - The products the account can order, as the vendor lists them, flags turned into booleans and RV(product.periods)
      and RV(product.max_domains) added to each.
  returned: without O(product_id)
  type: list
  elements: dict
  sample:
    - product_id: 17
      name: Sectigo PositiveSSL
      validation_type: dv
      is_wildcard: false
      is_multi_domain: false
      periods: [1, 2, 3]
      max_domains: 1
product:
  description: The product O(product_id) as the vendor describes it, with the additions below.
  returned: with O(product_id)
  type: dict
  contains:
    product_id:
      description: The product's id.
      type: int
      sample: 17
    name:
      description: The product's name.
      type: str
      sample: Sectigo PositiveSSL
    brand:
      description: The certificate authority's brand.
      type: str
      sample: sectigo
    validation_type:
      description: C(dv) (domain validation) or C(ov) (organization validation).
      type: str
      sample: dv
    price_for_1year:
      description: The price for one year; C(price_for_<n>year) likewise for every period offered.
      type: raw
      sample: 5
    is_wildcard:
      description: Whether the certificate covers C(*.<domain>).
      type: bool
      sample: false
    is_multi_domain:
      description: Whether the certificate may hold several domains (SANs).
      type: bool
      sample: false
    organization_required:
      description: Whether an order needs the organization's details.
      type: bool
      sample: false
    www_included:
      description: Whether C(www.<domain>) comes free with C(<domain>).
      type: bool
      sample: true
    is_trial:
      description: Whether this is a trial product.
      type: bool
      sample: false
    unlimited_server:
      description: Whether the certificate may be installed on any number of servers.
      type: bool
      sample: true
    multidomains_included:
      description: Number of extra domains the base price includes.
      type: int
      sample: 0
    periods:
      description: The periods (years) the product is offered for.
      type: list
      elements: int
      sample: [1, 2, 3]
    max_domains:
      description: The most domains an order may hold, primary included.
      type: int
      sample: 1
price:
  description: What an order of O(nr_domains) domains for O(period) years costs.
  returned: with O(product_id) and O(period)
  type: float
  sample: 12.0
balance:
  description: The account balance.
  returned: with O(balance=true)
  type: float
  sample: 500.0
api_trace:
  description: Redacted trace of every HTTP request of the run.
  returned: with -vvv or on failure
  type: list
  elements: str
'''

from ansible_collections.domainsec.onboard.plugins.module_utils import cyberssl as cs
from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module

PRODUCT_NOT_FOUND = 105
FLAGS = ('is_wildcard', 'is_multi_domain', 'organization_required', 'www_included', 'is_trial', 'unlimited_server')
MAX_PERIOD = 10


def main():
    spec = cs.CyberSSLClient.argument_spec()
    spec.update(product_id=dict(type='int'), period=dict(type='int'), nr_domains=dict(type='int', default=1),
                balance=dict(type='bool', default=False))
    module = new_module(argument_spec=spec, supports_check_mode=True)
    params = module.params
    problem = check(params)
    if problem:
        module.fail_json(msg=problem)

    run_module(module, cs.CyberSSLClient, lambda client: read(client, params), result=dict(changed=False))


def check(params):
    """The input checks made before any request; a message naming the option, or None."""
    if params['product_id'] is not None and params['product_id'] < 1:
        return 'product_id must be a positive product number, got %s' % params['product_id']
    if params['period'] is not None:
        if not 1 <= params['period'] <= MAX_PERIOD:
            return 'period must be between 1 and %d years, got %s' % (MAX_PERIOD, params['period'])
        if params['product_id'] is None:
            return 'period requires product_id (the product whose price to read)'
    if params['nr_domains'] is None or params['nr_domains'] < 1:
        return 'nr_domains must be at least 1 (the primary domain counts), got %s' % params['nr_domains']
    return None


def product_view(product):
    """A product with its PHP-boolean flags as booleans, its periods and its domain limit."""
    view = dict(product)
    for flag in FLAGS:
        if flag in view:
            view[flag] = cs.truthy(view[flag])
    view['periods'] = cs.periods(product)
    view['max_domains'] = cs.max_domains(product)
    return view


def read(client, params):
    result = {}
    product_id = params['product_id']
    if product_id is None:
        result['products'] = [product_view(p) for p in client.products()]
    else:
        try:
            product = product_view(client.product(product_id))
        except cs.CyberSSLError as exc:
            if exc.error_code == PRODUCT_NOT_FOUND:
                raise DomainsecError('product_id %s: CyberSSL has no such product (%s)' % (product_id, exc),
                                     vendor=cs.VENDOR, code=exc.error_code)
            raise
        result['product'] = product
        period = params['period']
        if period is not None:
            if period not in product['periods']:
                raise DomainsecError('period %s: product %s is not offered for %s year(s); it is offered for %s'
                                     % (period, product_id, period,
                                        ', '.join(str(p) for p in product['periods']) or 'no period'),
                                     vendor=cs.VENDOR)
            if params['nr_domains'] > product['max_domains']:
                raise DomainsecError('nr_domains %s: product %s allows at most %d domain(s), the primary included'
                                     % (params['nr_domains'], product_id, product['max_domains']), vendor=cs.VENDOR)
            result['price'] = client.price(product_id, period, params['nr_domains'])
    if params['balance']:
        result['balance'] = client.balance()
    return result


if __name__ == '__main__':
    main()
