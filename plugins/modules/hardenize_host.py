#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: hardenize_host
short_description: Manage the hosts Hardenize monitors
version_added: 1.0.0
description:
  - Adds hosts to a Hardenize organization, sets their monitoring status, group membership and zone-transfer (AXFR)
    settings, or deletes them.
  - One read of the hosts (C(GET /hosts), filtered to the common parent domain of O(hostnames) when there is one)
    decides what to create, what to update and what is already right. Missing hosts are created in one bulk
    request (C(POST /hosts)); hosts that differ are updated in one bulk request (C(POST /hosts/*)); O(state=absent)
    uses the bulk delete (C(DELETE /hosts)).
  - Host names are compared the way Hardenize stores them - lowercase, without a trailing dot, internationalised
    names in punycode.
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.hardenize
  - domainsec.onboard.transport
attributes:
  check_mode:
    support: full
    description: Predicts from the one read what a real run changes, and sends no write.
  diff_mode:
    support: full
    description: Shows each changed host's status, groups and AXFR settings before and after.
options:
  hostnames:
    description:
      - The hosts, for example V(example.com) and V(www.example.com), in Unicode or punycode. Letters, digits and
        hyphens (no underscore), at least two labels, no IP address or all-digit top-level label - the collection's
        rules for every domain name (user guide, "Input rules"). A label that mixes scripts (a look-alike of another
        domain) gives a warning.
    type: list
    elements: str
    required: true
  state:
    description:
      - V(present) makes sure the hosts exist with the given settings; V(absent) deletes them.
      - Delete hosts only when they do not belong to you; to stop monitoring a host of yours, set O(status=archived).
    type: str
    choices: [present, absent]
    default: present
  status:
    description:
      - Monitoring status. When not given, new hosts get the account's default status and existing hosts keep theirs
        (check mode and the diff then show no status for new hosts).
    type: str
    choices: [monitored, idle, archived]
  groups:
    description:
      - Groups, by id or by name (compared case-insensitively, as Hardenize does). Groups that do not exist are
        created by Hardenize (not with O(groups_mode=remove)).
      - Hosts list their groups by id; when a given group is not an id the hosts already carry, the module reads the
        groups (C(GET /groups)) once to map names to ids.
    type: list
    elements: str
  groups_mode:
    description:
      - How O(groups) applies to the hosts' existing memberships - V(append) adds the groups, V(replace) makes them
        the only groups, V(remove) takes the hosts out of them. Defaults to V(append). Requires O(groups).
    type: str
    choices: [append, replace, remove]
  axfr:
    description: Whether Hardenize transfers the zone daily (AXFR). V(auto) currently means disabled.
    type: str
    choices: [enabled, disabled, auto]
  axfr_host:
    description:
      - Name server (host name or IP address) to transfer the zone from, instead of the SOA primary.
      - An empty string removes it. Compared as Hardenize stores it (IPv6 compressed, names lowercase and punycode).
    type: str
  axfr_tsig:
    description:
      - TSIG key for the zone transfer.
      - Hardenize never returns the key, so only a change of O(axfr_tsig.name) or O(axfr_tsig.algorithm) is detected;
        give a rotated key a new name.
    type: dict
    suboptions:
      name:
        description: TSIG key name (a DNS name; compared case-insensitively, without a trailing dot).
        type: str
        required: true
      algorithm:
        description: TSIG algorithm.
        type: str
        required: true
        choices: [HMAC_MD5, HMAC_SHA1, HMAC_SHA224, HMAC_SHA256, HMAC_SHA384, HMAC_SHA512]
      key:
        description: The key, base64 encoded as in a BIND key file.
        type: str
        required: true
  subdomains:
    description: With O(state=absent), also delete every subdomain host of O(hostnames).
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Monitor a domain and its web hosts, in the production group
  domainsec.onboard.hardenize_host:
    hostnames: [example.com, www.example.com, api.example.com]
    status: monitored
    groups: [production]

- name: Make staging the only group of the staging hosts
  domainsec.onboard.hardenize_host:
    hostnames: [staging.example.com]
    groups: [staging]
    groups_mode: replace

- name: Let Hardenize transfer the zone from a hidden primary with TSIG
  domainsec.onboard.hardenize_host:
    hostnames: [example.com]
    axfr: enabled
    axfr_host: hidden-primary.example.com
    axfr_tsig:
      name: hardenize-xfr
      algorithm: HMAC_SHA256
      key: "{{ vault_hardenize_tsig_key }}"

- name: Delete hosts that were added by mistake, with their subdomains
  domainsec.onboard.hardenize_host:
    hostnames: [not-ours.example.net]
    subdomains: true
    state: absent
'''

RETURN = r'''
hosts:
  description:
    - The hosts after the run, as Hardenize returns them, without reading them again after the writes (predicted in
      check mode). A group this run created by name shows under that name until the next read shows its id.
  returned: success with O(state=present)
  type: list
  elements: dict
  sample: [{hostname: www.example.com, punyHostname: www.example.com, status: monitored, groups: [production],
            axfr: disabled, origin: manual}]
created:
  description: Host names created (or that would be).
  returned: success
  type: list
  elements: str
  sample: [www.example.com]
updated:
  description: Host names updated (or that would be).
  returned: success
  type: list
  elements: str
changes:
  description: The changes sent in the bulk update, when there was one.
  returned: when hosts were updated
  type: dict
  sample: {status: monitored, groupOp: add, groups: [production]}
deleted:
  description: Host names deleted (or that would be), subdomains included.
  returned: success
  type: list
  elements: str
canonical:
  description: Each name of O(hostnames) as given, with the form Hardenize keeps and compares it in (IDNA ASCII,
    lowercase, no trailing dot), the form of RV(hosts), RV(created), RV(updated) and RV(deleted).
  returned: success
  type: dict
  sample: {WWW.Example.COM.: www.example.com, "bücher.example": xn--bcher-kva.example}
api_trace:
  description: Redacted trace of every HTTP request of the run.
  returned: with -vvv or on failure
  type: list
  elements: str
'''

from ansible_collections.domainsec.onboard.plugins.module_utils import hardenize as hz
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module, warn_lookalikes
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_name


def argument_spec():
    spec = hz.HardenizeClient.argument_spec()
    spec.update(
        hostnames=dict(type='list', elements='str', required=True),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        status=dict(type='str', choices=list(hz.HOST_STATUSES)),
        groups=dict(type='list', elements='str'),
        groups_mode=dict(type='str', choices=['append', 'replace', 'remove']),
        axfr=dict(type='str', choices=['enabled', 'disabled', 'auto']),
        axfr_host=dict(type='str'),
        axfr_tsig=dict(type='dict', options=dict(
            name=dict(type='str', required=True),
            algorithm=dict(type='str', required=True, choices=list(hz.TSIG_ALGORITHMS)),
            key=dict(type='str', required=True, no_log=True),
        )),
        subdomains=dict(type='bool', default=False),
    )
    return spec


def validate(params):
    """Canonical host names, the wanted settings and the name each given one became; ValueError names the option."""
    if not params['hostnames']:
        raise ValueError('hostnames must list at least one host')
    names = [check_name(name, 'hostnames[%d]' % index) for index, name in enumerate(params['hostnames'])]
    if params['groups_mode'] and params['groups'] is None:
        raise ValueError('groups_mode requires groups (the groups to %s)' % params['groups_mode'])
    if params['subdomains'] and params['state'] != 'absent':
        raise ValueError('subdomains only applies to state=absent')
    if params['state'] == 'absent':
        for option in ('status', 'groups', 'axfr', 'axfr_host', 'axfr_tsig'):
            if params[option] is not None:
                raise ValueError('%s cannot be used with state=absent' % option)
    wanted = {}
    if params['status']:
        wanted['status'] = params['status']
    if params['groups'] is not None:
        groups = [g.strip() for g in params['groups']]
        if any(not g for g in groups):
            raise ValueError('groups must not contain empty names')
        wanted['groups'] = groups
        wanted['groups_mode'] = params['groups_mode'] or 'append'
    if params['axfr']:
        wanted['axfr'] = params['axfr']
    if params['axfr_host'] is not None:
        wanted['axfrHost'] = hz.canonical_axfr_host(params['axfr_host'])
    if params['axfr_tsig']:
        wanted['axfrTsig'] = hz.validate_tsig(params['axfr_tsig'])
    # the names in order, once each; and each name as given -> as Hardenize keeps it (the onboarding role's fleet-wide
    # run hands each domain its own hosts)
    return sorted(set(names), key=names.index), wanted, dict(zip(params['hostnames'], names))


def with_group_ids(wanted, resolved):
    """``wanted`` plus the ids of the existing groups and the names of groups still to be created."""
    if 'groups' not in wanted:
        return wanted
    wanted = dict(wanted)
    ids = [resolved[ref] for ref in wanted['groups'] if resolved.get(ref)]
    new = [ref for ref in wanted['groups'] if not resolved.get(ref)]
    wanted['group_ids'] = sorted(set(ids), key=ids.index)
    wanted['new_groups'] = [ref for i, ref in enumerate(new) if ref.lower() not in [n.lower() for n in new[:i]]]
    return wanted


def _axfr_host_of(host):
    try:
        return hz.canonical_axfr_host(host.get('axfrHost'))
    except ValueError:
        return (host.get('axfrHost') or '').strip().lower()


def host_needs(host, wanted):
    """The settings of ``wanted`` this existing host does not have yet (groups as resolved by with_group_ids)."""
    needs = []
    if 'status' in wanted and host.get('status') != wanted['status']:
        needs.append('status')
    if 'groups' in wanted:
        have, want = set(host.get('groups') or []), set(wanted['group_ids'])
        mode = wanted['groups_mode']
        if (mode == 'append' and (wanted['new_groups'] or not want <= have)) or \
                (mode == 'replace' and (wanted['new_groups'] or want != have)) or \
                (mode == 'remove' and want & have):
            needs.append('groups')
    if 'axfr' in wanted and (host.get('axfr') or 'disabled') != wanted['axfr']:
        needs.append('axfr')
    if 'axfrHost' in wanted and _axfr_host_of(host) != wanted['axfrHost']:
        needs.append('axfrHost')
    if 'axfrTsig' in wanted:
        tsig = host.get('axfrTsig') or {}
        if (hz.canonical_dns_name(tsig.get('name')), (tsig.get('algorithm') or '').upper()) != \
                (hz.canonical_dns_name(wanted['axfrTsig']['name']), wanted['axfrTsig']['algorithm']):
            needs.append('axfrTsig')
    return needs


def predicted(host, wanted):
    """The host as it will be after the run (groups to be created appear under their names)."""
    host = dict(host)
    for key in ('status', 'axfr'):
        if key in wanted:
            host[key] = wanted[key]
    if 'axfrHost' in wanted:
        host['axfrHost'] = wanted['axfrHost'] or None
    if 'axfrTsig' in wanted:
        host['axfrTsig'] = dict(name=wanted['axfrTsig']['name'], algorithm=wanted['axfrTsig']['algorithm'])
    if 'groups' in wanted:
        have = list(host.get('groups') or [])
        want = wanted['group_ids']
        if wanted['groups_mode'] == 'append':
            have += [g for g in want if g not in have] + wanted['new_groups']
        elif wanted['groups_mode'] == 'replace':
            have = list(want) + wanted['new_groups']
        else:
            have = [g for g in have if g not in want]
        host['groups'] = have
    return host


def diff_view(host):
    if host is None:
        return {}
    view = dict((k, host.get(k)) for k in ('status', 'axfr', 'axfrHost'))
    view['groups'] = sorted(host.get('groups') or [])
    view['axfrTsig'] = dict((k, (host.get('axfrTsig') or {}).get(k)) for k in ('name', 'algorithm'))
    return view


def covered(name, targets, subdomains):
    return name in targets or (subdomains and any(name.endswith('.' + t) for t in targets))


def main():
    module = new_module(argument_spec=argument_spec(), supports_check_mode=True)
    try:
        names, wanted, canonical = validate(module.params)
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    warn_lookalikes(module, module.params['hostnames'], 'hostnames')

    if module.params['state'] == 'absent':
        run_module(module, hz.HardenizeClient, lambda client: dict(run_absent(module, client, names), canonical=canonical))
    else:
        run_module(module, hz.HardenizeClient,
                   lambda client: dict(run_present(module, client, names, wanted), canonical=canonical))


def run_absent(module, client, names):
    subdomains = module.params['subdomains']
    existing = client.read_hosts(names, subdomains)
    doomed = sorted(n for n in existing if covered(n, names, subdomains))
    result = dict(changed=bool(doomed), deleted=doomed, created=[], updated=[])
    if module._diff:
        result['diff'] = dict(before=dict((n, diff_view(existing[n])) for n in doomed),
                              after=dict((n, {}) for n in doomed))
    if doomed and not module.check_mode:
        targets = [n for n in names if any(covered(d, [n], subdomains) for d in doomed)]
        client.delete_hosts(targets, subdomains,
                            landed=lambda: not any(covered(n, names, subdomains) for n in client.read_hosts(names, subdomains)))
    return result


def run_present(module, client, names, wanted):
    existing = client.read_hosts(names, False)
    refs = wanted.get('groups') or []
    wanted = with_group_ids(wanted, client.resolve_groups(refs, existing) if refs else {})
    missing = [n for n in names if n not in existing]
    to_update = [n for n in names if n in existing and host_needs(existing[n], wanted)]
    result = dict(changed=bool(missing or to_update), created=missing, updated=to_update, deleted=[])

    after = dict((n, predicted(existing[n], wanted) if n in existing else
                  predicted(dict(hostname=n, punyHostname=n, status=wanted.get('status'), groups=[]), wanted))
                 for n in names)
    if module._diff:
        changed = missing + to_update
        result['diff'] = dict(before=dict((n, diff_view(existing.get(n))) for n in changed),
                              after=dict((n, diff_view(after[n])) for n in changed))

    changes = hz.host_changes(wanted)
    if to_update:
        result['changes'] = dict(changes)
        if 'axfrTsig' in changes:  # never return the key
            result['changes']['axfrTsig'] = dict((k, changes['axfrTsig'][k]) for k in ('name', 'algorithm'))

    if module.check_mode or not result['changed']:
        result['hosts'] = [after[n] if module.check_mode else existing[n] for n in names]
        return result

    def settled(subset):
        def check():
            now = client.read_hosts(names, False)
            now_wanted = with_group_ids(wanted, client.resolve_groups(refs, now) if refs else {})
            return all(n in now and not host_needs(now[n], now_wanted) for n in subset)
        return check

    if missing:
        client.create_hosts(missing, hz.new_host_settings(wanted), landed=settled(missing))
    if to_update:
        client.update_hosts(to_update, changes, landed=settled(to_update))
    # No read after the writes (200 hosts are 55 KB): the hosts as the writes left them, computed like check mode.
    result['hosts'] = [after[n] for n in names]
    return result


if __name__ == '__main__':
    main()
