#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: virusdie_site
short_description: Protect websites with Virusdie - add, share, set options, scan, remove
version_added: 1.0.0
description:
  - Makes sure the listed domains are sites of the Virusdie account, shared with a unit (an end customer's e-mail)
    when asked, with the given scan period, firewall and automatic treatment, and optionally starts a scan.
  - One C(sites_list) read decides everything; every missing site is added in one C(sites_add) request; only the
    options that differ are sent (C(site_setoption)). A site refused by Virusdie is reported under its domain, and only
    the refused domains fail the task.
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.virusdie
  - domainsec.onboard.transport
  - domainsec.onboard.locks
attributes:
  check_mode:
    support: full
    description: Predicts the change and sends no write (not even a scan).
  diff_mode:
    support: full
    description: Shows each site's settings before and after.
options:
  domains:
    description:
      - The sites' domain names, in Unicode or punycode (compared in their IDNA 2008 form). No wildcard, IP address or
        all-digit top-level label; a label that mixes scripts (a look-alike of another domain) gives a warning. The
        rules are the collection's for every domain name (see the user guide, "Input rules").
    type: list
    elements: str
    required: true
  state:
    description: Whether the sites are in the account (V(absent) deletes them with C(site_delete)).
    type: str
    choices: [present, absent]
    default: present
  share_with:
    description:
      - E-mail address of the unit (end customer) the sites are shared with. Which sites are shared with it is read
        with C(sites_list?unit=) (one more read per run), since Virusdie's site objects name no owner.
      - A site not shared with it is shared (added again with C(share)). A site shared with another unit is unshared
        first when Virusdie names that unit; when it does not (as its API guide shows), Virusdie refuses the share and
        the site is reported in RV(failed_domains) with how to unshare it.
      - The empty string unshares; that needs the unit of each site, so it fails when Virusdie does not name it (use
        M(domainsec.onboard.virusdie_unit) with O(domainsec.onboard.virusdie_unit#module:state=absent) and
        O(domainsec.onboard.virusdie_unit#module:with_sites=false) instead).
    type: str
  scan_period:
    description:
      - Seconds between two automatic scans, one of the periods Virusdie offers - hourly (V(3600)), every 6 hours
        (V(21600)), every 12 hours (V(43200)), daily (V(86400)), weekly (V(604800)) or every 30 days (V(2592000)); V(0)
        means no scheduled scan. Another value fails before any request.
    type: int
    choices: [0, 3600, 21600, 43200, 86400, 604800, 2592000]
  firewall:
    description: Whether the site's firewall is on.
    type: bool
  auto_treatment:
    description: Whether found malware is cleaned automatically.
    type: bool
  scan:
    description:
      - Start a scan of every listed site (C(site_scan)) after the other changes. The scan runs at Virusdie through the
        sync file, which must be in the site's web root (see M(domainsec.onboard.virusdie_syncfile)); a site without it
        fails with a sentence that says so.
      - A scan is started on every run with O(scan=true), and reported as a change.
      - A scan whose C(site_scan) gets no answer may have started. It is not sent again; the site's latest scan report
        is read once, and a newer one shows that the scan ran. Otherwise the task fails saying that the scan may have
        started, and notes when it was sent in O(lock_dir). A later run with O(scan=true) then looks at the site's
        latest report first - a newer one shows the scan ran, so no other is started (a warning says so) - and fails
        before any write while there is none, until an hour after the scan was sent, when the note expires.
    type: bool
    default: false
notes:
  - "Requests per run: 1 read (C(sites_list)), plus one C(sites_add) for all missing sites, one C(site_setoption)
    per option and site that differs, one C(site_unshare) per site to re-share, one C(site_scan) per site with
    O(scan=true), and one C(sites_list) to return the sites after changes."
  - "The firewall and automatic treatment are features some API keys may not change; Virusdie then answers 145904
    (Permission denied), which the module reports naming the option."
'''

EXAMPLES = r'''
- name: Protect two shops, shared with their owner, firewall on, daily scans
  domainsec.onboard.virusdie_site:
    domains: [shop.example.com, bücher.example]
    share_with: owner@example.com
    scan_period: 86400
    firewall: true
    auto_treatment: false

- name: Scan after the sync file was put in the web root
  domainsec.onboard.virusdie_site:
    domains: [shop.example.com]
    scan: true

- name: Remove a site
  domainsec.onboard.virusdie_site:
    domains: [old.example.com]
    state: absent
'''

RETURN = r'''
sites:
  description: One entry per listed domain, as it is after the run (predicted in check mode); refused domains left out.
  returned: success
  type: list
  elements: dict
  sample: [{domain: shop.example.com, host: shop.example.com, scan_period: 86400, firewall: true,
            auto_treatment: false, shared_with: owner@example.com, next_scan: 1764100000}]
failed_domains:
  description: The domains Virusdie refused, with its message.
  returned: always
  type: dict
  sample: {bad.example: "Domain is not resolvable"}
added:
  description: Domains added.
  returned: success
  type: list
  elements: str
reshared:
  description: Domains whose site was shared again as O(share_with) asks (or would be).
  returned: success with O(state=present)
  type: list
  elements: str
changed_options:
  description: Per domain, the options that were changed.
  returned: success
  type: dict
canonical:
  description: Each domain of O(domains) as given, with the form Virusdie is sent and the other return values use
    (IDNA ASCII, lowercase, no trailing dot).
  returned: always
  type: dict
  sample: {Shop.Example.COM.: shop.example.com}
scanned:
  description: Domains a scan was started for (also those whose scan an earlier run started without getting an
    answer and whose report shows it ran; a warning names them).
  returned: with O(scan=true)
  type: list
  elements: str
api_trace:
  description: Redacted trace of every HTTP request of the run.
  returned: with -vvv or on failure
  type: list
  elements: str
'''

import functools

from ansible_collections.domainsec.onboard.plugins.module_utils import virusdie as vd
from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError
from ansible_collections.domainsec.onboard.plugins.module_utils.locks import lock_argument_spec
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_email, check_name
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module, warn_lookalikes


def argument_spec():
    spec = vd.VirusdieClient.argument_spec()
    spec.update(lock_argument_spec())  # lock_dir: where a scan without an answer is noted for the next run
    spec.update(
        domains=dict(type='list', elements='str', required=True),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        share_with=dict(type='str'),
        scan_period=dict(type='int', choices=list(vd.SCAN_PERIODS)),
        firewall=dict(type='bool'),
        auto_treatment=dict(type='bool'),
        scan=dict(type='bool', default=False),
    )
    return spec


def validate(params):
    """Canonical domains (in order, once each), the wanted options, the share and each domain as given -> as Virusdie
    is sent it (the onboarding role's fleet-wide run hands each domain its own); ValueError names the option."""
    if not params['domains']:
        raise ValueError('domains must list at least one domain')
    hosts, canonical = [], {}
    for index, domain in enumerate(params['domains']):
        host = canonical[domain] = check_name(domain, 'domains[%d]' % index)
        if host not in hosts:
            hosts.append(host)
    wanted = {}
    if params['scan_period'] is not None:
        if params['scan_period'] not in vd.SCAN_PERIODS:  # the argument spec's choices; also for a direct call
            raise ValueError('scan_period must be one of %s (seconds; 0: no scheduled scan), got %d'
                             % (', '.join(str(p) for p in vd.SCAN_PERIODS), params['scan_period']))
        wanted['scan_period'] = params['scan_period']
    for option in ('firewall', 'auto_treatment'):
        if params[option] is not None:
            wanted[option] = params[option]
    share = params['share_with']
    if share is not None and share.strip():
        share = check_email(share, 'share_with')  # the e-mail address of a unit (end customer)
    if params['state'] == 'absent':
        used = [o for o in ('share_with', 'scan_period', 'firewall', 'auto_treatment') if params[o] is not None]
        if used or params['scan']:
            raise ValueError('%s cannot be used with state=absent' % ', '.join(used + (['scan'] if params['scan'] else [])))
    return hosts, wanted, (share.strip().lower() if share is not None else None), canonical


def main():
    module = new_module(argument_spec=argument_spec(), supports_check_mode=True)
    try:
        hosts, wanted, share, canonical = validate(module.params)
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    warn_lookalikes(module, module.params['domains'], 'domains')

    result = dict(failed_domains={}, canonical=canonical)
    plan = {}  # what the run set out to do: a run that failed halfway names the sites it sent from it
    run_module(module, vd.VirusdieClient, lambda client: run(module, client, hosts, wanted, share, result, plan),
               check=failed_sites, result=result, partial=lambda done: partial_sites(result, plan, done))


def partial_sites(result, plan, done):
    """What a run that failed for some sites did: "8 site(s) added (a, b, ...), 3 option(s) set" (the sites added
    after the writes, else those the run sent)."""
    parts = []
    if any(d['operation'] == 'add_sites' for d in done):
        added = result.get('added', plan.get('added')) or []
        parts.append('%d site(s) added (%s)' % (len(added), ', '.join(added[:5]) + (', ...' if len(added) > 5 else '')))
    for operation, label in (('unshare_site', 'unshared'), ('set_option', 'option(s) set'),
                             ('scan_site', 'scan(s) started'), ('delete_site', 'deleted')):
        count = sum(1 for d in done if d['operation'] == operation)
        if count:
            parts.append('%d %s' % (count, label))
    return ', '.join(parts)


def failed_sites(result):
    if result.get('failed_domains'):
        return 'Virusdie refused %d of the sites: %s' % (len(result['failed_domains']), '; '.join(
            '%s: %s' % item for item in sorted(result['failed_domains'].items())))
    return None


def option_changes(site, wanted):
    """The options of ``wanted`` the site does not have yet (from the one table in the client)."""
    changes = {}
    for option, value in wanted.items():
        dummy, field, convert = vd.SITE_OPTIONS[option]
        if site is None or vd.as_int(site.get(field)) != convert(value):
            changes[option] = value
    return changes


def predicted(site, host, wanted, share):
    view = vd.site_view(site or dict(domain=host, host=host))
    for option, value in wanted.items():
        view[option] = value
    if share is not None:
        view['shared_with'] = share or None
    return view


OTHER_UNIT = (' (the site is shared with another unit, and Virusdie does not say which: sites_list names no owner. '
              'Unshare it from that unit first - domainsec.onboard.virusdie_unit with state absent, or site_unshare '
              'in the Virusdie dashboard - then run this task again)')


def to_reshare(client, hosts, present, share):
    """The sites of ``hosts`` in the account that are not shared as ``share`` asks.

    The guide's site object names no owner, so what is shared with ``share`` is read with ``sites_list?unit=``
    (one read). ``share`` empty (unshare) needs the unit of each site, which only an API that sends one gives."""
    if share is None or not any(h in present for h in hosts):
        return []
    if share:
        shared = client.shared_with(share)
        return [h for h in hosts if h in present and h not in shared]
    unknown = [h for h in hosts if h in present and 'unit' not in present[h]]
    if unknown:
        raise DomainsecError('share_with: "" (unshare) needs the unit each site is shared with, and Virusdie\'s '
                             'sites_list does not say (%s). Unshare them with domainsec.onboard.virusdie_unit '
                             '(state absent, with_sites false) for their unit instead' % ', '.join(unknown),
                             vendor=vd.VENDOR)
    return [h for h in hosts if h in present and present[h].get('unit')]


def run(module, client, hosts, wanted, share, result, plan=None):
    plan = {} if plan is None else plan
    present = client.list_sites(scan_report=module.params['scan'])  # a scan's evidence is the site's latest report
    if module.params['state'] == 'absent':
        doomed = [h for h in hosts if h in present]
        result.update(changed=bool(doomed), deleted=doomed, sites=[])
        if module._diff:
            result['diff'] = dict(before=dict((h, vd.site_view(present[h])) for h in doomed),
                                  after=dict((h, {}) for h in doomed))
        if not module.check_mode:
            client.parallel([functools.partial(client.delete_site, host) for host in doomed])
        return result

    missing = [h for h in hosts if h not in present]
    reshare = to_reshare(client, hosts, present, share)
    options = dict((h, option_changes(present.get(h), wanted)) for h in hosts)
    options = dict((h, c) for h, c in options.items() if c)
    scans = list(hosts) if module.params['scan'] else []
    notes = vd.ScanNotes(client.base, module.params['lock_dir']) if scans else None
    ran = earlier_scans(module, client, scans, present, notes)
    # The plan; what it adds, re-shares, sets and the sites after it go into the result only once the writes are
    # done (a failed run reports what it did, not what it meant to do: partial_sites).
    plan.update(added=missing, reshared=reshare, changed_options=options,
                sites=[predicted(present.get(h), h, wanted, share) for h in hosts])
    result['changed'] = bool(missing or reshare or options or set(scans) - set(ran))
    if scans:
        result['scanned'] = scans
    if module._diff:
        touched = [h for h in hosts if h in missing or h in reshare or h in options]
        result['diff'] = dict(before=dict((h, vd.site_view(present[h]) if h in present else {}) for h in touched),
                              after=dict((h, predicted(present.get(h), h, wanted, share)) for h in touched))
    if module.check_mode or not result['changed']:
        result.update(plan)
        return result

    failed = result['failed_domains']
    # Re-sharing: unshare from the old unit where it is known, then add again shared with the new one (the API has
    # no "share").
    client.parallel([functools.partial(client.unshare_site, present[host]['unit'], host)
                     for host in reshare if present[host].get('unit')])
    entries = [dict(name=h, share=share) if share else h for h in missing + [h for h in reshare if share]]
    if entries:
        # A site refused because it is there already, as wanted (another run added it), is not refused: add_sites
        # reads it back.
        for index, message in sorted(client.add_sites(entries).items()):
            name = entries[index]['name'] if isinstance(entries[index], dict) else entries[index]
            failed[name] = message + (OTHER_UNIT if name in reshare else '')
    client.parallel([functools.partial(client.set_option, host, option, value)
                     for host, changes in sorted(options.items()) if host not in failed
                     for option, value in sorted(changes.items())])
    client.parallel([functools.partial(scan, client, host, (present.get(host) or {}).get('scanreport'), notes)
                     for host in scans if host not in failed and host not in ran])
    result['changed'] = bool(client.done)  # what landed: a run whose every site the vendor refused changed nothing
    now = client.list_sites(unit=share) if share else client.list_sites()
    result.update(added=[h for h in missing if h not in failed], reshared=[h for h in reshare if h not in failed],
                  changed_options=dict((h, c) for h, c in options.items() if h not in failed),
                  sites=[vd.site_view(now[h]) for h in hosts if h in now and h not in failed])
    return result


def earlier_scans(module, client, scans, present, notes):
    """The sites of ``scans`` for which an earlier run sent ``site_scan`` and got no answer, and whose latest report
    (in ``present``) shows that scan ran: no other scan is started for them. Fails before any write when such a scan
    may still be running (no newer report yet): a second scan is not started blindly."""
    known = client.earlier_scans(scans, present, notes, forget=not module.check_mode) if scans else {}
    running = dict((host, note) for host, (ran, note) in known.items() if not ran)
    if running:
        raise DomainsecError(
            'A scan may still be running for %s: an earlier run sent site_scan (at %s) and got no answer, and '
            'Virusdie shows no newer scan report of the site since. No other scan is started blindly: run the task '
            'again once the report is there (domainsec.onboard.virusdie_site_info with scan_report: true), or after '
            'the note expires (an hour after it was sent; delete %s to start a scan now). Nothing was changed.' % (
                ', '.join(sorted(running)), ', '.join(vd.report_time(dict(date=int(note['sent_at'])))
                                                      for dummy, note in sorted(running.items())),
                ', '.join(notes.path(host) for host in sorted(running))), vendor=vd.VENDOR)
    for host, (dummy, report) in sorted(known.items()):
        module.warn('The scan of %s that an earlier run started (its answer was lost) ran: its report is dated %s. '
                    'No other scan was started.' % (host, vd.report_time(report)))
    return sorted(known)


def scan(client, host, before=None, notes=None):
    """Start a scan of ``host`` (``before``: its latest scan report, ``notes``: vd.ScanNotes; see scan_site)."""
    try:
        client.scan_site(host, before, notes)
    except vd.VirusdieError as exc:
        if 'sync' in str(exc).lower():
            raise DomainsecError('%s: the Virusdie sync file is not on the site yet, so it cannot be scanned. Put '
                                 'it in the site\'s web root first (domainsec.onboard.virusdie_syncfile downloads '
                                 'it), then scan again. (%s)' % (host, exc), vendor=vd.VENDOR, code=exc.code)
        raise


if __name__ == '__main__':
    main()
