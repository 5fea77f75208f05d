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
from ansible_collections.domainsec.onboard.plugins.module_utils import securityspace_dns as sd
from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_email, check_name, normalize_ip
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module, warn_lookalikes


def argument_spec():
    spec = ss.SecuritySpaceClient.argument_spec()
    spec.update(
        domain=dict(type='str', required=True),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        type=dict(type='str', default='master', choices=['master', 'slave']),
        admin_email=dict(type='str'),
        min_ttl=dict(type='int'),
        masters=dict(type='list', elements='str'),
        allow_transfer=dict(type='list', elements='str'),
        notify=dict(type='str', choices=['yes', 'no', 'explicit']),
        also_notify=dict(type='list', elements='str'),
        publish=dict(type='bool', default=True),
        zone_file=dict(type='bool', default=False),
    )
    return spec


def desired_settings(params):
    """Validate and normalise the SOA/option settings the user asked for (None = not managed)."""
    wanted = {}
    if params['admin_email'] is not None:
        # an IDN domain in the IDNA 2008 form zone names use
        wanted['admin_email'] = check_email(params['admin_email'], 'admin_email').lower()
    if params['min_ttl'] is not None:
        if not 60 <= params['min_ttl'] <= 2419200:
            raise ValueError('min_ttl must be between 60 and 2419200 seconds, got %d' % params['min_ttl'])
        wanted['min_ttl'] = params['min_ttl']
    if params['masters'] is not None:
        if params['type'] != 'slave':
            raise ValueError('masters only applies to type=slave zones')
        wanted['masters'] = sorted(set(normalize_ip(v, 'masters') for v in params['masters']))
    if params['allow_transfer'] is not None:
        acl = [v.strip().lower() for v in params['allow_transfer']]
        if acl in ([], ['none']):
            wanted['allow_transfer'] = ['none']
        elif acl == ['any']:
            wanted['allow_transfer'] = ['any']
        else:
            wanted['allow_transfer'] = sorted(set(normalize_ip(v, 'allow_transfer', network=True) for v in acl))
    if params['notify'] is not None:
        wanted['notify'] = params['notify']
    if params['also_notify'] is not None:
        wanted['also_notify'] = sorted(set(normalize_ip(v, 'also_notify') for v in params['also_notify']))
        if wanted['also_notify'] and params['notify'] == 'no':
            raise ValueError("also_notify requires notify: 'yes' or 'explicit'")
    return wanted


def check_also_notify(settings, zone):
    """Fail before any write when the zone would have also_notify addresses without notifying."""
    if settings.get('also_notify') and settings.get('notify') not in ('yes', 'explicit'):
        raise DomainsecError("also_notify requires notify: 'yes' or 'explicit'; the zone %s would have notify=%s"
                             % (zone, settings.get('notify') or 'no'))


def main():
    module = new_module(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    try:
        zone = check_name(params['domain'], 'domain')
        wanted = desired_settings(params)
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    warn_lookalikes(module, [params['domain']], 'domain')

    run_module(module, ss.SecuritySpaceClient, lambda client: run(module, client, zone, wanted),
               check=ss.publish_problem(zone))


def run(module, client, zone, wanted):
    existing = client.find_domain(zone)
    if module.params['state'] == 'absent':
        return run_absent(module, client, zone, existing)
    return run_present(module, client, zone, wanted, existing)


def run_absent(module, client, zone, existing):
    result = dict(changed=existing is not None, domain={})
    if existing and not module.check_mode:
        client.delete_domain(zone)
    if module._diff:
        result['diff'] = dict(before=dict(state='present' if existing else 'absent'), after=dict(state='absent'))
    return result


def run_present(module, client, zone, wanted, existing):
    params = module.params
    result = dict(changed=False)
    before = dict(state='present' if existing else 'absent')
    created_diff = None
    if existing is None:
        check_also_notify(wanted, zone)  # a new zone does not notify unless asked to
        if params['type'] == 'slave' and not wanted.get('masters'):
            raise DomainsecError('masters is required to create the slave zone %s: SecuritySpace refuses to publish '
                                 'a slave zone without the addresses of its master servers' % zone)
        result['changed'] = True
        # A new zone shows the same diff in check mode and in a real run: from absent to what the task asked for.
        created_diff = dict(before=dict(before), after=dict(state='present', type=params['type'], **wanted))
        if module.check_mode:
            return predicted_new_zone(module, zone, wanted, result, created_diff)
        client.add_domain(zone, params['type'])

    answer = None
    if wanted or params['zone_file']:  # the read decides which settings differ (a new zone has no others)
        answer = client.get_domain(zone)
        after = apply_settings(module, client, zone, wanted, answer, before, result)
    else:
        after = dict(before)

    state = int((answer or existing or {}).get('state', 0))
    do_publish = params['publish'] and (result['changed'] or ss.needs_publish(state))
    if do_publish:
        result['changed'] = True
        result['publish'] = dict(published=None, warnings=[], errors=[]) if module.check_mode else client.publish(zone)
    if module._diff:
        result['diff'] = created_diff or dict(before=before, after=dict(after, state='present'))
    if module.check_mode:
        result['domain'] = ss.domain_summary(dict(existing, domain=zone))
        if params['zone_file'] and existing.get('seq') is not None:
            result['zone'] = client.build_zone(zone)  # a read: the zone as it is now, before the predicted change
        return result
    result['domain'] = ss.domain_summary(summary_after(existing, answer, zone, result, do_publish))
    if params['zone_file']:
        result['zone'] = client.build_zone(zone)
    return result


def predicted_new_zone(module, zone, wanted, result, created_diff):
    """The result of check mode for a zone that does not exist yet: nothing to read, everything to do."""
    result['domain'] = dict(domain=zone, seq=None, state=0, state_text=ss.DOMAIN_STATES[0])
    result['settings'] = dict(wanted)
    if module.params['publish']:
        result['publish'] = dict(published=None, warnings=[], errors=[])
    if module._diff:
        result['diff'] = created_diff
    return result


def apply_settings(module, client, zone, wanted, answer, before, result):
    """Compare the zone's settings (from ``answer``, its records) with ``wanted``, send the SOA and option calls
    that differ (not in check mode); the settings after the run. ``before`` gets the settings as they were."""
    have = sd.current_settings(answer['records'])
    before.update(have)
    after = dict(have, **wanted)
    check_also_notify(after, zone)  # without notify in the task, the zone's own setting decides (as the API does)
    soa, options = sd.settings_calls(wanted, have, new_zone=before.get('state') == 'absent')
    if soa or options:
        result['changed'] = True
    if not module.check_mode:
        def settled(keys):
            return lambda: all(sd.same_setting(k, wanted[k], client.current_settings(zone).get(k)) for k in keys)
        if soa:
            client.set_soa(zone, soa, landed=settled([k for k in ('admin_email', 'min_ttl') if k in wanted]))
        if options:
            readable = [k for k in ('masters', 'allow_transfer', 'notify', 'also_notify')
                        if k in wanted and (k != 'masters' or have.get('masters') is not None)]
            client.set_options(zone, options, landed=settled(readable))
    result['settings'] = after
    return after


def summary_after(existing, answer, zone, result, do_publish):
    """The zone's list entry after a real run, without a read after the writes: the state follows from what was sent
    (a publish leaves the zone waiting for distribution, an edit without one leaves it unvalidated). A zone created
    by this run has no seq until read."""
    summary = dict(existing or {}, domain=zone)
    if existing is None:
        summary.update(seq=(answer or {}).get('seq'), state=0, stateText=None)
    if do_publish:
        summary.update(state=2 if result['publish']['published'] else 1, stateText=None)
    elif result['changed']:
        summary.update(state=0, stateText=None)
    return summary


if __name__ == '__main__':
    main()
