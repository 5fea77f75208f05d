# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: fleet_leader
short_description: The domain of a play that sends a fleet-wide request for this one
version_added: 1.0.0
description:
  - The onboarding role's fleet-wide stages (docs/performance.md, "Fleet-wide stages") send one request for every
    domain of the play that asks the same of the same vendor account, from one of them, the leader. This filter
    names the leader of O(host) - the first host of the input list that has set the fact O(batch) to the same value
    as O(host) and has the same C(domainsec_<vendor>_*) variables (the vendor account, docs/user-guide.md,
    "Credentials") - or O(host) itself.
  - Only a host name is returned; the account variables are compared, never returned or printed.
author:
  - domainsec.onboard contributors (@domainsec)
positional: hostvars, host, batch, vendor
options:
  _input:
    description: The play's hosts in order (C(ansible_play_hosts)).
    type: list
    elements: str
    required: true
  hostvars:
    description: C(hostvars).
    type: raw
    required: true
  host:
    description: The host to find the leader of (C(inventory_hostname)).
    type: str
    required: true
  batch:
    description: The fact each host sets to what it asks of the vendor (the settings, not its own names); hosts
      without it are not at this stage in this run and are passed over.
    type: str
    required: true
  vendor:
    description: The vendor whose account variables (C(domainsec_<vendor>_*)) must be equal.
    type: str
    required: true
    choices: [securityspace, cyberssl, hardenize, virusdie, sigsci]
'''

EXAMPLES = r'''
- name: The domain that monitors this one's hosts with the others'
  ansible.builtin.set_fact:
    onboard_domain_monitor_leader: >-
      {{ ansible_play_hosts | domainsec.onboard.fleet_leader(hostvars, inventory_hostname,
                                                             'onboard_domain_monitor_batch', 'hardenize') }}
'''

RETURN = r'''
_value:
  description: The leader's inventory host name (O(host) when no other host comes first).
  type: str
'''

from ansible.errors import AnsibleFilterError

VENDORS = ('securityspace', 'cyberssl', 'hardenize', 'virusdie', 'sigsci')


def account(variables, vendor):
    """The host's domainsec_<vendor>_* variables, empty values left out (credentials.yml treats '' as unset)."""
    prefix = 'domainsec_%s_' % vendor
    return dict((name, variables[name]) for name in variables if name.startswith(prefix) and variables[name] not in ('', None))


def fleet_leader(play_hosts, hostvars, host, batch, vendor):
    if vendor not in VENDORS:
        raise AnsibleFilterError('fleet_leader: vendor must be one of %s, got %r' % (', '.join(VENDORS), vendor))
    mine = hostvars[host]
    if batch not in mine:
        raise AnsibleFilterError('fleet_leader: %s has not set %s' % (host, batch))
    wanted, my_account = mine[batch], account(mine, vendor)
    for name in play_hosts or []:
        if name == host:
            return host
        other = hostvars[name]
        if batch in other and other[batch] == wanted and account(other, vendor) == my_account:
            return name
    return host


class FilterModule(object):
    def filters(self):
        return {'fleet_leader': fleet_leader}
