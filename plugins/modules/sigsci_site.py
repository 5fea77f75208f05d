#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: sigsci_site
short_description: Manage Signal Sciences (Next-Gen WAF) sites
version_added: 1.0.0
description:
  - Creates, updates and deletes a site (what the console calls a workspace) in a corp, found by its short name.
  - Only the fields given are managed; a change sends one C(PATCH) with just the fields that differ.
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.sigsci
  - domainsec.onboard.transport
attributes:
  check_mode:
    support: full
    description: Predicts the change and sends no write.
  diff_mode:
    support: full
    description: Shows the managed fields before and after.
options:
  name:
    description:
      - Short name of the site, its key. It cannot change after creation.
      - 1 to 50 lowercase letters, digits, C(.), C(_) or C(-), starting with a letter or digit.
    type: str
    required: true
  display_name:
    description:
      - Display name. Defaults to O(name) when the site is created.
      - A word of it that mixes scripts (a look-alike of a domain, such as C(pаypal.com) with a Cyrillic C(а)) gives a
        warning.
    type: str
  agent_level:
    description: What the agents do with attacks - V(block), V(log) (only report) or V(off).
    type: str
    choices: [block, log, 'off']
  agent_anon_mode:
    description: IP anonymisation by the agents - V(EU) or the empty string for none.
    type: str
    choices: ['', EU]
  block_http_code:
    description: HTTP status of a blocked request; 400-599, or 301/302 with O(block_redirect_url).
    type: int
  block_duration_seconds:
    description: How long an IP address flagged by a threshold stays blocked, in seconds (1 to 31556900).
    type: int
  block_redirect_url:
    description:
      - Where a blocked request is redirected to, with O(block_http_code) 301 or 302. The empty string clears it.
      - An C(http://) or C(https://) URL with a host name or IP address, without a user name or password. A host that
        mixes scripts (a look-alike of another domain) gives a warning.
    type: str
  client_ip_headers:
    description:
      - Headers the agents read the client address from, in order (the site's C(clientIPRules)), for example
        V(X-Forwarded-For) behind a load balancer. An empty list removes them.
    type: list
    elements: str
  immediate_block:
    description: Block attacks immediately, without waiting for a threshold.
    type: bool
  state:
    description: Whether the site exists.
    type: str
    choices: [present, absent]
    default: present
  force:
    description:
      - With O(state=absent), delete the site even when it has members other than the calling user, or agents that
        report to it (the API lists them). Without it such a site is not deleted and the task fails, in check mode too.
    type: bool
    default: false
notes:
  - "Requests per run: a site that exists and needs no change, 1 (C(GET) the site); a change, 2 (and C(PATCH));
    a new site, 2 (C(GET), C(POST)); a deletion, 4 (C(GET) the site, its members and its agents, C(DELETE))."
'''

EXAMPLES = r'''
- name: Credentials for every Signal Sciences module of the play
  module_defaults:
    group/domainsec.onboard.sigsci:
      email: "{{ vault_sigsci_email }}"
      api_token: "{{ vault_sigsci_token }}"
      corp: "{{ sigsci_corp }}"
  block:
    - name: A site for www.example.com, blocking, behind a load balancer
      domainsec.onboard.sigsci_site:
        name: www-example-com
        display_name: www.example.com
        agent_level: block
        block_http_code: 406
        client_ip_headers: [X-Forwarded-For]

    - name: Redirect blocked requests to an explanation page
      domainsec.onboard.sigsci_site:
        name: www-example-com
        block_http_code: 302
        block_redirect_url: https://www.example.com/blocked.html

    - name: Remove the site, with its members and agents
      domainsec.onboard.sigsci_site:
        name: www-example-com
        state: absent
        force: true
'''

RETURN = r'''
site:
  description: The site as the API returns it after the run (predicted in check mode); empty after deletion.
  returned: success
  type: dict
  sample: {name: www-example-com, displayName: www.example.com, agentLevel: block, agentAnonMode: "",
           blockHTTPCode: 406, blockDurationSeconds: 86400, blockRedirectURL: "",
           clientIPRules: [{header: X-Forwarded-For}], immediateBlock: false, created: "2026-11-25T10:00:00Z"}
changes:
  description: The fields sent in the C(PATCH) (API names), when the site was changed.
  returned: when an existing site changed
  type: dict
  sample: {agentLevel: block}
api_trace:
  description: Redacted trace of every HTTP request of the run.
  returned: with -vvv or on failure
  type: list
  elements: str
'''

from urllib.parse import urlsplit

from ansible_collections.domainsec.onboard.plugins.module_utils import sigsci as sg
from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module, warn_lookalikes


def argument_spec():
    spec = sg.SigsciClient.argument_spec()
    spec.update(sg.site_options())
    spec.update(
        state=dict(type='str', default='present', choices=['present', 'absent']),
        force=dict(type='bool', default=False),
    )
    return spec


def main():
    module = new_module(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    try:
        name, wanted = sg.validate_site(params)
        if params['state'] == 'absent' and wanted:
            raise ValueError('%s cannot be used with state=absent' % ', '.join(
                option for option, field in sg.SITE_FIELDS if field in wanted))
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    # A site is usually named after its domain: a word of the display name, or a redirect host, that mixes scripts
    # is a look-alike (one word per script, as in "Shop Магазин", is not).
    warn_lookalikes(module, (params['display_name'] or '').split(), 'display_name')
    if params['block_redirect_url']:
        warn_lookalikes(module, [urlsplit(params['block_redirect_url'].strip()).hostname], 'block_redirect_url')
    if params['force'] and params['state'] == 'present':
        module.warn('force only applies to state=absent')

    run = run_absent if params['state'] == 'absent' else run_present
    run_module(module, sg.SigsciClient, lambda client: run(module, client, name, wanted))


def run_present(module, client, name, wanted):
    return sg.present_site(module, client, name, wanted, client.get_site(name))


def run_absent(module, client, name, wanted):
    site = client.get_site(name)
    result = dict(changed=site is not None, site={})
    if site is None:
        return result
    if not module.params['force']:
        others = sorted(e for e in client.list_members(name) if e != client.email)
        agents = client.list_agents(name)
        if others or agents:
            raise DomainsecError('The site %s still has %s; it was not deleted. Set force=true to delete it anyway' % (
                name, ' and '.join(part for part in (
                    '%d member(s) besides %s (%s)' % (len(others), client.email, ', '.join(others[:3])) if others else '',
                    '%d agent(s) reporting to it' % len(agents) if agents else '') if part)))
    if module._diff:
        result['diff'] = dict(before=sg.site_view(site), after={})
    if not module.check_mode:
        client.delete_site(name)
    return result


if __name__ == '__main__':
    main()
