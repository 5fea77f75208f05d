# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: virusdie_sites
short_description: Virusdie sites as inventory, with the threat counts of their latest scan
version_added: 1.0.0
description:
  - The sites of a Virusdie account (or of one unit) as inventory hosts, named by their punycode host name, with their
    firewall and scan facts as host variables, so that a play can target the sites whose latest scan found threats
    (the group O(threats_group)) or use C(keyed_groups) and C(groups) on the facts.
  - Reads one C(sites_list) (with the latest scan report, and with O(firewall_history) the firewall history) per
    inventory load, through the same client as the C(virusdie_*) modules; with O(cache=true) a second load sends no
    request until the cache times out.
  - "Host variables: C(virusdie_domain) (UTF-8), C(virusdie_host) (punycode), C(virusdie_scan_period) (seconds),
    C(virusdie_firewall), C(virusdie_auto_treatment), C(virusdie_shared_with) (the unit when O(unit) is set, else
    null: Virusdie's sites name no owner), C(virusdie_next_scan) (Unix time), C(virusdie_scanned) (whether a scan report exists), C(virusdie_scan_report) (the
    latest report as Virusdie returns it, or null), C(virusdie_threats), C(virusdie_incurable), C(virusdie_doubt),
    C(virusdie_treated) (counts of that report, null without one), C(virusdie_last_scan) (Unix time of the report),
    and with O(firewall_history) C(virusdie_firewall_history) (one entry per day: date, allowed, blocked, dos,
    injections, uploads, other, blocked_ips) and C(virusdie_firewall_blocked) (blocked requests of those days)."
  - Every value comes from Virusdie and is marked unsafe, so it is never templated.
  - Uses a YAML configuration file whose name ends in C(virusdie_sites.yml) or C(virusdie_sites.yaml).
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.virusdie
  - domainsec.onboard.transport
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
notes:
  - The string connection options may be Jinja templates, for example a C(lookup) that reads the key from a vault or
    another environment variable (see the examples). An option left out of the file is taken from the environment
    variable named in its description (E(VIRUSDIE_API_KEY), E(VIRUSDIE_MAC_KEY), E(VIRUSDIE_API_URL),
    E(DOMAINSEC_CA_PATH)); O(api_key) must come from one of the two.
  - The cache key is the inventory file plus O(api_url) and the read options, never a key; use C(--flush-cache) after
    switching accounts or to read again before the cache times out.
options:
  plugin:
    description: The name of this plugin; marks the file as this plugin's configuration.
    type: str
    required: true
    choices: [domainsec.onboard.virusdie_sites]
  api_key:
    required: false
  unit:
    description: Only the sites shared with this unit (end customer e-mail address).
    type: str
  firewall_history:
    description:
      - Also read the firewall history of the last 30 days (C(virusdie_firewall_history), C(virusdie_firewall_blocked)).
        Still one request, with a larger answer.
    type: bool
    default: false
  threats_group:
    description:
      - Inventory group of the sites whose latest scan report counts threats (C(threats) greater than 0, the threats
        remaining after the scan or cleanup). An empty value adds no such group.
    type: str
    default: virusdie_threats
  unscanned_group:
    description:
      - Inventory group of the sites without a scan report yet. An empty value adds no such group.
    type: str
    default: virusdie_unscanned
'''

EXAMPLES = r'''
# sites.virusdie_sites.yml - the key from VIRUSDIE_API_KEY and VIRUSDIE_MAC_KEY; sites with threats in virusdie_threats
plugin: domainsec.onboard.virusdie_sites

---
# customer.virusdie_sites.yml - one unit's sites, a key from a lookup, groups by firewall state and by unit
plugin: domainsec.onboard.virusdie_sites
api_key: "{{ lookup('ansible.builtin.env', 'CUSTOMER_VIRUSDIE_KEY') }}"
mac_key: "{{ lookup('ansible.builtin.env', 'CUSTOMER_VIRUSDIE_MAC') }}"
unit: owner@example.com
firewall_history: true
groups:
  firewall_off: not virusdie_firewall
  under_attack: virusdie_firewall_blocked > 1000
keyed_groups:
  - key: virusdie_shared_with | default('none', true)
    prefix: unit
compose:
  ansible_connection: "'local'"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible-inventory

# A play on the sites whose latest scan found threats:
# - name: Clean up infected sites
#   hosts: virusdie_threats
#   gather_facts: false
#   tasks:
#     - name: Show the threats
#       ansible.builtin.debug:
#         msg: "{{ inventory_hostname }}: {{ virusdie_threats }} threats"
'''

from ansible_collections.domainsec.onboard.plugins.module_utils import virusdie as vd
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_email
from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError
from ansible_collections.domainsec.onboard.plugins.plugin_utils.vendor_inventory import VendorInventory

REPORT_COUNTS = ('threats', 'incurable', 'doubt', 'treated')


class InventoryModule(VendorInventory):
    """Virusdie sites as inventory."""

    NAME = 'domainsec.onboard.virusdie_sites'
    CLIENT = vd.VirusdieClient
    READ_OPTIONS = ('unit', 'firewall_history')

    def fetch(self, client):
        """The sites (with scan report, and firewall history when asked for), by host name: one ``sites_list``."""
        unit = self.get_option('unit')
        if unit is not None:
            try:
                check_email(unit, 'unit')  # sent as given: Virusdie matches a unit in any case
            except ValueError as exc:
                raise DomainsecError(str(exc), vendor=vd.VENDOR)
        sites = client.list_sites(unit=unit.strip() if unit else None, scan_report=True,
                                  firewall_history=self.get_option('firewall_history'))
        return [sites[host] for host in sorted(sites)]

    def populate(self, data):
        threats_group, unscanned_group = self.get_option('threats_group'), self.get_option('unscanned_group')
        for site in data or []:
            name = vd.canonical_or_raw(site.get('host') or site.get('domain'))
            if not name:
                self.display.warning('%s: skipped a site Virusdie listed without a host name' % self.NAME)
                continue
            hostvars, groups = self.site_vars(site), []
            if threats_group and (hostvars['virusdie_threats'] or 0) > 0:
                groups.append(threats_group)
            if unscanned_group and not hostvars['virusdie_scanned']:
                groups.append(unscanned_group)
            self.add_host(name, hostvars, groups=groups)

    def site_vars(self, site):
        hostvars = dict(('virusdie_%s' % key, value) for key, value in vd.site_view(site).items())
        report = site.get('scanreport') if isinstance(site.get('scanreport'), dict) else None
        hostvars['virusdie_scanned'] = report is not None
        hostvars['virusdie_scan_report'] = report
        for field in REPORT_COUNTS:
            hostvars['virusdie_%s' % field] = vd.as_int(report.get(field)) if report else None
        hostvars['virusdie_last_scan'] = vd.as_int(report.get('date')) if report else None
        if self.get_option('firewall_history'):
            days = vd.firewall_days(site.get('fwhistory'))
            hostvars['virusdie_firewall_history'] = days
            hostvars['virusdie_firewall_blocked'] = sum(vd.as_int(day.get('blocked')) or 0 for day in days)
        return hostvars
