#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ssdns_domain_info
short_description: List SecuritySpace DNS zones, or read one zone's records, state and zone file
version_added: 1.0.0
description:
  - Without O(domain), lists the zones of the account with their state and the subscription's expiry.
  - With O(domain), returns the zone's state, its records in normalised form, its SOA and transfer settings, and
    (with O(zone_file=true)) the zone file it publishes to.
  - Never changes anything.
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.securityspace
  - domainsec.onboard.transport
  - domainsec.onboard.attributes.info_module
options:
  domain:
    description: The zone to read. Leave out to list all zones.
    type: str
  zone_file:
    description: With O(domain), also return the zone file (C(dnsBuildZone)), including unpublished changes.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: List the zones of the account
  domainsec.onboard.ssdns_domain_info:
  register: zones

- name: Names of the zones that are not active
  ansible.builtin.debug:
    msg: "{{ zones.domains | rejectattr('state', 'equalto', 3) | map(attribute='domain') | list }}"

- name: One zone with its records and zone file
  domainsec.onboard.ssdns_domain_info:
    domain: example.com
    zone_file: true
  register: zone
'''

RETURN = r'''
domains:
  description: The zones of the account (without O(domain)).
  returned: when O(domain) is not given
  type: list
  elements: dict
  sample: [{domain: example.com, seq: 12, state: 3, state_text: Active, weight: 1}]
account:
  description: Subscription information (without O(domain)).
  returned: when O(domain) is not given
  type: dict
  sample: {domaincount: 1, domainweight: 1, expiryjtime: 1893456000, expiryreadable: "2030-01-01"}
exists:
  description: Whether O(domain) is in the account.
  returned: when O(domain) is given
  type: bool
domain:
  description: The zone's name and state.
  returned: when O(domain) is given and exists
  type: dict
  sample: {domain: example.com, state: 3, state_text: Active}
records:
  description: The zone's A, AAAA, CNAME, MX, NS, CAA, TXT and SRV records, normalised as in M(domainsec.onboard.ssdns_record).
  returned: when O(domain) is given and exists
  type: list
  elements: dict
  sample: [{seq: "1042", type: A, name: www, fqdn: www.example.com., value: 192.0.2.10}]
settings:
  description: SOA contact and minimum TTL, and the zone-transfer options.
  returned: when O(domain) is given and exists
  type: dict
  sample: {admin_email: hostmaster@example.com, min_ttl: 86400, masters: [], allow_transfer: [none], notify: "no",
           also_notify: []}
soa:
  description: The SOA record as SecuritySpace returns it.
  returned: when O(domain) is given and exists
  type: dict
  sample: {priNS: ns1.securityspace.net., mail: hostmaster.example.com., refresh: 10800, retry: 3600, exp: 604800,
           min: 86400}
zone:
  description: The zone file.
  returned: when O(zone_file=true) and the zone exists
  type: str
'''

from ansible_collections.domainsec.onboard.plugins.module_utils import dns_records as dr
from ansible_collections.domainsec.onboard.plugins.module_utils import securityspace as ss
from ansible_collections.domainsec.onboard.plugins.module_utils import securityspace_dns as sd
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_name
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module


def main():
    spec = ss.SecuritySpaceClient.argument_spec()
    spec.update(domain=dict(type='str'), zone_file=dict(type='bool', default=False))
    module = new_module(argument_spec=spec, supports_check_mode=True)
    zone = None
    if module.params['domain'] is not None:
        try:
            zone = check_name(module.params['domain'], 'domain')
        except ValueError as exc:
            module.fail_json(msg=str(exc))

    run_module(module, ss.SecuritySpaceClient, lambda client: read(client, zone, module.params['zone_file']),
               result=dict(changed=False))


def read(client, zone, zone_file):
    if zone is None:
        answer, domains = client.list_domains()
        account = dict((k, answer.get(k)) for k in ('domaincount', 'domainweight', 'expiryjtime', 'expiryreadable'))
        listed = [dict(ss.domain_summary(d), weight=d.get('weight')) for d in domains]
        return dict(domains=listed, account=account)
    found = client.read_zone(zone)
    if found is None:
        return dict(exists=False)
    answer, records = found
    soa = next((r.get('data') for r in answer['records'] if r.get('type') == 'SOA'), {})
    result = dict(exists=True, domain=ss.domain_summary(dict(answer, domain=zone)),
                  records=[dr.public_record(r, zone) for r in sorted(records, key=dr.record_line_key(zone))],
                  settings=sd.current_settings(answer['records']), soa=soa)
    if zone_file:
        result['zone'] = client.build_zone(zone)
    return result


if __name__ == '__main__':
    main()
