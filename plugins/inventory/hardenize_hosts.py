# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: hardenize_hosts
short_description: Hardenize monitored hosts as inventory
version_added: 1.0.0
description:
  - The hosts of a Hardenize organization as inventory hosts, named by their punycode host name, in one inventory
    group per Hardenize group (O(group_prefix) plus the group's id, for example C(hardenize_production)).
  - Reads C(GET /groups) once and C(GET /hosts) once (following pagination to the end) per inventory load, through the
    same client as the C(hardenize_*) modules; with O(cache=true) a second load sends no request until the cache
    times out.
  - Filters by group, status, origin and host name. A filter with one value is sent to the API; with several values
    the hosts are read with the other filters and the values are matched locally.
  - "Host variables: C(hardenize_hostname) (Unicode name), C(hardenize_status), C(hardenize_origin),
    C(hardenize_groups) (group names), C(hardenize_group_ids), C(hardenize_tags), C(hardenize_axfr),
    C(hardenize_created_on). Every value comes from Hardenize and is marked unsafe: it is never templated."
  - Uses a YAML configuration file whose name ends in C(hardenize_hosts.yml) or C(hardenize_hosts.yaml).
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.hardenize
  - domainsec.onboard.transport
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
notes:
  - The string connection options may be Jinja templates, for example a C(lookup) that reads the password from a vault
    or another environment variable (see the examples). An option left out of the file is taken from the environment
    variable named in its description (E(HARDENIZE_API_USER), E(HARDENIZE_API_PASSWORD), E(HARDENIZE_ORG),
    E(HARDENIZE_API_URL), E(DOMAINSEC_CA_PATH)); O(api_user), O(api_password) and O(org) must come from one of the two.
  - The cache key is the inventory file plus the non-secret connection options (O(api_url), O(org), O(api_user)) and
    the filters; use C(--flush-cache) to read again before the cache times out.
options:
  plugin:
    description: The name of this plugin; marks the file as this plugin's configuration.
    type: str
    required: true
    choices: [domainsec.onboard.hardenize_hosts]
  api_user:
    required: false
  api_password:
    required: false
  org:
    required: false
  group:
    description:
      - Only hosts in one of these Hardenize groups, each given by its id or its name (names compared
        case-insensitively, as Hardenize does). A group that does not exist matches nothing and is warned about.
    type: list
    elements: str
    default: []
  status:
    description: Only hosts with one of these statuses. Leave it empty for every status.
    type: list
    elements: str
    choices: [monitored, idle, archived]
    default: []
  origin:
    description: Only hosts discovered one of these ways. Leave it empty for every origin.
    type: list
    elements: str
    choices: [cert, ct, hdb, manual]
    default: []
  hostname:
    description: Only this host and, with O(subdomains), the hosts below it (Unicode or punycode).
    type: str
  subdomains:
    description: With O(hostname), include the hosts below it.
    type: bool
    default: true
  group_prefix:
    description:
      - Prefix of the inventory groups made from the Hardenize groups of each host (the prefix plus the group's id,
        invalid characters replaced by C(_)). An empty prefix uses the bare ids.
    type: str
    default: hardenize_
'''

EXAMPLES = r'''
# prod.hardenize_hosts.yml - credentials from HARDENIZE_API_USER, HARDENIZE_API_PASSWORD and HARDENIZE_ORG
plugin: domainsec.onboard.hardenize_hosts
status: [monitored]

---
# shop.hardenize_hosts.yml - one group, a password from a lookup, groups by status, cached for an hour
plugin: domainsec.onboard.hardenize_hosts
org: example-org
api_user: svc-ansible
api_password: "{{ lookup('ansible.builtin.env', 'SHOP_HARDENIZE_PASSWORD') }}"
group: [shop]
keyed_groups:
  - key: hardenize_status
    prefix: hardenize_status
compose:
  ansible_connection: "'local'"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible-inventory
cache_timeout: 3600
'''

from ansible_collections.domainsec.onboard.plugins.module_utils import hardenize as hz
from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_name
from ansible_collections.domainsec.onboard.plugins.plugin_utils.vendor_inventory import VendorInventory


def matches(values, value):
    """An empty filter matches everything."""
    return not values or value in values


class InventoryModule(VendorInventory):
    """Hardenize hosts as inventory."""

    NAME = 'domainsec.onboard.hardenize_hosts'
    CLIENT = hz.HardenizeClient
    READ_OPTIONS = ('group', 'status', 'origin', 'hostname', 'subdomains')

    def fetch(self, client):
        """``{"groups": [...], "hosts": [...]}``: every group, and the hosts the filters select (2 requests)."""
        filters = {}
        hostname = self.get_option('hostname')
        if hostname:
            try:
                filters['hostname'] = check_name(hostname, 'hostname')
            except ValueError as exc:
                raise DomainsecError(str(exc), vendor=hz.VENDOR)
            filters['subdomains'] = self.get_option('subdomains')
        groups = client.list_groups()
        wanted_groups = self.resolve_groups(groups)
        status, origin = self.get_option('status') or [], self.get_option('origin') or []
        if len(status) == 1:
            filters['status'] = status[0]
        if len(origin) == 1:
            filters['origin'] = origin[0]
        if wanted_groups is not None and len(wanted_groups) == 1:
            filters['group'] = wanted_groups[0]
        if wanted_groups == []:
            return dict(groups=groups, hosts=[])  # only groups that do not exist: nothing to read
        hosts = [host for host in client.list_hosts(**filters)
                 if matches(status, host.get('status')) and matches(origin, host.get('origin')) and
                 (wanted_groups is None or set(wanted_groups) & set(host.get('groups') or []))]
        return dict(groups=groups, hosts=hosts)

    def resolve_groups(self, groups):
        """The ids of the groups of the ``group`` filter (None: no filter); unknown groups are warned about."""
        refs = self.get_option('group') or []
        if not refs:
            return None
        ids = []
        for ref in refs:
            group = hz.group_with_id(groups, ref) or hz.group_named(groups, ref)
            if group is None:
                self.display.warning('%s: Hardenize has no group %r; it matches no host' % (self.NAME, ref))
            elif group.get('id') not in ids:
                ids.append(group.get('id'))
        return ids

    def populate(self, data):
        names = dict((g.get('id'), g.get('name')) for g in data.get('groups') or [])
        prefix = self.get_option('group_prefix') or ''
        for host in data.get('hosts') or []:
            try:
                name = hz.host_key(host)
            except ValueError as exc:
                self.display.warning('%s: skipped a host Hardenize listed: %s' % (self.NAME, exc))
                continue
            ids = [g for g in host.get('groups') or [] if g]
            hostvars = dict(
                hardenize_hostname=host.get('hostname') or name,
                hardenize_status=host.get('status'),
                hardenize_origin=host.get('origin'),
                hardenize_groups=[names.get(g) or g for g in ids],
                hardenize_group_ids=ids,
                hardenize_tags=list(host.get('tags') or []),
                hardenize_axfr=host.get('axfr'),
                hardenize_created_on=host.get('createdOn'),
            )
            self.add_host(name, hostvars, groups=['%s%s' % (prefix, g) for g in ids])
