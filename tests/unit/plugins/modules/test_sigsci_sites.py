# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""sigsci_sites decides from the corp's listing only where the listing shows the whole site: a site it leaves
out, or shows without a field the task manages, is read on its own first (never created twice, never changed on
a shortened object's word)."""

import types

from ansible_collections.domainsec.onboard.plugins.modules import sigsci_sites as mod

FULL = {'name': 'www-example-com', 'displayName': 'www.example.com', 'agentLevel': 'block', 'clientIPRules': []}


class Client(object):
    def __init__(self, site):
        self.site, self.reads = site, []

    def get_site(self, name):
        self.reads.append(name)
        return self.site


def decide(listed, wanted, site='full'):
    client = Client(dict(FULL) if site == 'full' else site)
    module = types.SimpleNamespace(check_mode=True, _diff=False)
    return mod.present(module, client, 'www-example-com', wanted, listed), client.reads


def test_a_whole_listed_site_is_not_read_again():
    result, reads = decide({'www-example-com': FULL}, {'agentLevel': 'block'})
    assert reads == [] and not result['changed']


def test_a_listed_site_without_a_managed_field_is_read_before_it_is_compared():
    short = {'name': 'www-example-com', 'displayName': 'www.example.com'}
    result, reads = decide({'www-example-com': short}, {'agentLevel': 'block'})
    assert reads == ['www-example-com'] and not result['changed']  # the whole site has it: no PATCH


def test_a_site_the_listing_leaves_out_is_read_before_it_is_created():
    result, reads = decide({}, {'agentLevel': 'block'})
    assert reads == ['www-example-com'] and not result['changed']
    result, reads = decide({}, {'agentLevel': 'block'}, site=None)
    assert reads == ['www-example-com'] and result['changed'] and result['site']['agentLevel'] == 'block'
