# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SecuritySpace zones: what ``ssdns_domain`` (the zone and its settings) and ``ssdns_record`` (its records) decide
and do, kept here so that ``ssdns_zones`` runs the same code for many zones in one process.

Each function takes ``module``: the AnsibleModule of a one-zone module, or the per-zone view ``ssdns_zones`` builds
(``ZoneTask``): something with ``params``, ``check_mode``, ``_diff`` and ``warn``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools

from ansible_collections.domainsec.onboard.plugins.module_utils import dns_records as dr
from ansible_collections.domainsec.onboard.plugins.module_utils import securityspace as ss
from ansible_collections.domainsec.onboard.plugins.module_utils import securityspace_dns as sd
from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError
from ansible_collections.domainsec.onboard.plugins.module_utils.locks import controller_lock
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_email, normalize_ip


class ZoneTask(object):
    """One zone's view of a module that manages many: its own ``params``, the module's mode and warnings."""

    def __init__(self, module, params, warn=True):
        self.params = params
        self.check_mode = module.check_mode
        self._diff = module._diff
        self._module = module
        self._warn = warn

    def warn(self, message):
        if self._warn:
            self._module.warn(message)


# -- the zone and its settings (ssdns_domain) ----------------------------------
def zone_options():
    """The options of a zone and its settings (ssdns_domain; each entry of ssdns_zones' ``zones``)."""
    return dict(
        domain=dict(type='str', required=True),
        type=dict(type='str', default='master', choices=['master', 'slave']),
        admin_email=dict(type='str'),
        min_ttl=dict(type='int'),
        masters=dict(type='list', elements='str'),
        allow_transfer=dict(type='list', elements='str'),
        notify=dict(type='str', choices=['yes', 'no', 'explicit']),
        also_notify=dict(type='list', elements='str'),
    )


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


def run_zone(module, client, zone, wanted):
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


# -- the zone's records (ssdns_record) -----------------------------------------
def record_options():
    """The suboptions of one record in a ``records`` list (ssdns_record, ssdns_zones)."""
    return dict(
        type=dict(type='str', required=True, choices=list(dr.RECORD_TYPES)),
        name=dict(type='str', default=''),
        value=dict(type='str'),
        priority=dict(type='int'), weight=dict(type='int'), port=dict(type='int'),
        service=dict(type='str'), protocol=dict(type='str'), flag=dict(type='int'), tag=dict(type='str'),
    )


RECORD_FIELDS = ('type', 'name', 'value', 'priority', 'weight', 'port', 'service', 'protocol', 'flag', 'tag')


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


def run_records(module, client, zone, desired, result):
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
