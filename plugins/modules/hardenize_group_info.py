#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: hardenize_group_info
short_description: List the groups of a Hardenize organization, or read one group
version_added: 1.0.0
description:
  - Lists the groups (C(GET /groups)), or returns the one group that O(name) names, matched by name
    case-insensitively (as Hardenize compares names), else by id.
  - Never changes anything.
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.hardenize
  - domainsec.onboard.transport
  - domainsec.onboard.attributes.info_module
options:
  name:
    description: Read this one group (its name, or its id when no group has that name).
    type: str
'''

EXAMPLES = r'''
- name: Every group
  domainsec.onboard.hardenize_group_info:
  register: groups

- name: Does the group Production exist?
  domainsec.onboard.hardenize_group_info:
    name: Production
  register: production
'''

RETURN = r'''
groups:
  description: Every group of the organization, sorted by id.
  returned: without O(name)
  type: list
  elements: dict
  sample: [{id: production, name: Production, auto: false, tags: []}]
group:
  description: The group, or an empty dict when it does not exist.
  returned: with O(name)
  type: dict
  sample: {id: pci_scope, name: PCI scope, auto: true, tags: [pci]}
exists:
  description: Whether the group exists.
  returned: with O(name)
  type: bool
'''

from ansible_collections.domainsec.onboard.plugins.module_utils import hardenize as hz
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module


def main():
    spec = hz.HardenizeClient.argument_spec()
    spec.update(name=dict(type='str'))
    module = new_module(argument_spec=spec, supports_check_mode=True)
    params = module.params
    if params['name'] is not None and not params['name'].strip():
        module.fail_json(msg='name must not be empty')
    run_module(module, hz.HardenizeClient, lambda client: read(client, params), result=dict(changed=False))


def read(client, params):
    if params['name']:
        group = hz.group_view(client.find_group(params['name'], by_id=True))
        return dict(exists=bool(group), group=group)
    return dict(groups=sorted((hz.group_view(g) for g in client.list_groups()), key=lambda g: g['id'] or ''))


if __name__ == '__main__':
    main()
