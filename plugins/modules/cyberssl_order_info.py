#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cyberssl_order_info
short_description: Read CyberSSL certificate orders, their certificate and what validation they wait for
version_added: 1.0.0
description:
  - Without O(order_id), lists the orders of the account (one C(my_orders) request), optionally only those of one
    domain or in some statuses.
  - With O(order_id), reads that order (C(order_status)) with its certificate and chain and, unless it is
    C(Activated), the domain validation it waits for (C(get_dv_options)) - the DNS records to publish, the files to
    serve or the e-mail addresses that may approve it.
  - Only reads; nothing is ever ordered or changed. No private key is ever returned (the API does not send one here).
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.cyberssl
  - domainsec.onboard.transport
  - domainsec.onboard.attributes.INFO_MODULE
options:
  order_id:
    description:
      - Read only this order, with its certificate, chain and domain validation details.
      - Fails when the account has no such order.
      - Mutually exclusive with O(domain) and O(status).
    type: int
  domain:
    description:
      - Only the orders for this domain - its primary domain or any domain (SAN) of the order. Case and a trailing dot
        are ignored; a Unicode name is compared in its punycode form. C(*.example.com) matches wildcard orders. A
        name of one label (V(localhost)) or with an all-digit top-level label fails before any request.
    type: str
  status:
    description: Only the orders in one of these statuses.
    type: list
    elements: str
    choices:
      - Awaiting Validation
      - Awaiting Activation
      - Processing
      - Activated
      - Rejected
      - Cancelled
      - Duplicate Certificate
      - Expired
'''

EXAMPLES = r'''
- name: The live orders of www.example.com
  domainsec.onboard.cyberssl_order_info:
    domain: www.example.com
    status: [Awaiting Validation, Awaiting Activation, Processing, Activated]
  register: orders

- name: Certificates that expire within 30 days
  ansible.builtin.debug:
    msg: "{{ orders.orders | selectattr('days_left', 'ne', None) | selectattr('days_left', '<', 30)
             | map(attribute='primary_domain') | list }}"

- name: One order, its certificate and the DNS records it waits for
  domainsec.onboard.cyberssl_order_info:
    order_id: 1001
  environment:
    CYBERSSL_API_KEY: "{{ vault_cyberssl_api_key }}"
  register: one_order

- name: Install the certificate and its chain
  ansible.builtin.copy:
    dest: "{{ tls_dir | default('/etc/ssl') }}/certs/www.example.com.pem"
    content: "{{ one_order.orders[0].certificate }}\n{{ one_order.orders[0].chain }}\n"
    mode: "0644"
  when: one_order.orders[0].status == 'Activated'

- name: Every order of the account, credentials set once for the play
  module_defaults:
    group/domainsec.onboard.cyberssl:
      api_key: "{{ vault_cyberssl_api_key }}"
      sandbox: true
  block:
    - name: Read them
      domainsec.onboard.cyberssl_order_info:
      register: all_orders
'''

RETURN = r'''
orders:
  description:
    - The orders, by order id; with O(order_id) a list of that one order.
  returned: always
  type: list
  elements: dict
  contains:
    order_id:
      description: The vendor's order id.
      type: int
      sample: 1001
    product_id:
      description: The product ordered.
      type: int
      sample: 17
    order_type:
      description: C(new) or C(renew), as the vendor reports it.
      type: str
      sample: new
    primary_domain:
      description: The certificate's primary domain (common name).
      type: str
      sample: www.example.com
    domains:
      description: Every domain of the order, primary included, lowercase.
      type: list
      elements: str
      sample: [www.example.com, example.com]
    status:
      description: The order's status.
      type: str
      sample: Awaiting Validation
    period:
      description: The validity bought, in years.
      type: int
      sample: 1
    amount:
      description: What the order cost.
      type: float
      sample: 12.0
    valid_from:
      description: First day of the certificate's validity (C(YYYY-MM-DD)); null until it is issued.
      type: str
      sample: "2026-01-15"
    valid_till:
      description: Last day of the certificate's validity (C(YYYY-MM-DD)); null until it is issued.
      type: str
      sample: "2027-01-15"
    days_left:
      description: Days until RV(orders[].valid_till) (negative once passed); null until the certificate is issued.
      type: int
      sample: 287
    dv_method:
      description:
        - How domain ownership is validated - C(dns), C(http), C(https) or C(email) (without the e-mail addresses).
        - Null when the vendor does not say; the listing of all orders (C(my_orders)) may not carry it.
      type: str
      sample: dns
    certificate:
      description: The certificate (PEM); null until it is issued.
      type: str
      returned: with O(order_id)
      sample: "-----BEGIN CERTIFICATE-----\nMIIF...\n-----END CERTIFICATE-----"
    chain:
      description: The intermediate certificates (PEM, C(certificate_chain)); null until the certificate is issued.
      type: str
      returned: with O(order_id)
      sample: "-----BEGIN CERTIFICATE-----\nMIIG...\n-----END CERTIFICATE-----"
    dv:
      description:
        - What the order's validation method needs, read when the order is not C(Activated); empty lists otherwise.
      type: dict
      returned: with O(order_id)
      contains:
        dv_records:
          description: For C(dns), the record to publish per domain.
          type: list
          elements: dict
          sample:
            - domain: www.example.com
              zone: example.com
              name: _3f2a9c.www
              type: CNAME
              value: 0a1b2c.3d4e5f.sectigo.com.
              fqdn: _3f2a9c.www.example.com.
        dv_files:
          description: For C(http) and C(https), the file to serve per domain (C(url) is where the CA looks for it).
          type: list
          elements: dict
          sample:
            - domain: www.example.com
              filename: F50E098C713586FE9A363B33BACDD249.txt
              content: b056c5e3252182a844b80e1eb5de04736c09c9d9
              url: http://www.example.com/.well-known/pki-validation/F50E098C713586FE9A363B33BACDD249.txt
        dv_emails:
          description: For C(email), the addresses that may approve, per domain.
          type: dict
          sample: {www.example.com: [admin@example.com, hostmaster@example.com]}
api_trace:
  description: Redacted trace of every HTTP request of the run.
  returned: with -vvv or on failure
  type: list
  elements: str
'''

from ansible_collections.domainsec.onboard.plugins.module_utils import cyberssl as cs
from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_name

NOT_ALLOWED = 111  # "Not allowed while the order is <status>"


def main():
    spec = cs.CyberSSLClient.argument_spec()
    spec.update(order_id=dict(type='int'), domain=dict(type='str'),
                status=dict(type='list', elements='str', choices=list(cs.LIVE_STATUSES + cs.TERMINAL_STATUSES)))
    module = new_module(argument_spec=spec, supports_check_mode=True,
                        mutually_exclusive=[('order_id', 'domain'), ('order_id', 'status')])
    params = module.params
    if params['order_id'] is not None and params['order_id'] < 1:
        module.fail_json(msg='order_id must be a positive order number, got %s' % params['order_id'])
    domain = None
    if params['domain'] is not None:
        try:  # compared as the API's domains are: punycode, lowercase, no trailing dot
            domain = check_name(params['domain'], 'domain', wildcard=True)
        except ValueError as exc:
            module.fail_json(msg=str(exc))

    run_module(module, cs.CyberSSLClient, lambda client: read(client, params, domain), result=dict(changed=False))


def text_or_none(value):
    return value if value not in (None, '') else None


def order_view(order):
    """The documented fields of an order (a ``my_orders`` summary or an ``order_status`` reply)."""
    return dict(
        order_id=cs.as_int(order.get('order_id')),
        product_id=cs.as_int(order.get('product_id')),
        order_type=text_or_none(order.get('order_type')),
        primary_domain=str(order.get('primary_domain') or '').strip().lower().rstrip('.') or None,
        domains=list(order.get('domains') or []),
        status=order.get('status'),
        period=cs.as_int(order.get('period')),
        amount=cs.money(order.get('amount')),
        valid_from=text_or_none(order.get('valid_from')),
        valid_till=text_or_none(order.get('valid_till')),
        days_left=cs.days_left(order),
        dv_method=cs.dv_method_of(order) or None,
    )


def matches(order, domain, statuses):
    if statuses and order.get('status') not in statuses:
        return False
    if domain is not None:
        names = set(order.get('domains') or [])
        names.add(str(order.get('primary_domain') or '').strip().lower().rstrip('.'))
        return domain in names
    return True


def one_order(client, order_id):
    order = client.order(order_id)
    if order is None:
        raise DomainsecError('order_id %s: the CyberSSL account has no such order' % order_id, vendor=cs.VENDOR,
                             code=cs.ORDER_NOT_FOUND)
    view = order_view(order)
    view['certificate'] = text_or_none(order.get('certificate'))
    view['chain'] = text_or_none(order.get('certificate_chain'))
    options = {}
    if order.get('status') != 'Activated':
        try:
            options = client.dv_options(order_id, 'all')
        except cs.CyberSSLError as exc:
            # A closed order (rejected, cancelled, expired) may have no validation left to show.
            if exc.error_code != NOT_ALLOWED:
                raise
    view['dv'] = cs.dv_view(options, view['dv_method'], view['domains'])
    return view


def read(client, params, domain):
    if params['order_id'] is not None:
        return dict(orders=[one_order(client, params['order_id'])])
    statuses = set(params['status'] or ())
    chosen = [order_view(o) for o in client.orders() if matches(o, domain, statuses)]
    return dict(orders=sorted(chosen, key=lambda o: (o['order_id'] is None, o['order_id'] or 0)))


if __name__ == '__main__':
    main()
