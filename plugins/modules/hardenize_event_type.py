#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: hardenize_event_type
short_description: Enable or disable a Hardenize event type
version_added: 1.0.0
description:
  - Turns the generation of one event type on or off (C(POST /eventTypes/{name})). Events of enabled types are stored
    and delivered to event hooks.
  - Fails with the list of known types when the name is unknown, and clearly when the type is not available in the
    account.
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.hardenize
  - domainsec.onboard.transport
attributes:
  check_mode:
    support: full
    description: Predicts the change and sends no write.
  diff_mode:
    support: full
    description: Shows C(enabled) before and after.
options:
  name:
    description: The event type, for example V(pki.cert.new) or V(ct.entry).
    type: str
    required: true
  enabled:
    description: Whether events of this type are generated.
    type: bool
    default: true
'''

EXAMPLES = r'''
- name: Generate an event for every new certificate
  domainsec.onboard.hardenize_event_type:
    name: pki.cert.new

- name: Stop the CT log entry events
  domainsec.onboard.hardenize_event_type:
    name: ct.entry
    enabled: false
'''

RETURN = r'''
event_type:
  description: The event type after the run (predicted in check mode).
  returned: success
  type: dict
  sample: {name: pki.cert.new, available: true, enabled: true}
api_trace:
  description: Redacted trace of every HTTP request of the run.
  returned: with -vvv or on failure
  type: list
  elements: str
'''

from ansible_collections.domainsec.onboard.plugins.module_utils import hardenize as hz
from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module


def main():
    spec = hz.HardenizeClient.argument_spec()
    spec.update(name=dict(type='str', required=True), enabled=dict(type='bool', default=True))
    module = new_module(argument_spec=spec, supports_check_mode=True)
    name = module.params['name'].strip()
    if not name:
        module.fail_json(msg='name must be an event type such as pki.cert.new')
    wanted = module.params['enabled']

    run_module(module, hz.HardenizeClient, lambda client: run(module, client, name, wanted))


def run(module, client, name, wanted):
    types = client.list_event_types()
    current = next((t for t in types if t.get('name') == name), None)
    if current is None:
        raise DomainsecError('Unknown Hardenize event type %r; the account knows: %s' % (
            name, ', '.join(sorted(t.get('name') for t in types)) or 'none'))
    if not current.get('available') and wanted:
        raise DomainsecError('The event type %s is not available in this Hardenize account, so it cannot be '
                             'enabled (ask Hardenize to make it available).' % name)
    result = dict(changed=bool(current.get('enabled')) != wanted, event_type=dict(current, enabled=wanted))
    if module._diff:
        result['diff'] = dict(before=dict(enabled=bool(current.get('enabled'))), after=dict(enabled=wanted))
    if result['changed'] and not module.check_mode:
        result['event_type'] = client.set_event_type(name, wanted)
    return result


if __name__ == '__main__':
    main()
