# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SecuritySpace DNS: the SecuritySpace shape of the canonical records of ``dns_records`` (the ``dnsAdd*`` forms,
the records of ``dnsGetDomainRecords`` read back) and the zone settings kept in its SOA and option records.

The client (``securityspace.py``) sends these forms; the modules compare what they read back."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.domainsec.onboard.plugins.module_utils import dns_records as dr
from ansible_collections.domainsec.onboard.plugins.module_utils.names import normalize_ip


# -- DNS records: the SecuritySpace shape of the canonical records -----------
# Numeric limits the API enforces beyond DNS itself.
RECORD_LIMITS = {'MX.priority': (0, 99), 'MX.null': False}  # a null MX fails at publish

ADD_ENDPOINTS = {
    'A': 'dnsAddA', 'AAAA': 'dnsAddAAAA', 'CNAME': 'dnsAddCNAME', 'MX': 'dnsAddMX',
    'NS': 'dnsAddNS', 'CAA': 'dnsAddCAA', 'TXT': 'dnsAddTXT', 'SRV': 'dnsAddSRV',
}


def _api_name(name):
    """Canonical relative owner → the API's name field (blank for the apex)."""
    return name or ''


def record_from_api(api_record, zone):
    """A ``dnsGetDomainRecords`` entry → canonical record, or None for SOA/Options/WebForwarding."""
    rtype = (api_record.get('type') or '').upper()
    data = api_record.get('data') or {}
    if rtype not in dr.RECORD_TYPES:
        return None
    record = dict((f, None) for f in dr.ALL_EXTRA)
    record.update(type=rtype, seq=str(api_record.get('seq')), raw=data,
                  raw_text=str(data.get('target') if rtype == 'SRV' else data.get('caaval') if rtype == 'CAA'
                               else data.get('data') or ''))

    def rel(name):
        try:
            return dr.relative_name(name, zone)
        except dr.RecordError:
            return (name or '').lower()

    if rtype in ('A', 'AAAA'):
        record['name'] = rel(data.get('name'))
        try:
            record['value'] = str(ipaddress_value(rtype, data.get('data')))
        except ValueError:
            record['value'] = data.get('data')
    elif rtype in ('CNAME', 'NS'):
        record['name'] = rel(data.get('name'))
        record['value'] = dr.absolute_target(data.get('data'), zone, user_input=False)
    elif rtype == 'TXT':
        record['name'] = rel(data.get('name'))
        record['value'] = dr.txt_logical(data.get('data'))
    elif rtype == 'MX':
        record['name'] = rel(data.get('host'))
        record['value'] = dr.absolute_target(data.get('data'), zone, user_input=False)
        record['priority'] = _int(data.get('pri'))
    elif rtype == 'CAA':
        record['name'] = rel(data.get('name'))
        record['flag'] = _int(data.get('flag'))
        record['tag'] = (data.get('tag') or '').lower()
        value = (data.get('caaval') or '').strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        record['value'] = value
    elif rtype == 'SRV':
        record['name'] = rel(data.get('host'))
        record['service'] = '_' + (data.get('srvc') or '').lower().lstrip('_')
        record['protocol'] = '_' + (data.get('prot') or '').lower().lstrip('_')
        record['priority'] = _int(data.get('pri'))
        record['weight'] = _int(data.get('weight'))
        record['port'] = _int(data.get('port'))
        record['value'] = dr.absolute_target(data.get('target'), zone, user_input=False)
    return record


def ipaddress_value(rtype, text):
    if rtype == 'A':
        return ipaddress.IPv4Address((text or '').strip())
    return ipaddress.IPv6Address((text or '').strip()).compressed


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def add_params(record, zone):
    """Canonical record → (endpoint, form parameters) of the matching dnsAdd* call."""
    rtype = record['type']
    name = _api_name(record['name'])
    params = {'domain': zone}
    if rtype in ('A', 'AAAA'):
        params.update(name=name, ip=record['value'])
    elif rtype == 'CNAME':
        params.update(alias=name, name=record['value'])
    elif rtype == 'MX':
        params.update(name=name, mxname=record['value'], priority=str(record['priority']))
    elif rtype == 'NS':
        params.update(subdomain=name, nameserver=record['value'])
    elif rtype == 'CAA':
        params.update(subdomain=name, flag=str(record['flag']), tag=record['tag'], value=record['value'])
    elif rtype == 'TXT':
        params.update(name=name, txtdata=dr.txt_quote(record['value']))
    elif rtype == 'SRV':
        params.update(srvc=record['service'], prot=record['protocol'], host=name, pri=str(record['priority']),
                      weight=str(record['weight']), port=str(record['port']), target=record['value'])
    return ADD_ENDPOINTS[rtype], params


# -- zone settings (SOA contact/TTL and transfer options) -------------------
SETTING_KEYS = ('admin_email', 'min_ttl', 'masters', 'allow_transfer', 'notify', 'also_notify')


def _split(value):
    return [v.strip() for v in re.split(r'[,;\s]+', value or '') if v.strip()]


def current_settings(records):
    """Settings as the zone has them, from the SOA and Options records."""
    settings = dict((k, None) for k in SETTING_KEYS)
    for record in records:
        data = record.get('data') or {}
        if record.get('type') == 'SOA':
            settings['admin_email'] = soa_mail_to_email(data.get('mail'))
            settings['min_ttl'] = _int(data.get('min'))
        elif record.get('type') == 'Options':
            # The document's Options record lists no masters (only dnsSetOptions takes them): an answer without the
            # field leaves them unknown (None), not empty.
            if 'masters' in data:
                settings['masters'] = sorted(set(_normalize_ip_list(_split(data.get('masters')))))
            acl = [v.lower() for v in _split(data.get('allowtransferacl'))]
            if acl in ([], ['none'], ['any']):
                settings['allow_transfer'] = acl or ['none']
            else:
                settings['allow_transfer'] = sorted(set(_normalize_ip_list(acl, network=True)))
            settings['notify'] = (data.get('notify') or 'no').lower()
            settings['also_notify'] = sorted(set(_normalize_ip_list(_split(data.get('alsonotify')))))
    return settings


def _normalize_ip_list(values, network=False):
    result = []
    for value in values:
        try:
            result.append(normalize_ip(value, 'remote', network=network))
        except ValueError:
            result.append(value)
    return result


def soa_mail_to_email(mail):
    """SOA RNAME (hostmaster.example.com.) → e-mail (hostmaster@example.com)."""
    mail = (mail or '').rstrip('.').lower()
    if not mail:
        return None
    if '@' in mail:
        return mail
    match = re.match(r'^((?:[^.\\]|\\.)+)\.(.+)$', mail)
    if not match:
        return mail
    return '%s@%s' % (match.group(1).replace('\\.', '.'), match.group(2))


# -- zone settings: the dnsSetSOA / dnsSetOptions forms ---------------------------------------
def same_setting(key, wanted, have):
    """Whether a setting already has the wanted value.

    The SOA holds the contact as an RNAME (``first\\.last.example.org.``); a
    service that does not escape the dot reads back as ``first@last.example.org``.
    Compared in RNAME form (``@`` as ``.``) both readings match.
    """
    if key == 'admin_email' and wanted is not None and have is not None:
        return wanted.replace('@', '.') == have.replace('@', '.')
    return wanted == have


def settings_calls(wanted, have, new_zone=False):
    """The dnsSetSOA / dnsSetOptions parameters needed to go from ``have`` to ``wanted``.

    Masters the zone's records do not show (``have['masters']`` None: the document's Options record has no such
    field) cannot be compared: they are sent for a zone this run created, and with any other option that is sent,
    never on their own (a re-run must not write every time)."""
    soa, options = {}, {}
    if 'admin_email' in wanted and not same_setting('admin_email', wanted['admin_email'], have.get('admin_email')):
        soa['admin'] = wanted['admin_email']
    if 'min_ttl' in wanted and wanted['min_ttl'] != have.get('min_ttl'):
        soa['ttl'] = str(wanted['min_ttl'])
    mapping = (('masters', 'masters'), ('allow_transfer', 'allowtransferacl'), ('notify', 'notify'),
               ('also_notify', 'alsonotify'))
    unknown_masters = 'masters' in wanted and have.get('masters') is None and have.get('allow_transfer') is not None
    for key, api in mapping:
        if key in wanted and wanted[key] != have.get(key) and not (key == 'masters' and unknown_masters):
            options[api] = wanted[key] if isinstance(wanted[key], str) else ','.join(wanted[key])
    if 'alsonotify' in options and 'notify' not in options and wanted.get('notify'):
        options['notify'] = wanted['notify']
    if unknown_masters and (options or new_zone):
        options['masters'] = ','.join(wanted['masters'])
    return soa, options
