# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SecuritySpace audits: the audit targets (addresses and the vendor's octet patterns), their size, and the
summary of an audit report. The client (``securityspace.py``) starts audits and reads reports."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re


AUDIT_TYPES = ('advanced', 'standard', 'norisk', 'desktop', 'basic')
RISK_LEVELS = ('high', 'medium', 'low', 'other')
_OCTET = re.compile(r'^(\*|\d{1,3}|\d{1,3}-\d{1,3})$')


def audit_target(value):
    """A user target → the API's address pattern (wildcards, hyphen ranges).

    Accepts what the API accepts (``192.0.2.*``, ``10.1.1-2.32-63``, a plain
    address) and CIDR networks, which are turned into octet ranges
    (``10.1.1.32/27`` → ``10.1.1.32-63``). Raises ValueError naming the target.
    """
    text = (value or '').strip()
    if '/' in text:
        try:
            network = ipaddress.IPv4Network(text, strict=False)
        except ValueError:
            raise ValueError('targets: %r is not an IPv4 network' % value)
        first = network.network_address.packed
        last = network.broadcast_address.packed
        parts = []
        for low, high in zip(bytearray(first), bytearray(last)):
            parts.append(str(low) if low == high else ('*' if (low, high) == (0, 255) else '%d-%d' % (low, high)))
        return '.'.join(parts)
    octets = text.split('.')
    if len(octets) != 4 or not all(_OCTET.match(o) for o in octets):
        raise ValueError('targets: %r is not an IPv4 address, network, or pattern such as 192.0.2.* or '
                         '10.1.1-2.32-63' % value)
    for octet in octets:
        if octet == '*':
            continue
        bounds = [int(x) for x in octet.split('-')]
        if any(b > 255 for b in bounds) or (len(bounds) == 2 and bounds[0] > bounds[1]):
            raise ValueError('targets: %r has an octet out of range (0-255, low-high)' % value)
    return text


def address_count(patterns):
    """How many addresses a list of API address patterns covers (``192.0.2.*`` is 256)."""
    total = 0
    for pattern in patterns:
        count = 1
        for part in pattern.split('.'):
            if part == '*':
                count *= 256
            else:
                bounds = [int(x) for x in part.split('-')]
                count *= bounds[-1] - bounds[0] + 1
        total += count
    return total


def pattern_contains(pattern, address):
    """Whether ``address`` (dotted IPv4) is covered by an API address pattern."""
    try:
        octets = [int(x) for x in address.split('.')]
    except ValueError:
        return False
    if len(octets) != 4:
        return False
    for part, octet in zip(pattern.split('.'), octets):
        if part == '*':
            continue
        bounds = [int(x) for x in part.split('-')]
        if not bounds[0] <= octet <= bounds[-1]:
            return False
    return True


def scan_finished(scan):
    end = (scan.get('time_end') or '').strip()
    return bool(end) and not end.startswith('0000')


def report_summary(scaninfo):
    """The parts of an audit report users act on."""
    basic = scaninfo.get('basic') or {}
    risk = dict((level, int((scaninfo.get('risk') or {}).get(level) or 0)) for level in RISK_LEVELS)
    entries = dict((level, []) for level in RISK_LEVELS)
    for level, items in (scaninfo.get('entries') or {}).items():
        for key in sorted(items or {}, key=_natural_key):  # ..._9 before ..._10
            item = items[key]
            entries.setdefault(level, []).append(dict(
                (f, item.get(f)) for f in ('entrykey', 'id', 'title', 'cat', 'cve', 'ip', 'port', 'risk', 'type')))
    ports = [dict(port=p.get('portnum'), port_end=p.get('portend'), protocol=p.get('portprot'),
                  service=p.get('portservice'), hostip=p.get('hostip')) for p in scaninfo.get('ports') or []]
    return dict(scanuid=str(basic.get('scanuid', '')), hostip=basic.get('hostip'), title=basic.get('title'),
                scantype=basic.get('scantype'), risk=risk, ports=ports, entries=entries)


def _natural_key(text):
    return [(0, int(part), '') if part.isdigit() else (1, 0, part) for part in re.split(r'(\d+)', str(text))]


def risk_at_or_above(risk, level):
    """Number of findings at ``level`` or more severe."""
    order = ('high', 'medium', 'low')
    return sum(int(risk.get(lvl) or 0) for lvl in order[:order.index(level) + 1])
