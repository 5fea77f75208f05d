#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: hardenize_host_info
short_description: List the hosts of a Hardenize organization, or read one host
version_added: 1.0.0
description:
  - Lists hosts (C(GET /hosts)) with the API's filters, following pagination to the end, or returns one host
    (C(GET /hosts/{hostname})) with O(name).
  - Never changes anything.
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.hardenize
  - domainsec.onboard.transport
  - domainsec.onboard.attributes.info_module
options:
  name:
    description: Read this one host (a host name, checked as O(domainsec.onboard.hardenize_host#module:hostnames) are).
      Mutually exclusive with the filters.
    type: str
  hostname:
    description: Only hosts whose name matches, and (with O(subdomains)) their subdomains.
    type: str
  subdomains:
    description: With O(hostname), include the subdomains (the API's default).
    type: bool
    default: true
  group:
    description: Only hosts in this group.
    type: str
  status:
    description: Only hosts with this status.
    type: str
    choices: [monitored, idle, archived]
  origin:
    description: Only hosts discovered this way.
    type: str
    choices: [cert, ct, hdb, manual]
  limit:
    description: At most this many hosts.
    type: int
'''

EXAMPLES = r'''
- name: Every monitored host below example.com
  domainsec.onboard.hardenize_host_info:
    hostname: example.com
    status: monitored
  register: monitored

- name: One host
  domainsec.onboard.hardenize_host_info:
    name: www.example.com
  register: www
'''

RETURN = r'''
hosts:
  description: The hosts matching the filters.
  returned: without O(name)
  type: list
  elements: dict
  sample: [{hostname: www.example.com, status: monitored, groups: [production], axfr: disabled, origin: manual}]
host:
  description: The host, or an empty dict when it does not exist.
  returned: with O(name)
  type: dict
exists:
  description: Whether the host exists.
  returned: with O(name)
  type: bool
'''

from ansible_collections.domainsec.onboard.plugins.module_utils import hardenize as hz
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_name

FILTERS = ('hostname', 'group', 'status', 'origin', 'limit')


def main():
    spec = hz.HardenizeClient.argument_spec()
    spec.update(name=dict(type='str'), hostname=dict(type='str'), subdomains=dict(type='bool', default=True),
                group=dict(type='str'), status=dict(type='str', choices=list(hz.HOST_STATUSES)),
                origin=dict(type='str', choices=['cert', 'ct', 'hdb', 'manual']), limit=dict(type='int'))
    module = new_module(argument_spec=spec, supports_check_mode=True,
                        mutually_exclusive=[['name', f] for f in FILTERS])
    params = module.params
    try:
        for option in ('name', 'hostname'):
            if params[option] is not None:
                params[option] = check_name(params[option], option)
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    if params['limit'] is not None and params['limit'] < 1:
        module.fail_json(msg='limit must be 1 or more, got %d' % params['limit'])

    run_module(module, hz.HardenizeClient, lambda client: read(client, params), result=dict(changed=False))


def read(client, params):
    if params['name']:
        host = client.get_host(params['name'])
        return dict(exists=host is not None, host=host or {})
    filters = dict((f, params[f]) for f in FILTERS)
    if params['hostname']:
        filters['subdomains'] = params['subdomains']
    return dict(hosts=client.list_hosts(**filters))


if __name__ == '__main__':
    main()
