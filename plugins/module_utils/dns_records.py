# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Provider-neutral DNS record logic: validation, normalisation, set diffing.

A record is a dict in *canonical form*:

``type``      A, AAAA, CNAME, MX, NS, CAA, TXT or SRV
``name``      owner relative to the zone, lowercase, ``''`` for the apex
              (for SRV: the host part below ``_service._protocol``)
``value``     normalised: compressed IP, absolute lowercase target with a
              trailing dot, TXT as its logical (unquoted, joined) text, CAA value
``priority``  MX and SRV;  ``weight``, ``port``, ``service``, ``protocol``: SRV
``flag``, ``tag``: CAA

Two records are the same when :func:`record_key` is equal. A provider adapter
converts its API's records to this form and back; everything else (what to
add, what to delete, in which order, the diff) is here, once.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.domainsec.onboard.plugins.module_utils.names import (
    check_email,
    check_name,
    check_text,
    check_url,
    is_hostname,
    name_problem,
    to_ascii,
)

RECORD_TYPES = ('A', 'AAAA', 'CNAME', 'MX', 'NS', 'CAA', 'TXT', 'SRV')
CAA_TAGS = ('issue', 'issuewild', 'iodef')
SRV_PROTOCOLS = ('tcp', 'udp', 'tls')
TXT_CHUNK = 255
TXT_MAX = 3800

EXTRA_FIELDS = {
    'A': (), 'AAAA': (), 'CNAME': (), 'NS': (), 'TXT': (),
    'MX': ('priority',),
    'CAA': ('flag', 'tag'),
    'SRV': ('service', 'protocol', 'priority', 'weight', 'port'),
}
ALL_EXTRA = ('priority', 'weight', 'port', 'flag', 'tag', 'service', 'protocol')

_SRV_LABEL = re.compile(r'_?[a-z0-9][a-z0-9-]{0,62}\Z')
# TXT data in zone-file form: one or more quoted strings and nothing else.
_ZONE_FILE_TXT = re.compile(r'\s*(?:\(\s*)?"(?:[^"\\]|\\.)*"(?:\s+"(?:[^"\\]|\\.)*")*\s*(?:\)\s*)?\Z')
# An RFC 8659 CAA parameter: tag=value, the value printable ASCII without ';' or spaces.
_CAA_PARAMETER = re.compile(r'[A-Za-z0-9]+=[\x21-\x3a\x3c-\x7e]*\Z')


class RecordError(ValueError):
    """Invalid record input; the message names the option."""


# -- names -------------------------------------------------------------------
def normalize_zone(zone):
    return to_ascii((zone or '').strip()).lower().rstrip('.')


def relative_name(name, zone, option='name'):
    """User input → owner relative to ``zone`` ('' is the apex).

    ``''`` and ``@`` are the apex; a name ending in a dot is absolute and must
    lie inside the zone; a name that equals the zone or ends with ``.zone`` is
    taken as fully qualified too; anything else is relative to the zone.
    """
    raw = (name or '').strip()
    if raw in ('', '@'):
        return ''
    lowered = to_ascii(raw.lower())
    zone = normalize_zone(zone)
    absolute = lowered.endswith('.')
    lowered = lowered.rstrip('.')
    if lowered == zone:
        return ''
    if lowered.endswith('.' + zone):
        lowered = lowered[:-len(zone) - 1]
    elif absolute:
        raise RecordError('%s %r is not inside the zone %s' % (option, name, zone))
    if not is_hostname(lowered, allow_wildcard=True) or len(lowered) + len(zone) + 1 > 253:
        raise RecordError('%s %r is not a valid host name (letters, digits, hyphen, underscore; '
                          "a leading '*.' for a wildcard; at most 253 characters)" % (option, name))
    return lowered


def absolute_target(value, zone, user_input=True, option='value', strict=False):
    """A host name target → absolute lowercase name with a trailing dot.

    User input is always taken as fully qualified (``mail.example.org`` means
    that host, with or without the final dot), so it needs at least two labels:
    ``www`` would be the top-level domain ``www.``, which is never meant.
    ``strict`` applies host-name rules (letters, digits, hyphens: no
    underscore), as name servers do for the targets of MX, NS and SRV records.
    A value read from a provider follows zone-file rules: without a trailing
    dot it is relative to the zone.
    """
    raw = (value or '').strip()
    if raw == '.':
        return '.'
    lowered = to_ascii(raw.lower())
    if user_input:
        name = lowered.rstrip('.')
        if not is_hostname(name):
            raise RecordError('%s %r is not a valid host name' % (option, value))
        if strict and '_' in name:
            raise RecordError('%s %r is not a valid host name for this record type: the target of an MX, NS or '
                              'SRV record must be a host name (letters, digits and hyphens; no underscore)'
                              % (option, value))
        if '.' not in name:
            raise RecordError('%s %r must be a fully qualified host name such as %s.%s (a single label would be a '
                              'top-level domain)' % (option, value, name, normalize_zone(zone)))
        problem = name_problem(name, underscore=True)  # the rules of every domain name (names.check_name)
        if problem:
            raise RecordError('%s %r is not a valid host name: %s' % (option, value, problem))
        return name + '.'
    if lowered.endswith('.'):
        return lowered
    if lowered in ('', '@'):
        return normalize_zone(zone) + '.'
    return '%s.%s.' % (lowered, normalize_zone(zone))


def fqdn(name, zone):
    zone = normalize_zone(zone)
    return '%s.%s.' % (name, zone) if name else zone + '.'


# -- TXT ---------------------------------------------------------------------
def txt_split(text):
    """Split logical TXT text into DNS character-strings of at most 255 bytes."""
    chunks, current, size = [], [], 0
    for char in text:
        length = len(char.encode('utf-8'))
        if size + length > TXT_CHUNK:
            chunks.append(''.join(current))
            current, size = [], 0
        current.append(char)
        size += length
    chunks.append(''.join(current))
    return chunks


def txt_quote(text):
    """Logical text → zone-file form ``"chunk" "chunk"`` (escaped)."""
    return ' '.join('"%s"' % c.replace('\\', '\\\\').replace('"', '\\"') for c in txt_split(text))


def txt_strings(data, strict=False):
    """Zone-file TXT data → list of character-strings. Bare data is one string.

    ``\\"``, ``\\\\`` and ``\\DDD`` (a byte in decimal) are decoded; the bytes of
    a string are read as UTF-8. The parenthesised multi-line form of BIND
    and opendkim (``( "p1" "p2" )``) is one record whose strings are joined.
    ``strict`` (user input): a byte sequence that is not UTF-8 or a
    ``\\DDD`` above 255 raises RecordError instead of being replaced.
    """
    data = (data or '').strip()
    if data.startswith('(') and data.endswith(')'):
        data = data[1:-1].strip()
    if not data.startswith('"'):
        return [data]
    strings, i = [], 0
    while i < len(data):
        if data[i].isspace():
            i += 1
            continue
        if data[i] != '"':
            # stray unquoted text: keep it as its own string
            end = i
            while end < len(data) and not data[end].isspace():
                end += 1
            strings.append(data[i:end])
            i = end
            continue
        i += 1
        buf = bytearray()
        while i < len(data) and data[i] != '"':
            if data[i] == '\\' and i + 1 < len(data):
                digits = data[i + 1:i + 4]
                if len(digits) == 3 and digits.isdigit():
                    if int(digits) > 255:
                        if strict:
                            raise RecordError('TXT escape \\%s is not a byte (0-255)' % digits)
                    else:
                        buf.append(int(digits))
                        i += 4
                        continue
                i += 1
            buf.extend(data[i].encode('utf-8'))
            i += 1
        try:
            strings.append(bytes(buf).decode('utf-8'))
        except UnicodeDecodeError:
            if strict:
                raise RecordError('TXT data with \\DDD escapes must stand for UTF-8 text')
            strings.append(bytes(buf).decode('utf-8', 'replace'))
        i += 1
    return strings


def txt_logical(data):
    return ''.join(txt_strings(data))


# -- user input --------------------------------------------------------------
def _int_field(spec, field, low, high, where):
    value = spec.get(field)
    if value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise RecordError('%s.%s must be an integer, got %r' % (where, field, value))
    if not low <= number <= high:
        raise RecordError('%s.%s must be between %d and %d, got %d' % (where, field, low, high, number))
    return number


def normalize_user_record(spec, zone, where='record', value_optional=False, limits=None):
    """Validate one user-supplied record and return it in canonical form.

    ``where`` names the option in messages (``records[3]``); ``value_optional``
    allows a missing value (``state: absent`` removes every value). ``limits``
    overrides numeric ranges per provider, e.g. ``{'MX.priority': (0, 99)}``, and
    ``{'MX.null': False}`` refuses a null MX (``.``) the provider cannot publish.
    """
    limits = limits or {}
    rtype = (spec.get('type') or '').upper()
    if rtype not in RECORD_TYPES:
        raise RecordError('%s.type must be one of %s, got %r' % (where, ', '.join(RECORD_TYPES), spec.get('type')))
    for field in ALL_EXTRA:
        if spec.get(field) is not None and field not in EXTRA_FIELDS[rtype]:
            raise RecordError('%s.%s is not valid for %s records (valid: %s)' % (
                where, field, rtype, ', '.join(EXTRA_FIELDS[rtype]) or 'none'))
    record = dict(type=rtype, name=relative_name(spec.get('name'), zone, option='%s.name' % where))
    for field in ALL_EXTRA:
        record[field] = None
    value = spec.get('value')
    if value is not None and not isinstance(value, str):
        value = str(value)
    if value in (None, ''):
        if not value_optional:
            raise RecordError('%s.value is required for %s records' % (where, rtype))
        record['value'] = None
    else:
        record['value'] = _normalize_value(rtype, value, zone, where, limits)

    def rng(field, low, high):
        low, high = limits.get('%s.%s' % (rtype, field), (low, high))
        return _int_field(spec, field, low, high, where)

    if rtype == 'CNAME' and record['name'] == '':
        raise RecordError('%s: a CNAME record cannot be at the zone apex (it would hide the SOA and NS records)' % where)
    if rtype == 'MX':
        record['priority'] = rng('priority', 0, 65535)
        if record['priority'] is None and not value_optional:
            raise RecordError('%s.priority is required for MX records' % where)
    elif rtype == 'SRV':
        for field in ('priority', 'weight', 'port'):
            record[field] = rng(field, 0, 65535)
            if record[field] is None and not value_optional:
                raise RecordError('%s.%s is required for SRV records' % (where, field))
        service = (spec.get('service') or '').strip().lower()
        protocol = (spec.get('protocol') or '').strip().lower().lstrip('_')
        if not service or not _SRV_LABEL.match(service):
            raise RecordError('%s.service is required for SRV records and must look like _sip or sip, got %r'
                              % (where, spec.get('service')))
        if protocol not in SRV_PROTOCOLS:
            raise RecordError('%s.protocol must be one of %s, got %r' % (where, ', '.join(SRV_PROTOCOLS),
                                                                         spec.get('protocol')))
        record['service'] = '_' + service.lstrip('_')
        record['protocol'] = '_' + protocol
        labels = record['name'].split('.') if record['name'] else []
        if len(labels) >= 2 and labels[0].startswith('_') and labels[1].lstrip('_') in SRV_PROTOCOLS:
            raise RecordError('%s.name %r already starts with a _service._protocol pair; with service and protocol '
                              'given, name is only the host part below them (%r here), or empty for the zone apex'
                              % (where, spec.get('name'), '.'.join(labels[2:])))
    elif rtype == 'CAA':
        # flag defaults to 0 for a record to create; a record to remove without
        # flag or tag matches every flag or tag (as a record without value does).
        record['flag'] = rng('flag', 0, 255)
        if record['flag'] is None and not value_optional:
            record['flag'] = 0
        tag = (spec.get('tag') or '').strip().lower() or None
        if tag not in CAA_TAGS and not (tag is None and value_optional):
            raise RecordError('%s.tag must be one of %s, got %r' % (where, ', '.join(CAA_TAGS), spec.get('tag')))
        record['tag'] = tag
        if record['value'] is not None and tag is not None:
            _check_caa_value(tag, record['value'], where)
    return record


def _normalize_value(rtype, value, zone, where, limits=None):
    option = '%s.value' % where
    if rtype != 'TXT':  # TXT may hold line breaks between the strings of its zone-file form: checked once parsed
        _check_text(value, option)
        value = value.strip()
    if rtype == 'A':
        try:
            return str(ipaddress.IPv4Address(value))
        except ValueError:
            raise RecordError('%s %r is not an IPv4 address' % (option, value))
    if rtype == 'AAAA':
        if '%' in value:
            raise RecordError('%s %r carries an IPv6 zone index (%%...), which means nothing in DNS' % (option, value))
        try:
            return ipaddress.IPv6Address(value).compressed
        except ValueError:
            raise RecordError('%s %r is not an IPv6 address' % (option, value))
    if rtype == 'CNAME':
        return absolute_target(value, zone, option=option)
    if rtype == 'MX' and value == '.' and not (limits or {}).get('MX.null', True):
        raise RecordError('%s: a null MX (.) is refused by this provider when the zone is published; to say that a '
                          'domain takes no mail, publish no MX record and an SPF record "v=spf1 -all"' % option)
    if rtype in ('MX', 'NS', 'SRV'):
        return absolute_target(value, zone, option=option, strict=True)
    if rtype == 'TXT':
        if _ZONE_FILE_TXT.match(value):
            # Given in zone-file form ("v=spf1 -all", a DKIM key as "p1" "p2", or BIND's and opendkim's
            # parenthesised multi-line form): the quotes, parentheses and line breaks are syntax, not text.
            try:
                value = ''.join(txt_strings(value, strict=True))
            except RecordError as exc:
                raise RecordError('%s: %s' % (option, exc))
        _check_text(value, option)
        if len(txt_quote(value)) > TXT_MAX:
            raise RecordError('%s is too long (%d characters; at most about %d)' % (option, len(value), TXT_MAX - 40))
        return value
    if rtype == 'CAA':
        text = value.strip()
        if len(text) >= 2 and text[0] == text[-1] == '"':
            text = text[1:-1]
        return text
    raise RecordError('%s: unsupported type %s' % (option, rtype))  # pragma: no cover


def _check_text(value, option):
    try:
        check_text(value, option)
    except ValueError as exc:
        raise RecordError(str(exc))


def _is_name(value):
    """A CAA issuer: an ASCII domain name as names.check_name has it (no trailing dot, no Unicode)."""
    try:
        return check_name(value, 'value') == value.lower()
    except ValueError:
        return False


def _check_caa_value(tag, value, where):
    if tag == 'iodef':
        try:
            if value.lower().startswith('mailto:'):
                check_email(value[len('mailto:'):], '%s.value' % where)
            else:
                check_url(value, '%s.value' % where, schemes=('http', 'https'))
        except ValueError as exc:
            raise RecordError('%s.value for a CAA iodef record must be a mailto: or http(s):// URL, got %r (%s)'
                              % (where, value, exc))
    else:
        issuer, dummy, parameters = value.partition(';')
        issuer = issuer.strip()
        if issuer and not _is_name(issuer):
            raise RecordError('%s.value for a CAA %s record must be an issuer domain (optionally followed by '
                              "';' parameters) or empty, got %r" % (where, tag, value))
        for parameter in parameters.split(';') if parameters.strip() else []:
            if not _CAA_PARAMETER.match(parameter.strip()):
                raise RecordError('%s.value for a CAA %s record has a malformed parameter %r: RFC 8659 parameters are '
                                  "tag=value (letters and digits, '=', then printable characters without spaces "
                                  "or ';'), as in \"letsencrypt.org; validationmethods=dns-01\"; got %r"
                                  % (where, tag, parameter.strip(), value))


# -- identity, diffing -------------------------------------------------------
def owner(record):
    if record['type'] == 'SRV':
        parts = [record.get('service'), record.get('protocol')]
        if record['name']:
            parts.append(record['name'])
        return '.'.join(p for p in parts if p)
    return record['name']


def record_key(record):
    return (record['type'], owner(record), record.get('value'), record.get('priority'), record.get('weight'),
            record.get('port'), record.get('flag'), record.get('tag'))


def set_key(record):
    return (record['type'], owner(record))


def matches(pattern, record):
    """``pattern`` may leave value/extras unset (None): it then matches any.

    A pattern with ``raw_value`` (a value given for removal that no longer
    passes validation) matches only a record whose value the provider stores
    as exactly that text (``raw_text``).
    """
    if set_key(pattern) != set_key(record):
        return False
    if pattern.get('raw_value') is not None:
        return (record.get('raw_text') or '').strip().lower() == pattern['raw_value'].strip().lower()
    for field in ('value',) + ALL_EXTRA:
        if pattern.get(field) is not None and pattern.get(field) != record.get(field):
            return False
    return True


def check_conflicts(records, owners=None):
    """Errors a name server would refuse, caught before any request.

    ``owners`` limits the check to these owner names (the names a run writes
    to), so a conflict already in a zone does not block unrelated changes.
    """
    by_owner = {}
    for record in records:
        by_owner.setdefault(owner(record), set()).add(record['type'])
    for name, types in sorted(by_owner.items()):
        if owners is not None and name not in owners:
            continue
        if 'CNAME' in types and len(types) > 1:
            raise RecordError('records: %s has a CNAME record beside %s records; a CNAME must be alone at its name'
                              % (name or '@', ', '.join(sorted(types - set(['CNAME'])))))
    cnames = [r for r in records if r['type'] == 'CNAME' and (owners is None or r['name'] in owners)]
    seen = {}
    for record in cnames:
        if record['name'] in seen and seen[record['name']] != record['value']:
            raise RecordError('records: %s has two different CNAME values (%s, %s); there can be only one'
                              % (record['name'], seen[record['name']], record['value']))
        seen[record['name']] = record['value']


def plan_changes(current, desired, state='present', exclusive=False, purge=False, managed_types=RECORD_TYPES):
    """Decide what to add and what to delete.

    ``current``: canonical records read from the provider (with ``seq``);
    ``desired``: canonical records from the user. Returns ``(to_add,
    to_delete)``; adds are meant to be applied before deletes, so a name never
    goes dark during a change.

    * present: add every desired record that is missing, and delete the
      extra copies of a desired record (the one with the lowest sequence
      number is kept), which two runs adding it at once leave behind;
    * exclusive: also delete records of the same type and name that are not
      desired (CNAMEs are always exclusive);
    * purge: also delete every managed record of the zone that is not
      desired, except the apex NS set unless apex NS records are desired;
    * absent: delete every current record a desired record matches (a desired
      record without value matches every value of its type and name).
    """
    current = [r for r in current if r['type'] in managed_types]
    if state == 'absent':
        to_delete = [r for r in current if any(matches(d, r) for d in desired)]
        return [], to_delete

    desired_keys = set(record_key(d) for d in desired)
    current_keys = set(record_key(r) for r in current)
    to_add, added = [], set()
    for record in desired:
        key = record_key(record)
        if key not in current_keys and key not in added:
            to_add.append(record)
            added.add(key)

    exclusive_sets = set(set_key(d) for d in desired if exclusive or d['type'] == 'CNAME')
    protect_apex_ns = not any(d['type'] == 'NS' and d['name'] == '' for d in desired)
    to_delete, kept = [], set()
    for record in sorted(current, key=lambda r: int(r.get('seq') or 0)):
        key = record_key(record)
        if key in desired_keys:
            if key in kept:
                to_delete.append(record)  # an extra copy of a wanted record (two runs added it at once)
            kept.add(key)
            continue
        if set_key(record) in exclusive_sets:
            to_delete.append(record)
        elif purge and not (protect_apex_ns and record['type'] == 'NS' and record['name'] == ''):
            to_delete.append(record)
    return to_add, to_delete


def extra_copies(current, desired):
    """The records of ``current`` that repeat a desired record (every copy but the one with the lowest seq)."""
    desired_keys = set(record_key(d) for d in desired)
    kept, extras = set(), []
    for record in sorted(current, key=lambda r: int(r.get('seq') or 0)):
        key = record_key(record)
        if key in desired_keys:
            if key in kept:
                extras.append(record)
            kept.add(key)
    return extras


def record_line(record, zone):
    """One zone-file-like line, for diffs and messages."""
    rtype = record['type']
    name = fqdn(owner(record), zone)
    if rtype == 'MX':
        data = '%s %s' % (record['priority'], record['value'])
    elif rtype == 'SRV':
        data = '%s %s %s %s' % (record['priority'], record['weight'], record['port'], record['value'])
    elif rtype == 'CAA':
        data = '%s %s "%s"' % (record['flag'], record['tag'], record['value'])
    elif rtype == 'TXT':
        data = txt_quote(record['value'] or '')
    else:
        data = record['value']
    return '%s IN %s %s' % (name, rtype, data)


def zone_text(records, zone):
    return ''.join(line + '\n' for line in sorted(record_line(r, zone) for r in records))


def public_record(record, zone):
    """The record as modules return it."""
    result = dict(type=record['type'], name=record['name'], fqdn=fqdn(owner(record), zone), value=record['value'])
    for field in EXTRA_FIELDS[record['type']]:
        result[field] = record.get(field)
    if record.get('seq') is not None:
        result['seq'] = str(record['seq'])
    if record['type'] == 'TXT':
        result['strings'] = txt_split(record['value'] or '')
    return result


def record_line_key(zone):
    """Sort key: records in the order of their zone-file lines."""
    return lambda record: record_line(record, zone)
