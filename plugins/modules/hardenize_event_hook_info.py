#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: hardenize_event_hook_info
short_description: List the event hooks of a Hardenize organization, and the event types they can carry
version_added: 1.0.0
description:
  - Lists the event hooks (C(GET /eventHooks)), or returns the one hook at O(destination), found as
    M(domainsec.onboard.hardenize_event_hook) finds it (scheme and host compared in lowercase, without C(:443)).
  - Also returns the account's event types (C(GET /eventTypes)) with whether each is available and enabled.
  - Hook secrets are masked unless O(return_secret=true).
  - Never changes anything.
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.hardenize
  - domainsec.onboard.transport
  - domainsec.onboard.attributes.info_module
options:
  destination:
    description: Read the one hook with this destination.
    type: str
  hook_type:
    description: Only hooks of this type.
    type: str
    choices: [webhook, pubsub]
  return_secret:
    description:
      - Return each hook's secret in clear, for example to hand it to a receiver. Treat the result as sensitive
        (C(no_log) on the task). Otherwise the secret is returned as C(********).
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Every webhook and the event types
  domainsec.onboard.hardenize_event_hook_info:
    hook_type: webhook
  register: hooks

- name: The secret of one hook, for its receiver
  domainsec.onboard.hardenize_event_hook_info:
    destination: https://hooks.example.com/hardenize/4c1f0a
    return_secret: true
  register: one_hook
  no_log: true
'''

RETURN = r'''
hooks:
  description: The hooks, sorted by destination; secrets masked unless O(return_secret=true).
  returned: without O(destination)
  type: list
  elements: dict
  sample: [{id: bfc384726b6447a4b70a171de49e466f, hookType: webhook, eventTypes: [pki.cert.new], status: enabled,
            destination: "https://hooks.example.com/hardenize/4c1f0a", secret: "********"}]
hook:
  description: The hook at O(destination), or an empty dict when there is none.
  returned: with O(destination)
  type: dict
exists:
  description: Whether a hook exists at O(destination).
  returned: with O(destination)
  type: bool
event_types:
  description: The account's event types.
  returned: success
  type: list
  elements: dict
  sample: [{name: pki.cert.new, available: true, enabled: true}]
'''

from ansible_collections.domainsec.onboard.plugins.module_utils import hardenize as hz
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module


def main():
    spec = hz.HardenizeClient.argument_spec()
    spec.update(destination=dict(type='str'), hook_type=dict(type='str', choices=['webhook', 'pubsub']),
                return_secret=dict(type='bool', default=False, no_log=False))
    module = new_module(argument_spec=spec, supports_check_mode=True)
    params = module.params
    if params['destination'] is not None and not params['destination'].strip():
        module.fail_json(msg='destination must not be empty')
    run_module(module, hz.HardenizeClient, lambda client: read(client, params), result=dict(changed=False))


def read(client, params):
    result = dict(event_types=sorted(client.list_event_types(), key=lambda t: t.get('name') or ''))
    if params['destination']:
        hook = hz.hook_view(client.find_hook(params['destination'], params['hook_type']), params['return_secret'])
        result.update(exists=bool(hook), hook=hook)
    else:
        hooks = [hz.hook_view(h, params['return_secret']) for h in client.list_hooks()
                 if params['hook_type'] in (None, h.get('hookType'))]
        result['hooks'] = sorted(hooks, key=lambda h: (h['destination'] or '', h['hookType'] or ''))
    return result


if __name__ == '__main__':
    main()
