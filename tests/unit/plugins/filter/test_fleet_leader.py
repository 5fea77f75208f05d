# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""fleet_leader: which domain of the play sends the fleet-wide request for another (roles/onboard_domain/tasks/
monitoring.yml and virusdie.yml; the playbook test test_many_domains_one_failing runs it for real)."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.domainsec.onboard.plugins.filter.fleet_leader import fleet_leader

BATCH = 'onboard_domain_monitor_batch'
SAME = {'groups': [], 'alone': ''}


def hosts(**specs):
    """hostvars: name -> variables (the batch fact where given)."""
    return dict((name.replace('_', '.'), dict(spec)) for name, spec in specs.items())


def leaders(hostvars, order=None):
    order = order or list(hostvars)
    return dict((h, fleet_leader(order, hostvars, h, BATCH, 'hardenize')) for h in order if BATCH in hostvars[h])


def test_same_settings_and_account_one_leader():
    hv = hosts(a_example={BATCH: SAME}, b_example={BATCH: SAME}, c_example={BATCH: dict(SAME)})
    assert leaders(hv) == {'a.example': 'a.example', 'b.example': 'a.example', 'c.example': 'a.example'}


def test_other_settings_own_batch():
    hv = hosts(a_example={BATCH: SAME}, b_example={BATCH: {'groups': ['prod'], 'alone': ''}},
               c_example={BATCH: {'groups': ['prod'], 'alone': ''}}, d_example={BATCH: {'groups': [], 'alone': 'd.example'}})
    assert leaders(hv) == {'a.example': 'a.example', 'b.example': 'b.example', 'c.example': 'b.example',
                           'd.example': 'd.example'}


def test_own_account_own_batch_and_empty_values_are_unset():
    """A domain with an account of its own (any domainsec_hardenize_* variable) leads its own batch; another vendor's
    variables and empty values (credentials.yml reads '' as unset) do not split a batch."""
    hv = hosts(a_example={BATCH: SAME, 'domainsec_virusdie_api_key': 'k1', 'domainsec_hardenize_org': ''},
               b_example={BATCH: SAME, 'domainsec_hardenize_api_password': 'own'},
               c_example={BATCH: SAME, 'domainsec_virusdie_api_key': 'k2'},
               d_example={BATCH: SAME, 'domainsec_hardenize_api_password': 'own'})
    assert leaders(hv) == {'a.example': 'a.example', 'b.example': 'b.example', 'c.example': 'a.example',
                           'd.example': 'b.example'}


def test_hosts_not_at_this_stage_are_passed_over():
    """A domain that failed before the stage (no batch fact in this run) leads nobody."""
    hv = hosts(a_example={}, b_example={BATCH: SAME}, c_example={BATCH: SAME})
    assert leaders(hv) == {'b.example': 'b.example', 'c.example': 'b.example'}


def test_the_leader_comes_first_in_the_play_order():
    hv = hosts(a_example={BATCH: SAME}, b_example={BATCH: SAME})
    assert leaders(hv, ['b.example', 'a.example']) == {'b.example': 'b.example', 'a.example': 'b.example'}


def test_only_a_host_name_comes_back():
    hv = hosts(a_example={BATCH: SAME, 'domainsec_hardenize_api_password': 'secret-1'})
    assert fleet_leader(['a.example'], hv, 'a.example', BATCH, 'hardenize') == 'a.example'


@pytest.mark.parametrize('args, message', [
    ((BATCH, 'hardenise'), "vendor must be one of"),
    (('no_such_fact', 'hardenize'), 'a.example has not set no_such_fact'),
])
def test_bad_input(args, message):
    hv = hosts(a_example={BATCH: SAME})
    with pytest.raises(AnsibleFilterError, match=message):
        fleet_leader(['a.example'], hv, 'a.example', *args)
