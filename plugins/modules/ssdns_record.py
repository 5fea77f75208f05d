#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ssdns_record
short_description: Manage DNS records of a SecuritySpace-hosted zone
version_added: 1.0.0
description:
  - Adds and removes A, AAAA, CNAME, MX, NS, CAA, TXT and SRV records of a zone hosted by SecuritySpace DNS.
  - Two forms. A single record with O(type), O(name), O(value) and the type's extra fields; or O(records), a
    list of such records managed in one task with a single read of the zone.
  - The API has no update call. A change is an add followed by a delete, so a name never goes dark.
  - Names and values are normalised before they are compared (case, trailing dots, relative and absolute names,
    TXT quoting, IPv6 forms), so a second run reports no change.
  - TXT values are plain text. A value longer than 255 characters (a DKIM key) is sent split into DNS strings of
    at most 255 characters; values are compared by their joined text.
  - After a change, or when the zone is not published yet, the zone is published (C(dnsPublish)) unless
    O(publish=false). Publish errors fail the task; warnings are returned.
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.securityspace
  - domainsec.onboard.transport
  - domainsec.onboard.locks
attributes:
  check_mode:
    support: full
    description: Predicts exactly what a real run changes and sends no write request.
  diff_mode:
    support: full
    description: Shows the zone's managed records before and after, one record per line.
options:
  domain:
    description: The zone (domain) the records belong to. It must exist in the account (see M(domainsec.onboard.ssdns_domain)).
    type: str
    required: true
  state:
    description:
      - V(present) makes sure the records exist; V(absent) removes them.
      - With V(absent), a record without O(value) removes every record of its type at its name.
    type: str
    choices: [present, absent]
    default: present
  type:
    description: Record type, for the single-record form.
    type: str
    choices: [A, AAAA, CNAME, MX, NS, CAA, TXT, SRV]
  name:
    description:
      - Owner name, for the single-record form. Empty or V(@) is the zone apex; a name relative to the zone
        (V(www), V(*.dev)), or fully qualified inside the zone (V(www.example.com) or V(www.example.com.)).
      - For SRV records, the host part below C(_service._protocol) (usually empty).
    type: str
  value:
    description:
      - Record data, for the single-record form. A, AAAA - the address; CNAME, MX, NS, SRV - the target host name
        (always taken as fully qualified, the trailing dot is optional; MX, NS and SRV targets must be host names,
        without underscores); TXT - the text, unquoted, or in zone-file form (one or more quoted strings such as
        C("v=spf1 -all") or C("p=MIIB..." "...AQAB")), whose quotes are taken as syntax and not stored; CAA - the
        value (issuer domain, or C(mailto:)/C(https://) URL for iodef).
    type: str
  priority:
    description: MX preference (0-99, the vendor's limit) or SRV priority (0-65535).
    type: int
  weight:
    description: SRV weight (0-65535).
    type: int
  port:
    description: SRV port (0-65535).
    type: int
  service:
    description: SRV service, for example V(_sip) or V(sip).
    type: str
  protocol:
    description: SRV protocol.
    type: str
    choices: [tcp, udp, tls, _tcp, _udp, _tls]
  flag:
    description:
      - CAA flag (0-255). Defaults to 0 for a record to create; with O(state=absent), a record without flag matches
        every flag.
    type: int
  tag:
    description: CAA tag. With O(state=absent), a CAA record without tag matches every tag.
    type: str
    choices: [issue, issuewild, iodef]
  records:
    description:
      - List of records managed together, each with the keys of the single-record form. The zone is read once.
      - Mutually exclusive with O(type), O(value) and the other single-record options.
    type: list
    elements: dict
    suboptions:
      type:
        description: Record type.
        type: str
        required: true
        choices: [A, AAAA, CNAME, MX, NS, CAA, TXT, SRV]
      name:
        description: Owner name, as O(name).
        type: str
        default: ''
      value:
        description: Record data, as O(value).
        type: str
      priority:
        description: As O(priority).
        type: int
      weight:
        description: As O(weight).
        type: int
      port:
        description: As O(port).
        type: int
      service:
        description: As O(service).
        type: str
      protocol:
        description: As O(protocol).
        type: str
      flag:
        description: As O(flag).
        type: int
      tag:
        description: As O(tag).
        type: str
  exclusive:
    description:
      - With O(state=present), records of the same type and name that are not listed are removed, so the listed
        records become the whole record set at that name (use it to change an address).
      - CNAME records are always exclusive. Leave it off for TXT records shared by several tools (SPF beside a
        verification token).
    type: bool
    default: false
  purge:
    description:
      - With O(records) and O(state=present), remove every A, AAAA, CNAME, MX, NS, CAA, TXT and SRV record of the
        zone that is not listed.
      - SOA and option records are never touched. The apex NS records (the default SecuritySpace name servers) are
        only purged when apex NS records are listed.
      - Just before it deletes, the run reads the zone again and deletes only the records it planned to delete that
        are still there; a record that another run added in between is not in the plan and is kept. Two runs that
        purge one zone with different lists at the same time still undo each other; see docs/securityspace.md.
    type: bool
    default: false
  publish:
    description:
      - Publish the zone when something changed or the zone is not published (Unvalidated or Configuration Errors).
    type: bool
    default: true
  return_records:
    description:
      - Return the zone's records after the run in RV(records). A run that changed the zone reads it once more for
        that (with the sequence numbers of the new records), and removes extra copies of the records it wants that a
        run on another controller added at the same time.
      - Off, the result carries what changed (RV(added), RV(deleted)) and RV(counts), so the result of a task of
        thousands of records stays small; a run that changes N records sends N + 3 requests (log in, read the zone,
        N writes, publish).
    type: bool
    default: false
notes:
  - Runs on one controller that change the same zone hold a lock around read, writes and publish, so two of them at
    once (forks, C(async), two playbooks) never add a record twice. See docs/securityspace.md for runs on several
    controllers.
'''

EXAMPLES = r'''
- name: Credentials for every SecuritySpace module of the play
  module_defaults:
    group/domainsec.onboard.securityspace:
      api_key: "{{ vault_securityspace_api_key }}"
      userid: "{{ vault_securityspace_userid }}"
      password: "{{ vault_securityspace_password }}"
  block:
    - name: One A record
      domainsec.onboard.ssdns_record:
        domain: example.com
        type: A
        name: www
        value: 192.0.2.10

    - name: Move www to a new address (add the new one, then delete the old)
      domainsec.onboard.ssdns_record:
        domain: example.com
        type: A
        name: www
        value: 192.0.2.20
        exclusive: true

    - name: The mail and web records of the zone in one task
      domainsec.onboard.ssdns_record:
        domain: example.com
        records:
          - {type: A, name: "", value: 192.0.2.10}
          - {type: AAAA, name: "", value: "2001:db8::10"}
          - {type: A, name: www, value: 192.0.2.20}
          - {type: CNAME, name: shop, value: www.example.com}
          - {type: MX, name: "", value: mail.example.com, priority: 10}
          - {type: A, name: mail, value: 192.0.2.25}
          - {type: TXT, name: "", value: "v=spf1 mx -all"}
          - {type: TXT, name: "", value: "google-site-verification=abc123"}
          - {type: CAA, name: "", flag: 0, tag: issue, value: letsencrypt.org}
          - {type: SRV, service: _sip, protocol: tcp, priority: 10, weight: 5, port: 5060, value: sip.example.com}
        purge: true
      register: zone

    - name: Remove every TXT record at _acme-challenge
      domainsec.onboard.ssdns_record:
        domain: example.com
        type: TXT
        name: _acme-challenge
        state: absent
'''

RETURN = r'''
counts:
  description: How many records the run added, deleted and left as they were (what it would do in check mode).
  returned: success
  type: dict
  sample: {added: 2, deleted: 1, unchanged: 14}
records:
  description: The zone's A, AAAA, CNAME, MX, NS, CAA, TXT and SRV records after the run (predicted in check mode).
  returned: with O(return_records=true)
  type: list
  elements: dict
  contains:
    seq:
      description: SecuritySpace record sequence number (absent for records predicted in check mode).
      type: str
      sample: "1042"
    type:
      description: Record type.
      type: str
      sample: A
    name:
      description: Owner relative to the zone; empty for the apex (for SRV, the part below _service._protocol).
      type: str
      sample: www
    fqdn:
      description: Fully qualified owner name.
      type: str
      sample: www.example.com.
    value:
      description: Normalised record data (targets fully qualified with a trailing dot; TXT as plain text).
      type: str
      sample: 192.0.2.10
    strings:
      description: TXT only, the DNS character-strings the text is stored as.
      type: list
      elements: str
      returned: for TXT records
  sample:
    - {seq: "1042", type: A, name: www, fqdn: www.example.com., value: 192.0.2.10}
added:
  description: Records added (or that would be added in check mode).
  returned: success
  type: list
  elements: dict
  sample: [{type: A, name: www, fqdn: www.example.com., value: 192.0.2.20}]
deleted:
  description: Records deleted (or that would be deleted in check mode).
  returned: success
  type: list
  elements: dict
  sample: [{seq: "1042", type: A, name: www, fqdn: www.example.com., value: 192.0.2.10}]
domain:
  description: The zone's state after the run.
  returned: success
  type: dict
  contains:
    domain:
      description: Zone name.
      type: str
      sample: example.com
    state:
      description: 0 Unvalidated, 1 Configuration Errors, 2 Waiting for distribution to name servers, 3 Active.
      type: int
      sample: 3
    state_text:
      description: The vendor's text for RV(domain.state).
      type: str
      sample: Active
publish:
  description: Result of the publish, when one was made (or would be, in check mode).
  returned: when the zone was published
  type: dict
  contains:
    published:
      description: Whether the zone was accepted for distribution.
      type: bool
    warnings:
      description: Warnings of the zone validation.
      type: list
      elements: str
    errors:
      description: Errors of the zone validation (the task fails when there are any).
      type: list
      elements: str
  sample: {published: true, warnings: [], errors: []}
duplicates_removed:
  description:
    - Extra copies of the wanted records that the run found after its writes and deleted (two runs that add the
      same records at once each add one copy). The copy with the lowest sequence number is kept. Extra copies
      found before the writes appear in RV(deleted).
  returned: when there were duplicates
  type: list
  elements: dict
api_trace:
  description: Redacted trace of every HTTP request of the run (at -vvv, and the last lines on failure).
  returned: with -vvv or on failure
  type: list
  elements: str
'''

import functools

from ansible_collections.domainsec.onboard.plugins.module_utils import dns_records as dr
from ansible_collections.domainsec.onboard.plugins.module_utils import securityspace as ss
from ansible_collections.domainsec.onboard.plugins.module_utils import securityspace_dns as sd
from ansible_collections.domainsec.onboard.plugins.module_utils.locks import controller_lock, lock_argument_spec
from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_name
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module, warn_lookalikes

RECORD_FIELDS = ('type', 'name', 'value', 'priority', 'weight', 'port', 'service', 'protocol', 'flag', 'tag')


def argument_spec():
    record_options = dict(
        type=dict(type='str', required=True, choices=list(dr.RECORD_TYPES)),
        name=dict(type='str', default=''),
        value=dict(type='str'),
        priority=dict(type='int'), weight=dict(type='int'), port=dict(type='int'),
        service=dict(type='str'), protocol=dict(type='str'), flag=dict(type='int'), tag=dict(type='str'),
    )
    spec = ss.SecuritySpaceClient.argument_spec()
    spec.update(lock_argument_spec())
    spec.update(
        domain=dict(type='str', required=True),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        type=dict(type='str', choices=list(dr.RECORD_TYPES)),
        name=dict(type='str'),
        value=dict(type='str'),
        priority=dict(type='int'), weight=dict(type='int'), port=dict(type='int'),
        service=dict(type='str'),
        protocol=dict(type='str', choices=['tcp', 'udp', 'tls', '_tcp', '_udp', '_tls']),
        flag=dict(type='int'),
        tag=dict(type='str', choices=list(dr.CAA_TAGS)),
        records=dict(type='list', elements='dict', options=record_options),
        exclusive=dict(type='bool', default=False),
        purge=dict(type='bool', default=False),
        publish=dict(type='bool', default=True),
        return_records=dict(type='bool', default=False),
    )
    return spec


def desired_records(params, zone):
    """Validate the user's records (either form) and return them in canonical form."""
    absent = params['state'] == 'absent'
    if params['records'] is not None:
        specs = [(r, 'records[%d]' % i) for i, r in enumerate(params['records'])]
    else:
        specs = [(dict((f, params[f]) for f in RECORD_FIELDS), 'record')]
    records = [removal_pattern(spec, zone, where) if absent else
               dr.normalize_user_record(spec, zone, where=where, limits=sd.RECORD_LIMITS) for spec, where in specs]
    if not absent:
        dr.check_conflicts(records)
    return records


def removal_pattern(spec, zone, where):
    """A record to remove. A value that no longer validates (a record stored before the rules, or by another tool)
    still removes the one record stored with exactly that value, and nothing else."""
    try:
        return dr.normalize_user_record(spec, zone, where=where, value_optional=True, limits=sd.RECORD_LIMITS)
    except dr.RecordError:
        if spec.get('value') in (None, ''):
            raise
        pattern = dr.normalize_user_record(dict(spec, value=None), zone, where=where, value_optional=True,
                                           limits=sd.RECORD_LIMITS)
        pattern['raw_value'] = str(spec['value'])
        return pattern


def main():
    single_options = ['type', 'name', 'value', 'priority', 'weight', 'port', 'service', 'protocol', 'flag', 'tag']
    module = new_module(
        argument_spec=argument_spec(),
        multiline=['value'],  # TXT in BIND's parenthesised multi-line form; every other value is checked by the engine
        mutually_exclusive=[['records', option] for option in single_options],
        required_one_of=[['records', 'type']],
        supports_check_mode=True,
    )
    params = module.params
    try:
        zone = check_name(params['domain'], 'domain')
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    warn_lookalikes(module, [params['domain']], 'domain')
    if params['purge'] and params['records'] is None:
        module.fail_json(msg='purge requires the records option (the whole list of records the zone keeps)')
    if params['purge'] and params['state'] == 'absent':
        module.fail_json(msg='purge only applies to state=present')
    try:
        desired = desired_records(params, zone)
    except dr.RecordError as exc:
        module.fail_json(msg=str(exc))

    result = {}
    run_module(module, ss.SecuritySpaceClient, lambda client: run(module, client, zone, desired, result),
               partial=partial_records(result),
               check=ss.publish_problem(zone))


def read_zone(client, zone, module=None):
    """The domain and its records. With ``module`` in check mode, a domain that does not exist yet (an earlier
    task of the same check run would create it) is planned against a new empty zone, with a warning."""
    found = client.read_zone(zone)
    if found is None:
        if module is not None and module.check_mode:
            module.warn('The domain %s does not exist; check mode plans against a new, empty zone. A real run '
                        'fails unless the domain is created first (domainsec.onboard.ssdns_domain).' % zone)
            return dict(state='0', records=[]), []
        raise DomainsecError('The domain %s does not exist in the SecuritySpace account; create it first with '
                             'domainsec.onboard.ssdns_domain.' % zone, code='noSuchDomain')
    return found


def apply_changes(client, zone, to_add, to_delete):
    """Adds first, then deletes, each over the bounded pool of ``parallel_writes``; a write whose outcome is
    unknown is checked by a re-read before it is sent again, and the first failure stops new writes."""
    client.parallel([functools.partial(client.add_record, zone, record) for record in to_add])
    client.parallel([functools.partial(client.delete_record, zone, record) for record in to_delete])


def partial_records(result):
    """How much of the plan a failed run carried out: "9 of 20 records added, zone not published"."""
    def phrase(done):
        count = dict((op, sum(1 for d in done if d['operation'] == op)) for op in ('add_record', 'delete_record'))
        parts = ['%d of %d record(s) added' % (count['add_record'], len(result.get('added') or []))]
        if result.get('deleted'):
            parts.append('%d of %d deleted' % (count['delete_record'], len(result['deleted'])))
        if 'publish' in result or any(d['operation'] in ('add_record', 'delete_record') for d in done):
            parts.append('zone published' if any(d['operation'] == 'publish' for d in done) else 'zone not published')
        return ', '.join(parts)
    return phrase


def run(module, client, zone, desired, result):
    if module.check_mode:
        return plan_and_apply(module, client, zone, desired, result)
    # One run at a time per zone on this controller: two runs of the same task never both add a record.
    with controller_lock(zone, directory=module.params['lock_dir'], scope='securityspace-zone', vendor='SecuritySpace'):
        return plan_and_apply(module, client, zone, desired, result)


def plan_and_apply(module, client, zone, desired, result):
    params = module.params
    answer, current = read_zone(client, zone, module)
    to_add, to_delete = dr.plan_changes(current, desired, state=params['state'], exclusive=params['exclusive'],
                                        purge=params['purge'])
    deleted_seqs = set(r['seq'] for r in to_delete)
    predicted = [r for r in current if r['seq'] not in deleted_seqs] + to_add
    # What the zone would hold, checked where this run writes: a CNAME added beside
    # existing data would only be refused at publish, after the writes.
    try:
        dr.check_conflicts(predicted, owners=set(dr.owner(r) for r in to_add))
    except dr.RecordError as exc:
        raise DomainsecError('%s (in the zone as this run would leave it; nothing was changed)' % exc)
    changed = bool(to_add or to_delete)
    state = int(answer.get('state', 0))
    do_publish = params['publish'] and (changed or ss.needs_publish(state))

    result.update(changed=changed or do_publish,
                  added=[dr.public_record(r, zone) for r in to_add],
                  deleted=[dr.public_record(r, zone) for r in to_delete],
                  counts=dict(added=len(to_add), deleted=len(to_delete), unchanged=len(current) - len(to_delete)))
    if module._diff:
        result['diff'] = dict(before=dr.zone_text(current, zone), after=dr.zone_text(predicted, zone),
                              before_header='%s (SecuritySpace)' % zone, after_header='%s (SecuritySpace)' % zone)
    if module.check_mode:
        if params['return_records']:
            result['records'] = [dr.public_record(r, zone) for r in predicted]
        result['domain'] = ss.domain_summary(dict(answer, domain=zone))
        if do_publish:
            result['publish'] = dict(published=None, warnings=[], errors=[])
        return result

    if params['purge'] and to_delete:
        to_delete = recheck_deletes(client, zone, to_delete)
    apply_changes(client, zone, to_add, to_delete)
    if do_publish:
        result['publish'] = client.publish(zone)
    if not params['return_records']:
        # No read after the writes: the state follows from what was sent (a publish leaves the zone waiting for
        # distribution, any edit without one leaves it unvalidated).
        if do_publish:
            answer = dict(answer, state=2 if result['publish']['published'] else 1, stateText=None)
        elif changed:
            answer = dict(answer, state=0, stateText=None)
        result['domain'] = ss.domain_summary(dict(answer, domain=zone))
        return result
    if result['changed']:
        answer, current = read_zone(client, zone)
        if params['state'] == 'present':
            # Exactly once: a run adding the same records at the same time leaves a second copy of each.
            extras = dr.extra_copies(current, desired)
            if extras:
                apply_changes(client, zone, [], extras)
                result['duplicates_removed'] = [dr.public_record(r, zone) for r in extras]
                if do_publish:
                    result['publish'] = client.publish(zone)
                answer, current = read_zone(client, zone)
    result['records'] = [dr.public_record(r, zone) for r in current]
    result['domain'] = ss.domain_summary(dict(answer, domain=zone))
    return result


def recheck_deletes(client, zone, to_delete):
    """Purge deletes only what a fresh read still shows as planned: a record added meanwhile (by another run) is
    not in the plan and stays; a planned record already gone is skipped."""
    fresh = set(r['seq'] for r in read_zone(client, zone)[1])
    return [r for r in to_delete if r['seq'] in fresh]


if __name__ == '__main__':
    main()
