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

from ansible_collections.domainsec.onboard.plugins.module_utils import dns_records as dr
from ansible_collections.domainsec.onboard.plugins.module_utils import securityspace as ss
from ansible_collections.domainsec.onboard.plugins.module_utils import securityspace_zone as sz
from ansible_collections.domainsec.onboard.plugins.module_utils.locks import lock_argument_spec
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_name
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module, warn_lookalikes


def argument_spec():
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
        records=dict(type='list', elements='dict', options=sz.record_options()),
        exclusive=dict(type='bool', default=False),
        purge=dict(type='bool', default=False),
        publish=dict(type='bool', default=True),
        return_records=dict(type='bool', default=False),
    )
    return spec


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
        desired = sz.desired_records(params, zone)
    except dr.RecordError as exc:
        module.fail_json(msg=str(exc))

    result = {}
    run_module(module, ss.SecuritySpaceClient, lambda client: sz.run_records(module, client, zone, desired, result),
               partial=sz.partial_records(result),
               check=ss.publish_problem(zone))


if __name__ == '__main__':
    main()
