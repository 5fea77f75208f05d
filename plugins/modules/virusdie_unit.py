#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: virusdie_unit
short_description: Change a Virusdie unit's e-mail address, or delete a unit
version_added: 1.0.0
description:
  - A unit is an end customer, known by the e-mail address the account's sites are shared with. Units are created by
    sharing a site (M(domainsec.onboard.virusdie_site) with O(domainsec.onboard.virusdie_site#module:share_with)).
  - With O(new_email), the unit's address changes for every site shared with it (C(unit_update)).
  - With O(state=absent), the unit is deleted and its sites unshared (C(unit_delete)); with O(with_sites=true) its
    sites are deleted too.
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
    description: Shows the unit's address and sites before and after.
options:
  unit:
    description: The unit's current e-mail address.
    type: str
    required: true
  new_email:
    description: The unit's new e-mail address. When the unit already has it (and O(unit) is unknown), nothing is done.
    type: str
  state:
    description: V(absent) deletes the unit.
    type: str
    choices: [present, absent]
    default: present
  with_sites:
    description: With O(state=absent), also delete the sites shared with the unit.
    type: bool
    default: false
notes:
  - "Requests per run: 1 read (C(sites_list)), plus the write when one is needed."
'''

EXAMPLES = r'''
- name: The customer changed their address
  domainsec.onboard.virusdie_unit:
    unit: old@example.com
    new_email: new@example.com

- name: The customer left; keep the sites, unshared
  domainsec.onboard.virusdie_unit:
    unit: new@example.com
    state: absent
'''

RETURN = r'''
unit:
  description: The unit's address after the run, or null after deletion.
  returned: success
  type: str
sites:
  description: The domains that were shared with the unit.
  returned: success
  type: list
  elements: str
api_trace:
  description: Redacted trace of every HTTP request of the run.
  returned: with -vvv or on failure
  type: list
  elements: str
'''

from ansible_collections.domainsec.onboard.plugins.module_utils import virusdie as vd
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_email
from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module


def main():
    spec = vd.VirusdieClient.argument_spec()
    spec.update(unit=dict(type='str', required=True), new_email=dict(type='str'),
                state=dict(type='str', default='present', choices=['present', 'absent']),
                with_sites=dict(type='bool', default=False))
    module = new_module(argument_spec=spec, supports_check_mode=True)
    params = module.params
    for option in ('unit', 'new_email'):
        if params[option] is not None:
            try:
                params[option] = check_email(params[option], option)
            except ValueError as exc:
                module.fail_json(msg=str(exc))
    if params['state'] == 'present' and params['new_email'] is None:
        module.fail_json(msg='new_email is required with state=present (units are created by sharing a site)')
    if params['state'] == 'absent' and params['new_email'] is not None:
        module.fail_json(msg='new_email cannot be used with state=absent')

    run_module(module, vd.VirusdieClient, lambda client: run(module, client))


def shared_with(client, unit):
    """The domains of the sites shared with ``unit`` (one ``sites_list?unit=`` read: the guide's sites name no
    owner)."""
    return sorted(s.get('domain') or h for h, s in client.list_sites(unit=unit).items())


def run(module, client):
    params = module.params
    unit = params['unit'].strip().lower()
    have = shared_with(client, unit)
    if params['state'] == 'absent':
        result = dict(changed=bool(have), unit=None, sites=have)
        if module._diff:
            result['diff'] = dict(before=dict(unit=unit, sites=have), after={})
        if have and not module.check_mode:
            client.delete_unit(unit, with_sites=params['with_sites'])
        return result
    new = params['new_email'].strip().lower()
    if not have:
        now = shared_with(client, new) if new != unit else []
        if now or new == unit:
            return dict(changed=False, unit=new, sites=now)
        raise DomainsecError('No site is shared with the unit %s, so Virusdie does not know it; share a site with it '
                             'first (virusdie_site share_with)' % unit, vendor=vd.VENDOR)
    result = dict(changed=new != unit, unit=new, sites=have)
    if module._diff:
        result['diff'] = dict(before=dict(unit=unit, sites=have), after=dict(unit=new, sites=have))
    if result['changed'] and not module.check_mode:
        client.update_unit(unit, new)
    return result


if __name__ == '__main__':
    main()
