#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: hardenize_event_hook
short_description: Manage Hardenize event hooks (webhooks and PubSub)
version_added: 1.0.0
description:
  - Creates, updates, tests, enables, disables and deletes an event hook, identified by its O(destination) and
    O(hook_type).
  - Hardenize creates every hook disabled. Following the vendor's recommended order, the module creates the hook,
    runs the test when O(test=true), and only then enables it when O(status=enabled). A failed test fails the task
    before anything is enabled - a new or disabled hook stays disabled; a hook that was already enabled stays enabled.
  - Event types are checked against the account's list (C(GET /eventTypes)) before a hook is created or its types
    change, so a misspelt type fails before any write.
  - A webhook is found by its destination compared with the scheme and host in lowercase and without the default
    port (C(:443)); path and query are compared exactly.
  - The hook's secret is returned (RV(hook.secret)) because the receiver needs it to verify signatures. Treat the
    registered result as sensitive, for example with C(no_log) on the task; the module itself never prints it.
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.hardenize
  - domainsec.onboard.transport
attributes:
  check_mode:
    support: full
    description: Predicts what a real run changes, sends no write and runs no test.
  diff_mode:
    support: full
    description: Shows the hook before and after (the secret masked).
options:
  destination:
    description:
      - Where events go. For a webhook an C(https://) URL with a host name or IP address (a user name and password in
        it are allowed, and masked); for PubSub a destination from the account's event destinations (C(pubsub://...)).
    type: str
    required: true
  hook_type:
    description: Delivery mechanism.
    type: str
    choices: [webhook, pubsub]
    default: webhook
  event_types:
    description: Event types delivered to the hook, for example V(ct.entry) and V(pki.cert.new). Required to create a hook.
    type: list
    elements: str
  status:
    description: Whether the hook receives events.
    type: str
    choices: [enabled, disabled]
    default: enabled
  state:
    description: V(absent) deletes the hook.
    type: str
    choices: [present, absent]
    default: present
  test:
    description:
      - Run the hook's test (C(POST /eventHooks/{id};test)) before it is enabled, and fail when it reports
        C(successful=false). The test runs on every run with O(test=true) but changes nothing.
      - Each test delivers an event to the receiver, so a test whose outcome is unknown (a timeout, a dropped
        connection, HTTP 5xx) is not sent again; the task fails instead. Only a rate-limited test (HTTP 429, not
        processed) is retried.
    type: bool
    default: false
  test_event_type:
    description: Event type of the test delivery.
    type: str
    choices: [test, ct.entry, pki.cert.new]
    default: test
  test_invalid:
    description:
      - Break one element of the test delivery on purpose, to see the receiver refuse it. The test then succeeds
        when the receiver answers 400.
    type: str
    choices: [none, hookId, org, payload, signature]
    default: none
  return_secret:
    description:
      - Return the hook's secret (needed to verify deliveries) in RV(hook.secret). Without it the secret is masked.
      - Set C(no_log) on the task when you use it.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: A webhook for new certificates, from its creation to its removal
  vars:
    hook_url: https://hooks.example.com/hardenize/4c1f0a
  block:
    - name: Create the webhook, disabled until its receiver can check the signatures
      domainsec.onboard.hardenize_event_hook:
        destination: "{{ hook_url }}"
        event_types: [pki.cert.new]
        status: disabled
        return_secret: true
      register: hook
      no_log: true  # the result carries the hook's secret (return_secret)

    - name: Hand the secret to the receiver, which reads <hook id>.secret from its directory
      ansible.builtin.copy:
        content: "{{ hook.hook.secret }}\n"
        dest: "{{ hook_receiver_dir | default('/etc/hook-receiver') }}/{{ hook.hook.id }}.secret"
        mode: "0600"
      no_log: true

    - name: Test the webhook, and enable it once the receiver accepted the test delivery
      domainsec.onboard.hardenize_event_hook:
        destination: "{{ hook_url }}"
        test: true

    - name: Check that the receiver refuses a bad signature
      domainsec.onboard.hardenize_event_hook:
        destination: "{{ hook_url }}"
        test: true
        test_invalid: signature

    - name: Remove the webhook
      domainsec.onboard.hardenize_event_hook:
        destination: "{{ hook_url }}"
        state: absent
'''

RETURN = r'''
hook:
  description:
    - The hook after the run (predicted in check mode).
    - The secret is masked unless O(return_secret=true); a password inside the destination URL is always masked.
  returned: success with O(state=present)
  type: dict
  contains:
    id:
      description: Hook identifier, sent with every delivery as C(X-Hardenize-EventHookId).
      type: str
      sample: bfc384726b6447a4b70a171de49e466f
    hookType:
      description: webhook or pubsub.
      type: str
    eventTypes:
      description: Event types delivered.
      type: list
      elements: str
    status:
      description: enabled, disabled, or failed (set by Hardenize when deliveries keep failing).
      type: str
    destination:
      description: Where events go.
      type: str
    secret:
      description: The secret that signs deliveries. Sensitive.
      type: str
test:
  description: The test's report, when O(test=true) - C(successful), C(errorMessage), C(durationMillis), and the
    delivery's C(request) and C(response).
  returned: when O(test=true) and not in check mode
  type: dict
  sample: {successful: true, durationMillis: 41, request: {method: POST, url: "https://hooks.example.com/x"},
           response: {statusCode: 204}}
duplicates_removed:
  description:
    - Ids of extra hooks at the same destination that the run deleted (predicted in check mode). Two runs that create
      the same hook at once each create one; both then keep the first hook the API lists and delete the others.
  returned: when there were duplicates
  type: list
  elements: str
api_trace:
  description: Redacted trace of every HTTP request of the run.
  returned: with -vvv or on failure
  type: list
  elements: str
'''

from urllib.parse import urlsplit

from ansible_collections.domainsec.onboard.plugins.module_utils import hardenize as hz
from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module, warn_lookalikes
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_url


def argument_spec():
    spec = hz.HardenizeClient.argument_spec()
    spec.update(
        destination=dict(type='str', required=True),
        hook_type=dict(type='str', default='webhook', choices=['webhook', 'pubsub']),
        event_types=dict(type='list', elements='str'),
        status=dict(type='str', default='enabled', choices=['enabled', 'disabled']),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        test=dict(type='bool', default=False),
        test_event_type=dict(type='str', default='test', choices=['test', 'ct.entry', 'pki.cert.new']),
        test_invalid=dict(type='str', default='none', choices=['none', 'hookId', 'org', 'payload', 'signature']),
        return_secret=dict(type='bool', default=False, no_log=False),
    )
    return spec


def validate(params):
    destination = params['destination'].strip()
    if params['hook_type'] == 'webhook':
        # Hardenize only delivers over HTTPS; a user name and password in the URL are allowed (the receiver's basic
        # auth), and masked wherever the destination is shown.
        destination = check_url(destination, 'destination', credentials=True)
    if params['hook_type'] == 'pubsub' and not destination.lower().startswith('pubsub://'):
        raise ValueError('destination must be a pubsub:// destination from the account\'s event destinations for a '
                         'pubsub hook, got %r' % destination)
    if params['event_types'] is not None:
        types = [t.strip() for t in params['event_types']]
        if not types or any(not t for t in types):
            raise ValueError('event_types must list at least one event type, without empty names')
    if params['state'] == 'absent' and params['test']:
        raise ValueError('test cannot be used with state=absent')
    return destination


def check_event_types(client, wanted):
    """Fail before any write when an event type is not one the account knows."""
    unknown, known = client.unknown_event_types(wanted)
    if unknown:
        raise DomainsecError('event_types: unknown event type(s) %s; this account knows %s'
                             % (', '.join(unknown), ', '.join(known) or 'none'))


def main():
    module = new_module(argument_spec=argument_spec(), supports_check_mode=True)
    try:
        destination = validate(module.params)
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    if module.params['hook_type'] == 'webhook':
        warn_lookalikes(module, [urlsplit(destination).hostname], 'destination')
    if not module.params['test'] and (module.params['test_event_type'] != 'test' or module.params['test_invalid'] != 'none'):
        module.warn('test_event_type and test_invalid only apply with test=true; no test was run')

    run_module(module, hz.HardenizeClient, lambda client: run(module, client, destination), check=test_problem)


def test_problem(result):
    """A failed hook test fails the task (with the test's report)."""
    if result.get('test') and not result['test'].get('successful'):
        reason = result['test'].get('errorMessage') or 'Hardenize reported successful=false'
        return 'The event hook test failed: %s' % reason
    return None


def run(module, client, destination):
    hooks = client.find_hooks(destination, module.params['hook_type'])
    if module.params['state'] == 'absent':
        return run_absent(module, client, hooks)
    return run_present(module, client, destination, hooks)


def run_absent(module, client, hooks):
    """Every hook at the destination goes (the duplicates a concurrent creation left too)."""
    result = dict(changed=bool(hooks))
    if hooks and not module.check_mode:
        for each in hooks:
            client.delete_hook(each)
    if module._diff:
        result['diff'] = dict(before=hz.hook_view(hooks[0] if hooks else None), after={})
    return result


def run_present(module, client, destination, hooks):
    params = module.params
    hook, extras = (hooks[0], hooks[1:]) if hooks else (None, [])
    result = dict(changed=bool(extras))
    before = hz.hook_view(hook)
    if extras:
        # Two runs created the hook at once: keep the first the API lists, remove the copies (each would
        # deliver every event a second time).
        result['duplicates_removed'] = [h['id'] for h in extras]
        if not module.check_mode:
            for each in extras:
                client.delete_hook(each)

    wanted_types = sorted(set(t.strip() for t in params['event_types'])) if params['event_types'] is not None else None
    if hook is None and wanted_types is None:
        raise DomainsecError('event_types is required to create the hook for %s' % destination)
    if hook:
        after = dict(before)
    else:
        after = dict(id=None, hookType=params['hook_type'], eventTypes=wanted_types, status='disabled',
                     destination=hz.mask_url_password(destination), secret=hz.SECRET_MASK)
    update = {}
    if hook and wanted_types is not None and sorted(hook.get('eventTypes') or []) != wanted_types:
        update['eventTypes'] = wanted_types
    after.update(update)
    enable = params['status'] != (hook or {}).get('status', 'disabled')
    after['status'] = params['status']
    result['changed'] = hook is None or bool(update) or enable or bool(extras)
    if wanted_types is not None and (hook is None or update):
        check_event_types(client, wanted_types)
    if module._diff:
        result['diff'] = dict(before=before, after=after)
    if module.check_mode:
        predicted = dict(after) if hook is None else dict(hook, **dict((k, after[k]) for k in ('eventTypes', 'status')))
        result['hook'] = hz.hook_view(predicted, params['return_secret'] and hook is not None, complete=True)
        return result

    created = hook is None
    if hook is None:
        hook = client.create_hook(params['hook_type'], destination, wanted_types, status='disabled')
        hook = keep_one(client, destination, params['hook_type'], hook, result)
    if update:
        hook = client.update_hook(hook, event_types=update['eventTypes'])
    if params['test']:
        result['test'] = test_report(client.test_hook(hook, params['test_event_type'], params['test_invalid']))
        if not result['test']['successful']:
            # Nothing was enabled. The failure is printed even without -v: the secret stays masked.
            result.update(hook=hz.hook_view(hook, complete=True), changed=created or bool(update))
            return result
    if enable:
        hook = client.update_hook(hook, status=params['status'])
    result['hook'] = hz.hook_view(hook, params['return_secret'], complete=True)
    return result


def keep_one(client, destination, hook_type, hook, result):
    """After creating: the hook must exist exactly once. When a concurrent run created it too, every run keeps the
    first hook the API lists and deletes the others, so both runs end with the same single hook."""
    hooks = client.find_hooks(destination, hook_type)
    if len(hooks) <= 1:
        return hook
    for each in hooks[1:]:
        client.delete_hook(each)
    result['duplicates_removed'] = result.get('duplicates_removed', []) + [h['id'] for h in hooks[1:]]
    return hooks[0]


def test_report(answer):
    delivery = answer.get('webhook') or answer.get('webook') or answer.get('pubsub') or {}
    report = dict(successful=bool(answer.get('successful')), errorMessage=answer.get('errorMessage'),
                  durationMillis=answer.get('durationMillis'))
    if 'request' in delivery:
        report['request'] = delivery.get('request')
        report['response'] = delivery.get('response')
    elif delivery:
        report['pubsub'] = delivery
    return report


if __name__ == '__main__':
    main()
