#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: sigsci_site_info
short_description: Read Signal Sciences corps, sites, site members and agent keys
version_added: 1.0.0
description:
  - Without O(name), lists the corps the user belongs to and the sites of O(corp).
  - With O(name), reads that site and its members; with O(agent_keys=true) also the site's agent keys, which an agent
    needs (C(accesskeyid) and C(secretaccesskey) in C(agent.conf), or the E(SIGSCI_ACCESSKEYID) and
    E(SIGSCI_SECRETACCESSKEY) environment variables).
  - The secret key is returned only in RV(agent_keys); it never appears in the trace. Set C(no_log) on the task.
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.sigsci
  - domainsec.onboard.transport
  - domainsec.onboard.attributes.INFO_MODULE
options:
  name:
    description: Short name of one site to read.
    type: str
  agent_keys:
    description: With O(name), also read the site's agent keys (including the secret key).
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Every site of the corp
  domainsec.onboard.sigsci_site_info:
  register: waf

- name: One site, its members and its agent keys
  domainsec.onboard.sigsci_site_info:
    name: www-example-com
    agent_keys: true
  register: waf_site
  no_log: true  # the result carries the agent secret key

- name: Give the web servers' agent its keys
  ansible.builtin.copy:
    dest: "{{ sigsci_agent_dir | default('/etc/sigsci') }}/agent.conf"
    content: |
      accesskeyid = "{{ waf_site.agent_keys[0].accessKey }}"
      secretaccesskey = "{{ waf_site.agent_keys[0].secretKey }}"
    mode: "0600"
  no_log: true
'''

RETURN = r'''
corps:
  description: The corps the user belongs to.
  returned: without O(name)
  type: list
  elements: dict
sites:
  description: The sites of O(corp).
  returned: without O(name)
  type: list
  elements: dict
exists:
  description: Whether the site O(name) exists.
  returned: with O(name)
  type: bool
site:
  description: The site O(name) as the API returns it; empty when it does not exist.
  returned: with O(name)
  type: dict
members:
  description: The site's members, e-mail address to role.
  returned: with O(name), when the site exists
  type: dict
  sample: {owner@example.com: owner}
agent_keys:
  description: The site's agent keys. Contains the secret key.
  returned: with O(name) and O(agent_keys=true), when the site exists
  type: list
  elements: dict
  contains:
    name:
      description: Name of the key.
      type: str
    accessKey:
      description: The agent's access key id (C(accesskeyid)).
      type: str
    secretKey:
      description: The agent's secret access key (C(secretaccesskey)).
      type: str
api_trace:
  description: Redacted trace of every HTTP request of the run.
  returned: with -vvv or on failure
  type: list
  elements: str
'''

from ansible_collections.domainsec.onboard.plugins.module_utils import sigsci as sg
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module


def main():
    spec = sg.SigsciClient.argument_spec()
    spec.update(name=dict(type='str'), agent_keys=dict(type='bool', default=False, no_log=False))
    module = new_module(argument_spec=spec, supports_check_mode=True)
    params = module.params
    if params['name'] is not None and not sg.SITE_NAME.match(params['name']):
        module.fail_json(msg='name must be a site\'s short name, got %r' % params['name'])
    if params['agent_keys'] and params['name'] is None:
        module.fail_json(msg='agent_keys requires name (the site whose keys to read)')

    run_module(module, sg.SigsciClient, lambda client: read(client, params), result=dict(changed=False))


def read(client, params):
    if params['name'] is None:
        return dict(corps=client.list_corps(), sites=client.list_sites())
    site = client.get_site(params['name'])
    if site is None:
        return dict(exists=False, site={})
    result = dict(exists=True, site=site, members=client.list_members(params['name']))
    if params['agent_keys']:
        result['agent_keys'] = client.agent_keys(params['name'])
    return result


if __name__ == '__main__':
    main()
