#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cyberssl_csr_info
short_description: Check a certificate signing request with CyberSSL before ordering
version_added: 1.0.0
description:
  - Sends a CSR to CyberSSL's C(validate_csr) and returns what the vendor reads from it (common name, organization,
    SANs, key type and size, number of domains).
  - With O(product_id), the vendor also checks that the CSR suits that product; with O(addon_domains), that those
    extra domains may be added to it.
  - Fails with the vendor's own message when the vendor refuses the CSR (for example C(108 Invalid CSR)), so a play
    can stop before it orders anything.
  - Only reads; nothing is ever ordered or changed. Only the request is sent, never a private key.
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.cyberssl
  - domainsec.onboard.transport
  - domainsec.onboard.attributes.INFO_MODULE
options:
  csr:
    description:
      - The certificate signing request in PEM form (C(-----BEGIN CERTIFICATE REQUEST-----) or
        C(-----BEGIN NEW CERTIFICATE REQUEST-----)).
      - A value that holds a private key is refused before anything is sent.
    type: str
    required: true
  product_id:
    description: Also check that the CSR suits this product.
    type: int
  addon_domains:
    description:
      - Extra domains (SANs) of the order beyond the CSR's common name, checked against the product.
      - Each a domain name or a wildcard (C(*.example.com)) of at least two labels, as for
        O(domainsec.onboard.cyberssl_order#module:addon_domains).
    type: list
    elements: str
'''

EXAMPLES = r'''
- name: Check the CSR for www.example.com and example.com (files/www.example.com.csr) against the product to order
  domainsec.onboard.cyberssl_csr_info:
    csr: "{{ lookup('ansible.builtin.file', 'www.example.com.csr') }}"
    product_id: 19
    addon_domains: [example.com]
  environment:
    CYBERSSL_API_KEY: "{{ vault_cyberssl_api_key }}"
  register: checked

- name: Show what the vendor read
  ansible.builtin.debug:
    msg: "{{ checked.csr.common_name }} ({{ checked.csr.type }} {{ checked.csr.keysize }}), SANs {{ checked.csr.san }}"
'''

RETURN = r'''
valid:
  description: Whether the vendor accepted the CSR (a refused CSR fails the task instead).
  returned: success
  type: bool
  sample: true
csr:
  description: What the vendor read from the CSR.
  returned: success
  type: dict
  contains:
    common_name:
      description: The common name (CN).
      type: str
      sample: www.example.com
    organization:
      description: The organization (O); empty when the CSR has none.
      type: str
      sample: Example Ltd
    department:
      description: The organizational unit (OU).
      type: str
      sample: IT
    city:
      description: The locality (L).
      type: str
      sample: London
    state:
      description: The state or province (ST).
      type: str
      sample: London
    country:
      description: The country code (C).
      type: str
      sample: GB
    email:
      description: The e-mail address in the subject.
      type: str
      sample: hostmaster@example.com
    san:
      description: The subject alternative names (the vendor's comma-separated string as a list).
      type: list
      elements: str
      sample: [www.example.com, example.com]
    type:
      description: The key type.
      type: str
      sample: RSA
    keysize:
      description: The key size in bits.
      type: int
      sample: 2048
    total_domains:
      description: The number of domains the CSR and O(addon_domains) hold together.
      type: int
      sample: 2
api_trace:
  description: Redacted trace of every HTTP request of the run.
  returned: with -vvv or on failure
  type: list
  elements: str
'''

import re

from ansible_collections.domainsec.onboard.plugins.module_utils import cyberssl as cs
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_name

CSR_BEGIN = re.compile(r'-----BEGIN (NEW )?CERTIFICATE REQUEST-----')
PRIVATE_KEY = re.compile(r'-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|\Z)', re.S)


def main():
    spec = cs.CyberSSLClient.argument_spec()
    spec.update(csr=dict(type='str', required=True), product_id=dict(type='int'),
                addon_domains=dict(type='list', elements='str'))
    module = new_module(argument_spec=spec, multiline=('csr',), supports_check_mode=True)
    params = module.params
    keys = [m.group(0) for m in PRIVATE_KEY.finditer(params['csr'])]
    if keys:
        for key in keys:  # masked wherever Ansible echoes the arguments
            module.no_log_values.add(key)
        module.fail_json(msg='csr holds a private key; pass only the certificate request (-----BEGIN CERTIFICATE '
                             'REQUEST-----). Nothing was sent.')
    if not CSR_BEGIN.search(params['csr']):
        module.fail_json(msg='csr must be a certificate signing request in PEM form, starting with '
                             '-----BEGIN CERTIFICATE REQUEST-----')
    if params['product_id'] is not None and params['product_id'] < 1:
        module.fail_json(msg='product_id must be a positive product number, got %s' % params['product_id'])
    addons = None
    if params['addon_domains'] is not None:
        try:
            addons = [check_name(name, 'addon_domains[%d]' % index, wildcard=True)
                      for index, name in enumerate(params['addon_domains'])]
        except ValueError as exc:
            module.fail_json(msg=str(exc))

    run_module(module, cs.CyberSSLClient, lambda client: read(client, params, addons), result=dict(changed=False))


def csr_view(answer):
    """The vendor's reading of the CSR with ``san`` as a list and the counts as integers."""
    view = dict(answer or {})
    san = view.get('san')
    view['san'] = [s.strip() for s in (san if isinstance(san, list) else str(san or '').split(',')) if s and s.strip()]
    for key in ('keysize', 'total_domains'):
        if key in view:
            view[key] = cs.as_int(view[key])
    return view


def read(client, params, addons):
    answer = client.validate_csr(params['csr'].strip() + '\n', product_id=params['product_id'], addon_domains=addons)
    return dict(valid=True, csr=csr_view(answer))


if __name__ == '__main__':
    main()
