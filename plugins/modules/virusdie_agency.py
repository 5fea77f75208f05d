#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: virusdie_agency
short_description: Manage the Virusdie agency (hoster) record of the account
version_added: 1.0.0
description:
  - Makes sure the account's agency record (the partner's name, contact and bank details) has the given fields
    (C(agency_update), which creates the record when there is none), or removes it (C(agency_delete)).
  - Only the fields given are compared; C(agency_update) is sent with the current record merged with them.
  - Every field is at most 255 characters; a longer value fails before any request.
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.virusdie
  - domainsec.onboard.transport
attributes:
  check_mode:
    support: full
    description: Predicts the change and sends no write.
  diff_mode:
    support: full
    description: Shows the record before and after.
options:
  state:
    description: Whether the agency record exists.
    type: str
    choices: [present, absent]
    default: present
  title:
    description: Agency (hoster) name, at most 255 characters. Required to create the record.
    type: str
  email:
    description: Contact e-mail address (its domain may be Unicode; it is sent in its IDNA 2008 form). Required to
      create the record.
    type: str
  website:
    description: Website, in any form.
    type: str
  logourl:
    description: Logo image URL, starting with C(http://) or C(https://), with a host name or IP address and without a
      user name or password.
    type: str
  phone:
    description: Contact phone.
    type: str
  country:
    description: Country name or ISO 3166-1 code.
    type: str
  zipcode:
    description: Postal code.
    type: str
  address:
    description: Address, in any form.
    type: str
  bank_currency:
    description: Bank - 3-letter currency code (USD, GBP).
    type: str
  bank_swift:
    description: Bank - SWIFT code.
    type: str
  bank_account:
    description: Bank - account number.
    type: str
  bank_routing:
    description: Bank - routing number.
    type: str
  bank_country:
    description: Bank - country name or code.
    type: str
  bank_invoicemail:
    description: Bank - e-mail address for invoices.
    type: str
notes:
  - "Requests per run: 1 read (C(agency_view)), plus the write when one is needed."
'''

EXAMPLES = r'''
- name: Our agency record
  domainsec.onboard.virusdie_agency:
    title: Example Hosting
    email: partners@example.com
    website: https://www.example.com
    country: DE
'''

RETURN = r'''
agency:
  description: The record after the run (predicted in check mode); empty after removal.
  returned: success
  type: dict
api_trace:
  description: Redacted trace of every HTTP request of the run.
  returned: with -vvv or on failure
  type: list
  elements: str
'''

import re

from ansible_collections.domainsec.onboard.plugins.module_utils import virusdie as vd
from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_email, check_url
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module

# The longest text a field of the agency record may have. The document gives no limit; 255 characters (a VARCHAR(255)
# column, what a name, an address line or a URL field holds in most stores) keeps a runaway value (a file read into a
# variable) from being sent. See docs/virusdie.md.
MAX_FIELD = 255


def validate(params):
    wanted = dict((f, params[f].strip()) for f in vd.AGENCY_FIELDS if params[f] is not None)
    if params['state'] == 'absent' and wanted:
        raise ValueError('%s cannot be used with state=absent' % ', '.join(sorted(wanted)))
    for option in vd.AGENCY_FIELDS:
        if len(wanted.get(option) or '') > MAX_FIELD:
            raise ValueError('%s must be at most %d characters, got %d' % (option, MAX_FIELD, len(wanted[option])))
    for option in ('email', 'bank_invoicemail'):
        if wanted.get(option):
            wanted[option] = check_email(wanted[option], option)
    if wanted.get('logourl'):
        check_url(wanted['logourl'], 'logourl', schemes=('http', 'https'))  # "starting from http[s]://"
    if wanted.get('bank_currency') and not re.match(r'[A-Za-z]{3}\Z', wanted['bank_currency']):
        raise ValueError('bank_currency must be a 3-letter currency code such as USD, got %r' % wanted['bank_currency'])
    for option in ('title', 'email'):  # the two fields Virusdie requires
        if option in wanted and not wanted[option]:
            raise ValueError('%s must not be empty' % option)
    return wanted


def main():
    spec = vd.VirusdieClient.argument_spec()
    spec.update(state=dict(type='str', default='present', choices=['present', 'absent']))
    spec.update((f, dict(type='str')) for f in vd.AGENCY_FIELDS)
    module = new_module(argument_spec=spec, supports_check_mode=True)
    try:
        wanted = validate(module.params)
    except ValueError as exc:
        module.fail_json(msg=str(exc))

    run_module(module, vd.VirusdieClient, lambda client: run(module, client, wanted))


def run(module, client, wanted):
    current = client.view_agency()
    before = dict(current or {})
    if module.params['state'] == 'absent':
        result = dict(changed=current is not None, agency={})
        if module._diff:
            result['diff'] = dict(before=before, after={})
        if current is not None and not module.check_mode:
            client.delete_agency()
        return result
    if current is None and not (wanted.get('title') and wanted.get('email')):
        raise DomainsecError('title and email are required to create the agency record (there is none yet)')
    after = dict(before, **wanted)
    changed = any(str(before.get(k) or '') != v for k, v in wanted.items())
    result = dict(changed=changed, agency=after)
    if module._diff:
        result['diff'] = dict(before=before, after=after)
    if changed and not module.check_mode:
        answer = client.update_agency(after)
        result['agency'] = answer if isinstance(answer, dict) and answer.get('title') else after
    return result


if __name__ == '__main__':
    main()
