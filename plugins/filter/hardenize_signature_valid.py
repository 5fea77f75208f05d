# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: hardenize_signature_valid
short_description: Verify the signature of a Hardenize event delivery
version_added: 1.0.0
description:
  - Recomputes the HMAC-SHA256 of C(<t>;<body>) with the event hook's secret, compares it in constant time with the
    C(X-Hardenize-Signature) header, and rejects deliveries whose timestamp is more than O(max_age) seconds away.
  - Returns V(true) or V(false); a malformed header, an empty secret or a tampered body give V(false).
author:
  - domainsec.onboard contributors (@domainsec)
positional: signature_header, secret
options:
  _input:
    description: The verbatim request body of the delivery.
    type: str
    required: true
  signature_header:
    description: The value of the C(X-Hardenize-Signature) header, C(t=<ms>; hmac-sha256=<hex>).
    type: str
    required: true
  secret:
    description: The event hook's secret (returned by M(domainsec.onboard.hardenize_event_hook)).
    type: str
    required: true
  max_age:
    description: Largest accepted distance, in seconds, between the signature's timestamp and now; 0 switches the check off.
    type: int
    default: 300
'''

EXAMPLES = r'''
- name: Refuse a delivery that Hardenize did not sign
  ansible.builtin.assert:
    that:
      - delivery.body | domainsec.onboard.hardenize_signature_valid(delivery.headers['X-Hardenize-Signature'], hook.hook.secret)
'''

RETURN = r'''
_value:
  description: Whether the signature is valid and fresh.
  type: bool
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.domainsec.onboard.plugins.module_utils.hardenize_signature import signature_valid


def hardenize_signature_valid(body, signature_header, secret, max_age=300):
    try:
        max_age = int(max_age)
    except (TypeError, ValueError):
        raise AnsibleFilterError('hardenize_signature_valid: max_age must be a number of seconds, got %r' % (max_age,))
    if max_age < 0:
        raise AnsibleFilterError('hardenize_signature_valid: max_age must not be negative')
    if not isinstance(body, (str, bytes)):
        raise AnsibleFilterError('hardenize_signature_valid: the input must be the verbatim body as a string')
    return signature_valid(body, signature_header, secret, max_age=max_age)


class FilterModule(object):

    def filters(self):
        return {'hardenize_signature_valid': hardenize_signature_valid}
