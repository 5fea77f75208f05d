#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ssdns_zones
short_description: Manage many SecuritySpace zones and their records in one run
version_added: 1.0.0
description:
  - For each entry of O(zones), what M(domainsec.onboard.ssdns_domain) and M(domainsec.onboard.ssdns_record) do
    for one zone, with the same code - the zone created when missing, its SOA and transfer settings set where they
    differ, its records added and removed, the zone published when something changed or it is not published yet -
    but with one login and one listing of the account's domains for all of them.
  - The onboarding role's fleet-wide DNS stage (docs/performance.md, "Fleet-wide stages") sends the zones of every
    domain of the play through one run of this module.
  - SecuritySpace has no bulk call; the zones are handled one after another. A zone that fails (a refused write,
    a publish that returns validation errors) does not stop the others; it is reported in RV(failed_domains), and the task fails after the
    other zones are done, with their results attached.
  - Zones are only created and updated here; M(domainsec.onboard.ssdns_domain) with O(domainsec.onboard.ssdns_domain#module:state=absent)
    deletes one.
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.securityspace
  - domainsec.onboard.transport
  - domainsec.onboard.locks
attributes:
  check_mode:
    support: full
    description: Predicts what a real run changes, zone by zone, and sends no write request.
  diff_mode:
    support: full
    description: Per zone, its settings and its managed records before and after.
options:
  zones:
    description:
      - The zones, each with the options of M(domainsec.onboard.ssdns_domain) it needs and its records.
      - Every entry's values are checked before the first request; a bad entry fails the task and nothing is sent.
        What depends on the zone as it is (O(zones[].also_notify) on a zone that does not notify, a new slave zone
        without O(zones[].masters)) is checked for that zone before its first write, and fails that zone alone.
    type: list
    elements: dict
    required: true
    suboptions:
      domain:
        description: The zone, as M(domainsec.onboard.ssdns_domain)'s O(domainsec.onboard.ssdns_domain#module:domain). Each zone
          once in the list.
        type: str
        required: true
      type:
        description: Zone type, used when the zone is created.
        type: str
        choices: [master, slave]
        default: master
      admin_email:
        description: SOA admin contact, as in M(domainsec.onboard.ssdns_domain).
        type: str
      min_ttl:
        description: SOA minimum TTL in seconds (60-2419200).
        type: int
      masters:
        description: For V(slave) zones, the IP addresses of the master name servers.
        type: list
        elements: str
      allow_transfer:
        description: Who may transfer the zone, as in M(domainsec.onboard.ssdns_domain).
        type: list
        elements: str
      notify:
        description: Whether slave servers are notified of changes.
        type: str
        choices: ['yes', 'no', 'explicit']
      also_notify:
        description: Further IP addresses that receive notify messages.
        type: list
        elements: str
      records:
        description:
          - The zone's records, each as an entry of M(domainsec.onboard.ssdns_record)'s
            O(domainsec.onboard.ssdns_record#module:records). Missing ones are added; others the zone has are kept unless O(zones[].purge).
          - Empty (the default) with O(zones[].purge=false) leaves the records as they are, and they are not read.
        type: list
        elements: dict
        default: []
        suboptions:
          type:
            description: Record type.
            type: str
            required: true
            choices: [A, AAAA, CNAME, MX, NS, CAA, TXT, SRV]
          name:
            description: Owner name, relative to the zone or absolute; empty for the apex.
            type: str
            default: ''
          value:
            description: Record data, as M(domainsec.onboard.ssdns_record)'s O(domainsec.onboard.ssdns_record#module:value).
            type: str
          priority:
            description: MX and SRV priority.
            type: int
          weight:
            description: SRV weight.
            type: int
          port:
            description: SRV port.
            type: int
          service:
            description: SRV service.
            type: str
          protocol:
            description: SRV protocol.
            type: str
          flag:
            description: CAA flag.
            type: int
          tag:
            description: CAA tag.
            type: str
      purge:
        description: Remove the records of the zone that O(zones[].records) does not list (the SOA and the
          SecuritySpace name servers stay), as M(domainsec.onboard.ssdns_record)'s O(domainsec.onboard.ssdns_record#module:purge).
        type: bool
        default: false
  publish:
    description: Publish each zone when something in it changed or it is not published yet.
    type: bool
    default: true
'''

EXAMPLES = r'''
- name: Two zones with their records, one login and one listing for both
  domainsec.onboard.ssdns_zones:
    zones:
      - domain: example.com
        admin_email: hostmaster@example.com
        records:
          - {type: A, name: www, value: 192.0.2.10}
          - {type: MX, value: mail.example.com, priority: 10}
      - domain: example.org
        records:
          - {type: CNAME, name: www, value: www.example.com}
  register: dns

- name: What happened to each zone
  ansible.builtin.debug:
    msg: "{{ item.key }}: {{ 'changed' if item.value.changed else 'unchanged' }}"
  loop: "{{ dns.zones | dict2items }}"
'''

RETURN = r'''
zones:
  description: Per zone (its name as the other return values use it), what the run did to it (predicted in check
    mode), with the keys M(domainsec.onboard.ssdns_domain) and M(domainsec.onboard.ssdns_record) return for it; for
    a zone that failed, C(failed), C(msg) and C(done) (what the run had changed in it before it failed).
  returned: when every entry passed the input check
  type: dict
  sample:
    example.com:
      changed: true
      domain: {domain: example.com, seq: 12, state: 2, state_text: Waiting for distribution to name servers}
      settings: {admin_email: hostmaster@example.com}
      added: [{type: A, name: www.example.com, value: 192.0.2.10}]
      deleted: []
      counts: {added: 1, deleted: 0, unchanged: 5}
      publish: {published: true, warnings: [], errors: []}
failed_domains:
  description: The zones that failed, with the reason.
  returned: when every entry passed the input check
  type: dict
  sample: {bad.example: "SecuritySpace dnsPublish refused ..."}
canonical:
  description: Each O(zones[].domain) as given, with the zone name the other return values use (IDNA ASCII,
    lowercase, no trailing dot).
  returned: when every entry passed the input check
  type: dict
  sample: {Example.COM.: example.com}
api_trace:
  description: Redacted trace of every HTTP request of the run.
  returned: with -vvv or on failure
  type: list
  elements: str
'''

import functools

from ansible_collections.domainsec.onboard.plugins.module_utils import dns_records as dr
from ansible_collections.domainsec.onboard.plugins.module_utils import securityspace as ss
from ansible_collections.domainsec.onboard.plugins.module_utils import securityspace_zone as sz
from ansible_collections.domainsec.onboard.plugins.module_utils.locks import lock_argument_spec
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_name
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import (
    failed_of_many, new_module, one_of_many, run_module, warn_lookalikes)


def argument_spec():
    zone_options = sz.zone_options()
    zone_options.update(
        records=dict(type='list', elements='dict', default=[], options=sz.record_options()),
        purge=dict(type='bool', default=False),
    )
    spec = ss.SecuritySpaceClient.argument_spec()
    spec.update(lock_argument_spec())
    spec.update(
        zones=dict(type='list', elements='dict', required=True, options=zone_options),
        publish=dict(type='bool', default=True),
    )
    return spec


def validate(params):
    """Every zone checked before the first request: ``(plan, canonical)``, the plan a list of
    ``(zone, settings params, records params, wanted settings, desired records)``."""
    plan, canonical = [], {}
    for index, entry in enumerate(params['zones']):
        where = 'zones[%d]' % index
        zone = check_name(entry['domain'], where + '.domain')
        if zone in canonical.values():
            raise ValueError('%s.domain: the zone %s is in the list twice' % (where, zone))
        canonical[entry['domain']] = zone
        manage_records = bool(entry['records']) or entry['purge']
        settings = dict(entry, state='present', zone_file=False, publish=params['publish'] and not manage_records)
        records = None
        if manage_records:
            records = dict(domain=zone, state='present', records=entry['records'], exclusive=False,
                           purge=entry['purge'], publish=params['publish'], return_records=False,
                           lock_dir=params['lock_dir'])
        try:
            wanted = sz.desired_settings(settings)
            desired = sz.desired_records(records, zone) if records else None
        except (ValueError, dr.RecordError) as exc:
            raise ValueError('%s (%s): %s' % (where, zone, exc))
        plan.append((zone, settings, records, wanted, desired))
    return plan, canonical


def main():
    module = new_module(argument_spec=argument_spec(), multiline=['value'], supports_check_mode=True)
    try:
        plan, canonical = validate(module.params)
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    warn_lookalikes(module, [entry['domain'] for entry in module.params['zones']], 'zones[].domain')

    result = dict(zones={}, failed_domains={}, canonical=canonical)
    run_module(module, ss.SecuritySpaceClient, lambda client: run(module, client, plan, result),
               check=failed_zones, result=result)


def failed_zones(result):
    return failed_of_many(result['failed_domains'], len(result['zones']), 'zones')


def run(module, client, plan, result):
    """One listing of the account's domains, then each zone in turn; a zone's failure is kept with it."""
    listed = dict((dr.normalize_zone(d.get('domain')), d) for d in client.list_domains()[1])
    diffs = []
    for zone, settings, records, wanted, desired in plan:
        zone_result = result['zones'][zone] = one_of_many(client, result['failed_domains'], zone, functools.partial(
            zone_and_records, module, client, zone, settings, records, wanted, desired, listed.get(zone), diffs))
        problem = ss.publish_problem(zone)(zone_result)  # a publish with validation errors fails its zone
        if problem:
            result['failed_domains'][zone] = zone_result['msg'] = problem
            zone_result['failed'] = True
    result['changed'] = any(z['changed'] for z in result['zones'].values())
    if module._diff:
        result['diff'] = diffs
    return result


def zone_and_records(module, client, zone, settings, records, wanted, desired, existing, diffs):
    """The zone as ssdns_domain would leave it, then its records as ssdns_record would; one result for both."""
    zone_result = sz.run_present(sz.ZoneTask(module, settings), client, zone, wanted, existing)
    if 'diff' in zone_result:
        diffs.append(dict(zone_result.pop('diff'), before_header='%s settings (SecuritySpace)' % zone,
                          after_header='%s settings (SecuritySpace)' % zone))
    out = dict(changed=zone_result['changed'], domain=zone_result['domain'], settings=zone_result.get('settings', {}),
               added=[], deleted=[], counts=dict(added=0, deleted=0, unchanged=0))
    if 'publish' in zone_result:
        out['publish'] = zone_result['publish']
    if records is None:
        return out
    # In check mode a zone this run would create is planned against an empty zone, without ssdns_record's warning.
    task = sz.ZoneTask(module, records, warn=existing is not None)
    record_result = sz.run_records(task, client, zone, desired, {})
    if 'diff' in record_result:
        diffs.append(record_result.pop('diff'))
    out.update((key, record_result[key]) for key in ('added', 'deleted', 'counts', 'domain', 'publish')
               if key in record_result)
    out['changed'] = out['changed'] or record_result['changed']
    return out


if __name__ == '__main__':
    main()
