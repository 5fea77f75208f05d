#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: sigsci_sites
short_description: Manage many Signal Sciences (Next-Gen WAF) sites in one run
version_added: 1.0.0
description:
  - For each entry of O(sites), what M(domainsec.onboard.sigsci_site) does for one site with O(domainsec.onboard.sigsci_site#module:state=present),
    with the same code, but the corp's sites are listed once (C(GET /corps/{corp}/sites)) instead of each being read
    on its own. A site the listing does not show (a listing that leaves some out) is read on its own before it is
    created, so it is never created twice; a listed site that lacks a field the task manages is read on its own
    before it is compared.
  - The onboarding role's fleet-wide WAF stage (docs/performance.md, "Fleet-wide stages") sends the sites of every
    domain of the play through one run of this module.
  - Signal Sciences has no bulk call; missing sites are created, and differing ones changed, one after another. A
    site that fails does not stop the others; it is reported in RV(failed_sites), and the task fails after the other
    sites are done, with their results attached.
  - Sites are only created and updated here; M(domainsec.onboard.sigsci_site) with O(domainsec.onboard.sigsci_site#module:state=absent) deletes one.
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.sigsci
  - domainsec.onboard.transport
attributes:
  check_mode:
    support: full
    description: Predicts the change of every site and sends no write.
  diff_mode:
    support: full
    description: Per site, the managed fields before and after.
options:
  sites:
    description:
      - The sites, each with the options of M(domainsec.onboard.sigsci_site) it manages. Only the fields given are
        managed.
      - Every entry is checked before the first request; a bad entry fails the task and nothing is sent.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Short name of the site, its key, as M(domainsec.onboard.sigsci_site)'s O(domainsec.onboard.sigsci_site#module:name).
          Each site once in the list.
        type: str
        required: true
      display_name:
        description: Display name. Defaults to O(sites[].name) when the site is created.
        type: str
      agent_level:
        description: What the agents do with attacks.
        type: str
        choices: [block, log, 'off']
      agent_anon_mode:
        description: IP anonymisation by the agents - V(EU) or the empty string for none.
        type: str
        choices: ['', EU]
      block_http_code:
        description: HTTP status of a blocked request; 400-599, or 301/302 with O(sites[].block_redirect_url).
        type: int
      block_duration_seconds:
        description: How long an IP address flagged by a threshold stays blocked, in seconds.
        type: int
      block_redirect_url:
        description: Where a blocked request is redirected to, as M(domainsec.onboard.sigsci_site)'s
          O(domainsec.onboard.sigsci_site#module:block_redirect_url).
        type: str
      client_ip_headers:
        description: Headers the agents read the client address from, in order.
        type: list
        elements: str
      immediate_block:
        description: Block attacks immediately, without waiting for a threshold.
        type: bool
notes:
  - "Requests per run: 1 (C(GET) the corp's sites) when every site is listed and needs no change; a C(PATCH) per
    site that changes; a C(GET) and a C(POST) per site that does not exist yet."
'''

EXAMPLES = r'''
- name: Two sites, the corp's sites listed once
  domainsec.onboard.sigsci_sites:
    sites:
      - name: www-example-com
        display_name: www.example.com
        agent_level: block
      - name: shop-example-com
        display_name: shop.example.com
        agent_level: log
        client_ip_headers: [X-Forwarded-For]
  register: waf

- name: What happened to each site
  ansible.builtin.debug:
    msg: "{{ item.key }}: {{ 'changed' if item.value.changed else 'unchanged' }}"
  loop: "{{ waf.sites | dict2items }}"
'''

RETURN = r'''
sites:
  description: Per site name, M(domainsec.onboard.sigsci_site)'s result for it - C(changed), C(site) (the site after
    the run, predicted in check mode) and C(changes) (the fields sent in a C(PATCH)) -, or C(failed), C(msg) and
    C(done) (what the run had changed for that site before it failed).
  returned: when every entry passed the input check
  type: dict
  sample:
    www-example-com:
      changed: false
      site: {name: www-example-com, displayName: www.example.com, agentLevel: block}
failed_sites:
  description: The sites that failed, with the reason.
  returned: when every entry passed the input check
  type: dict
  sample: {shop-example-com: "Signal Sciences: Corp site limit reached (100 sites)"}
api_trace:
  description: Redacted trace of every HTTP request of the run.
  returned: with -vvv or on failure
  type: list
  elements: str
'''

import functools
from urllib.parse import urlsplit

from ansible_collections.domainsec.onboard.plugins.module_utils import sigsci as sg
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import (
    failed_of_many, new_module, one_of_many, run_module, warn_lookalikes)


def argument_spec():
    spec = sg.SigsciClient.argument_spec()
    spec.update(sites=dict(type='list', elements='dict', required=True, options=sg.site_options()))
    return spec


def validate(sites):
    """Every site checked before the first request: a list of ``(name, wanted fields)``."""
    plan = []
    for index, entry in enumerate(sites):
        try:
            name, wanted = sg.validate_site(entry)
        except ValueError as exc:
            raise ValueError('sites[%d]: %s' % (index, exc))
        if name in [planned for planned, dummy in plan]:
            raise ValueError('sites[%d].name: the site %s is in the list twice' % (index, name))
        plan.append((name, wanted))
    return plan


def main():
    module = new_module(argument_spec=argument_spec(), supports_check_mode=True)
    try:
        plan = validate(module.params['sites'])
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    for entry in module.params['sites']:
        warn_lookalikes(module, (entry['display_name'] or '').split(), 'display_name')
        if entry['block_redirect_url']:
            warn_lookalikes(module, [urlsplit(entry['block_redirect_url'].strip()).hostname], 'block_redirect_url')

    result = dict(sites={}, failed_sites={})
    run_module(module, sg.SigsciClient, lambda client: run(module, client, plan, result),
               check=failed_sites, result=result)


def failed_sites(result):
    return failed_of_many(result['failed_sites'], len(result['sites']), 'sites')


def run(module, client, plan, result):
    """One listing of the corp's sites, then each site in turn; a site's failure is kept with it."""
    listed = dict((site.get('name'), site) for site in client.list_sites())
    diffs = []
    for name, wanted in plan:
        site_result = result['sites'][name] = one_of_many(client, result['failed_sites'], name, functools.partial(
            present, module, client, name, wanted, listed))
        if 'diff' in site_result:
            diffs.append(dict(site_result.pop('diff'), before_header='%s (Signal Sciences)' % name,
                              after_header='%s (Signal Sciences)' % name))
    result['changed'] = any(s['changed'] for s in result['sites'].values())
    if module._diff:
        result['diff'] = diffs
    return result


def present(module, client, name, wanted, listed):
    """One site as sigsci_site makes it. A site not in the listing is read on its own (a listing may leave sites
    out), never created on the listing's word; so is a listed site that lacks a field the task manages (a listing
    of shortened site objects), never changed on the listing's word."""
    site = listed.get(name)
    if site is None or any(field not in site for field in wanted):
        site = client.get_site(name)
    return sg.present_site(module, client, name, wanted, site)


if __name__ == '__main__':
    main()
