#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ssdns_domain
short_description: Manage a DNS zone hosted by SecuritySpace
version_added: 1.0.0
description:
  - Adds or deletes a domain (zone) in a SecuritySpace DNS account, accepting the acceptable use policy on creation.
  - Sets the SOA admin contact and minimum TTL (C(dnsSetSOA)) and the zone-transfer options (C(dnsSetOptions)) when
    they differ from what the zone has.
  - Publishes the zone (C(dnsPublish)) when something changed or the zone is not published yet. Publish errors fail
    the task; warnings are returned.
  - A new zone comes with the SecuritySpace name servers (ns1-ns4.securityspace.net) and a default SOA record.
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.securityspace
  - domainsec.onboard.transport
attributes:
  check_mode:
    support: full
    description: Predicts what a real run changes and sends no write request.
  diff_mode:
    support: full
    description: Shows the zone's settings before and after.
options:
  domain:
    description: The domain name of the zone, for example V(example.com), in Unicode or punycode (the collection's
      rules for every domain name, user guide, "Input rules").
    type: str
    required: true
  state:
    description: Whether the zone should exist. Deleting a zone cannot be undone.
    type: str
    choices: [present, absent]
    default: present
  type:
    description:
      - Zone type, used when the zone is created. The API does not report the type of an existing zone, so a
        different value for an existing zone is not detected.
    type: str
    choices: [master, slave]
    default: master
  admin_email:
    description: SOA admin contact as an e-mail address (stored by SecuritySpace in dot notation); a Unicode domain
      is sent in its punycode form.
    type: str
  min_ttl:
    description: SOA minimum TTL in seconds (60-2419200). SecuritySpace's default is 86400.
    type: int
  masters:
    description: For O(type=slave) zones, the IP addresses of the master name servers.
    type: list
    elements: str
  allow_transfer:
    description: Who may transfer the zone (AXFR), V(none), V(any), or a list of IP addresses and networks.
    type: list
    elements: str
  notify:
    description: Whether slave servers are notified of changes.
    type: str
    choices: ['yes', 'no', 'explicit']
  also_notify:
    description:
      - Further IP addresses that receive notify messages. Requires notify V(yes) or V(explicit), given in O(notify)
        or already set on the zone.
    type: list
    elements: str
  publish:
    description: Publish the zone when something changed or it is not published (Unvalidated or Configuration Errors).
    type: bool
    default: true
  zone_file:
    description: Return the zone file the zone publishes to (C(dnsBuildZone)) as RV(zone).
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: A zone with its SOA contact, published
  domainsec.onboard.ssdns_domain:
    domain: example.com
    admin_email: hostmaster@example.com
    min_ttl: 3600
    allow_transfer: [192.0.2.53, 198.51.100.0/24]
    notify: "yes"
    zone_file: true
  register: zone

- name: Show the zone file
  ansible.builtin.debug:
    msg: "{{ zone.zone }}"

- name: A slave zone
  domainsec.onboard.ssdns_domain:
    domain: example.net
    type: slave
    masters: [192.0.2.1]

- name: Remove a zone
  domainsec.onboard.ssdns_domain:
    domain: old.example.com
    state: absent
'''

RETURN = r'''
domain:
  description: The zone after the run (predicted in check mode); empty when it does not exist.
  returned: success
  type: dict
  contains:
    domain:
      description: Zone name.
      type: str
      sample: example.com
    seq:
      description: SecuritySpace sequence number of the zone (null right after this run created it; the next run or
        M(domainsec.onboard.ssdns_domain_info) returns it).
      type: int
      sample: 12
    state:
      description: 0 Unvalidated, 1 Configuration Errors, 2 Waiting for distribution to name servers, 3 Active.
      type: int
      sample: 3
    state_text:
      description: The vendor's text for the state.
      type: str
      sample: Active
settings:
  description: SOA and transfer settings of the zone after the run.
  returned: when the zone exists and settings were read
  type: dict
  sample: {admin_email: hostmaster@example.com, min_ttl: 3600, masters: [], allow_transfer: [none], notify: "no",
           also_notify: []}
publish:
  description: Result of the publish, when one was made.
  returned: when the zone was published
  type: dict
  sample: {published: true, warnings: [], errors: []}
zone:
  description: The zone file, when O(zone_file=true). In check mode, the zone as it is before the predicted change.
  returned: when O(zone_file=true) and the zone exists
  type: str
api_trace:
  description: Redacted trace of every HTTP request of the run.
  returned: with -vvv or on failure
  type: list
  elements: str
'''

from ansible_collections.domainsec.onboard.plugins.module_utils import securityspace as ss
from ansible_collections.domainsec.onboard.plugins.module_utils import securityspace_zone as sz
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_name
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module, warn_lookalikes


def argument_spec():
    spec = ss.SecuritySpaceClient.argument_spec()
    spec.update(sz.zone_options())
    spec.update(
        state=dict(type='str', default='present', choices=['present', 'absent']),
        publish=dict(type='bool', default=True),
        zone_file=dict(type='bool', default=False),
    )
    return spec


def main():
    module = new_module(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    try:
        zone = check_name(params['domain'], 'domain')
        wanted = sz.desired_settings(params)
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    warn_lookalikes(module, [params['domain']], 'domain')

    run_module(module, ss.SecuritySpaceClient, lambda client: sz.run_zone(module, client, zone, wanted),
               check=ss.publish_problem(zone))


if __name__ == '__main__':
    main()
