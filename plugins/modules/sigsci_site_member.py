#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: sigsci_site_member
short_description: Manage the members of a Signal Sciences site and their roles
version_added: 1.0.0
description:
  - Makes the listed users members of a site with the given roles, in one task with one read of the members.
  - A user who is not a member yet is invited (C(POST .../members/{email}/invite)); the API adds an existing corp user
    at once and sends a new user an invitation (status C(pending)).
  - A member whose role differs is removed from the site (C(DELETE .../members/{email})) and invited again with the new
    role. The API cannot change a role on a site in place, and its corp-user update would change the user's role in
    the whole corp. For a moment the user has no access to the site; a pending user gets a new invitation. Should the
    invitation fail, the task fails saying that the user was removed, and a re-run invites them.
  - The calling user's own role is never changed, as removing yourself could take away the right to invite again. The
    task fails before any request that would change something.
  - With O(exclusive=true), members not listed are removed - never the calling user, so a play cannot lock itself out.
  - An invitation that Signal Sciences refuses with 409 (already a member, for example invited by another run at the
    same time) is settled by reading the members. A member with the wanted role is found done, with a warning (and
    C(changed=false) when the run did nothing else); one with another role fails the task, saying so.
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
    description: Shows the members and roles before and after.
options:
  site:
    description: Short name of the site.
    type: str
    required: true
  members:
    description: The users, by e-mail address, with their role on the site.
    type: list
    elements: dict
    required: true
    suboptions:
      email:
        description: The user's e-mail address (compared case-insensitively).
        type: str
        required: true
      role:
        description: Role on the site. Required with O(state=present).
        type: str
        choices: [owner, admin, user, observer]
  state:
    description: V(present) adds the members or sets their roles; V(absent) removes the listed users from the site.
    type: str
    choices: [present, absent]
    default: present
  exclusive:
    description:
      - With O(state=present), remove the members that are not listed (never the calling user).
      - With an empty O(members) list this would remove every member but the calling user, which is more often a list
        variable that came out empty than an intent. That is refused before any request unless O(allow_empty=true).
    type: bool
    default: false
  allow_empty:
    description:
      - Allow O(exclusive=true) with an empty O(members) list, that is removing every member of the site but the
        calling user. Without it, that combination fails before any request, naming both options.
    type: bool
    default: false
notes:
  - "Requests per run: 2 (C(GET) the site and its members) plus one write per user to invite or remove and two per role
    to change, and one C(GET) of the members after a change."
'''

EXAMPLES = r'''
- name: The site's team
  domainsec.onboard.sigsci_site_member:
    site: www-example-com
    members:
      - {email: secops@example.com, role: admin}
      - {email: oncall@example.com, role: user}
    exclusive: true

- name: Take a user off the site
  domainsec.onboard.sigsci_site_member:
    site: www-example-com
    members:
      - email: former@example.com
    state: absent
'''

RETURN = r'''
members:
  description: The site's members after the run (predicted in check mode), e-mail address to role.
  returned: success
  type: dict
  sample: {owner@example.com: owner, secops@example.com: admin}
invited:
  description: Users invited or added (also one found a member with the role already when the invitation was refused
    with 409; a warning names it).
  returned: success
  type: list
  elements: str
updated:
  description: Members whose role changed (each removed from the site and invited again with the new role).
  returned: success
  type: list
  elements: str
removed:
  description: Members removed.
  returned: success
  type: list
  elements: str
api_trace:
  description: Redacted trace of every HTTP request of the run.
  returned: with -vvv or on failure
  type: list
  elements: str
'''

import functools

from ansible_collections.domainsec.onboard.plugins.module_utils import sigsci as sg
from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module


def argument_spec():
    spec = sg.SigsciClient.argument_spec()
    spec.update(
        site=dict(type='str', required=True),
        members=dict(type='list', elements='dict', required=True, options=dict(
            email=dict(type='str', required=True),
            role=dict(type='str', choices=list(sg.ROLES)),
        )),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        exclusive=dict(type='bool', default=False),
        allow_empty=dict(type='bool', default=False),
    )
    return spec


def validate(params):
    """``{email: role}`` wanted; ValueError names the option."""
    if not sg.SITE_NAME.match(params['site'] or ''):
        raise ValueError('site must be a site\'s short name, got %r' % params['site'])
    wanted = {}
    for index, member in enumerate(params['members']):
        where = 'members[%d]' % index
        email = sg.check_member(member['email'], member.get('role'), where)
        if params['state'] == 'present' and not member.get('role'):
            raise ValueError('%s.role is required with state=present' % where)
        if email in wanted and wanted[email] != member.get('role'):
            raise ValueError('%s: %s is listed twice with different roles' % (where, email))
        wanted[email] = member.get('role')
    if params['exclusive'] and params['state'] == 'absent':
        raise ValueError('exclusive only applies to state=present')
    if params['exclusive'] and not wanted and not params.get('allow_empty'):
        raise ValueError('members is empty and exclusive is true: that would remove every member of the site %s but '
                         'the calling user. If that is what you want, set allow_empty: true; otherwise check the list '
                         'given as members (a variable that came out empty?)' % params['site'])
    return wanted


def main():
    module = new_module(argument_spec=argument_spec(), supports_check_mode=True)
    try:
        wanted = validate(module.params)
    except ValueError as exc:
        module.fail_json(msg=str(exc))

    run_module(module, sg.SigsciClient, lambda client: run(module, client, module.params['site'], wanted))


def run(module, client, site, wanted):
    params = module.params
    if client.get_site(site) is None:
        if module.check_mode:
            module.warn('The site %s does not exist; check mode plans against a site with no members. A real run '
                        'fails unless the site is created first (domainsec.onboard.sigsci_site).' % site)
            have = {}
        else:
            raise DomainsecError('The site %s does not exist in the corp %s; create it first with '
                                 'domainsec.onboard.sigsci_site.' % (site, client.corp))
    else:
        have = client.list_members(site)
    if params['state'] == 'absent':
        invite, update, remove = [], [], sorted(e for e in wanted if e in have and e != client.email)
        if client.email in wanted and client.email in have:
            module.warn('%s is the calling user; it is not removed from the site (the play would lock itself out)'
                        % client.email)
    else:
        invite = [e for e in wanted if e not in have]
        update = [e for e in wanted if e in have and have[e] != wanted[e]]
        remove = sorted(e for e in have if e not in wanted and e != client.email) if params['exclusive'] else []
        if client.email in update:
            raise DomainsecError(
                '%s is the calling user: its role on the site %s (%s) is not changed to %s. The API has no role change '
                'on a site; it takes removing the member and inviting them again, and removing yourself could take '
                'away the right to invite. Change it with another user\'s credentials, or in the console.'
                % (client.email, site, have[client.email], wanted[client.email]))
    after = dict(have)
    for email in invite + update:
        after[email] = wanted[email]
    for email in remove:
        after.pop(email, None)
    result = dict(changed=bool(invite or update or remove), members=after, invited=invite, updated=update,
                  removed=remove)
    if module._diff:
        result['diff'] = dict(before=have, after=after)
    if module.check_mode:
        return result
    client.parallel([functools.partial(client.invite_member, site, email, wanted[email]) for email in invite] +
                    [functools.partial(client.set_member_role, site, email, wanted[email]) for email in update] +
                    [functools.partial(client.remove_member, site, email) for email in remove])
    if result['changed']:
        result['members'] = client.list_members(site)
    return result


if __name__ == '__main__':
    main()
