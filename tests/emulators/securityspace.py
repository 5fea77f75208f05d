# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SecuritySpace REST API emulator: DNS hosting and security audits.

Written from the vendor's REST API guide. ``POST /api/<name>.php`` with a
form body, answers HTTP 200 JSON with ``status`` "0" or "-1" + ``error``.
Where the guide is ambiguous, see docs/securityspace-api-decisions.md.

Config knobs (``POST /_emulator/config``): see ``SecuritySpaceApp.default_config``.
Vendor fault kinds: ``expired_session`` and ``error:<code>`` (answers that
error code without processing the request).

Other emulators of the same harness read DNS through
``world.app('securityspace').published_records(fqdn, rtype)``: the records as
last published, not as last edited.
"""

import collections
import copy
import hashlib
import ipaddress
import json
import random
import re
import time
import unicodedata

from .base import EmulatorApp, Response, random_alnum

STATE_TEXT = {0: 'Unvalidated', 1: 'Configuration Errors', 2: 'Waiting for distribution to name servers', 3: 'Active'}
DEFAULT_NS = tuple('ns%d.securityspace.net.' % i for i in range(1, 5))
AUDIT_TYPES = ('advanced', 'standard', 'norisk', 'desktop', 'basic')
RISK_LEVELS = ('high', 'medium', 'low', 'other')
MAX_AUDIT_ADDRESSES = 1024
HOLD_MESSAGE = 'Domain is on hold pending review'

READ_ENDPOINTS = frozenset(['auth', 'dnsGetDomainList', 'dnsGetDomainRecords', 'dnsBuildZone',
                            'saGetAuditList', 'saGetAuditReport'])
WRITE_ENDPOINTS = frozenset(['dnsAddDomain', 'dnsDeleteDomain', 'dnsDeleteRecord', 'dnsAddA', 'dnsAddAAAA',
                             'dnsAddCNAME', 'dnsAddMX', 'dnsAddNS', 'dnsAddCAA', 'dnsAddTXT', 'dnsAddSRV',
                             'dnsSetSOA', 'dnsSetOptions', 'dnsPublish', 'saRunAudit'])
ENDPOINTS = READ_ENDPOINTS | WRITE_ENDPOINTS

_APIKEY = re.compile(r'^[A-Za-z0-9]{24,64}$')
_HOST_LABEL = re.compile(r'^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$')
_NAME_LABEL = re.compile(r'^[A-Za-z0-9_-]{1,63}$')
_UINT = re.compile(r'^[0-9]{1,10}$')
_SRVC = re.compile(r'^_?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$')
_PROT = re.compile(r'^_?(tcp|udp|tls)$', re.I)
_EMAIL = re.compile(r'^([A-Za-z0-9!#$%&\'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&\'*+/=?^_`{|}~-]+)*)@(.+)$')
_CONTROL = re.compile(r'[\x00-\x08\x0a-\x1f\x7f]')
_CAA_PARAM = re.compile(r'^[A-Za-z0-9]+=[\x21-\x3a\x3c-\x7e]*$')
_IODEF = re.compile(r'^(mailto:[^@\s]+@[^@\s]+|https?://\S+)$', re.I)
_OCTET = re.compile(r'^(\*|[0-9]{1,3}|[0-9]{1,3}-[0-9]{1,3})$')


class ApiError(Exception):
    """A SecuritySpace error answer: ``{"status": "-1", "error": code}``."""

    def __init__(self, code):
        super(ApiError, self).__init__(code)
        self.code = code


# -- names ---------------------------------------------------------------------
def valid_domain(text):
    """A registrable-looking domain: LDH labels, two or more, no trailing dot, at most 253 characters."""
    if not text or len(text) > 253 or text.endswith('.'):
        return False
    labels = text.split('.')
    return len(labels) >= 2 and all(_HOST_LABEL.match(label) for label in labels) and not labels[-1].isdigit()


def absolute(name, zone):
    """A stored name or target made absolute (lower case, trailing dot), zone-file rules."""
    if name == '':
        return zone + '.'
    if name.endswith('.'):
        return name.lower()
    return ('%s.%s.' % (name, zone)).lower()


def in_zone(fqdn, zone):
    return fqdn == zone + '.' or fqdn.endswith('.' + zone + '.')


def valid_owner(name, zone):
    """An owner name as the add endpoints accept it: relative, or absolute inside the zone."""
    if name == '':
        return True
    relative = name
    if name.endswith('.'):
        if not in_zone(name.lower(), zone):
            return False
        relative = name[:-(len(zone) + 1)].rstrip('.')
        if relative == '':
            return True
    labels = relative.split('.')
    if labels[0] == '*':
        labels = labels[1:]
    if not all(_NAME_LABEL.match(label) for label in labels):
        return False
    return len(absolute(name, zone)) <= 254


def valid_target(name, allow_root=False):
    """A target (CNAME/MX/NS/SRV) at add time: DNS-name characters only; hostname rules are checked on publish."""
    if name == '.':
        return allow_root
    if not name or len(name) > 254:
        return False
    labels = name[:-1].split('.') if name.endswith('.') else name.split('.')
    return all(_NAME_LABEL.match(label) for label in labels)


def is_hostname(fqdn):
    """Hostname rules (RFC 952/1123) for an absolute name."""
    labels = fqdn.rstrip('.').split('.')
    return len(fqdn) <= 254 and all(_HOST_LABEL.match(label) for label in labels)


def is_domain_name(fqdn):
    """Any DNS name (underscores allowed) for an absolute name."""
    labels = fqdn.rstrip('.').split('.')
    return len(fqdn) <= 254 and all(_NAME_LABEL.match(label) for label in labels)


def _lookup_name(fqdn):
    """A name to look up: lower case, absolute, Unicode labels in their xn-- form."""
    text = unicodedata.normalize('NFC', (fqdn or '').strip()).lower().rstrip('.')
    labels = []
    for label in text.split('.'):
        if not label.isascii():
            label = 'xn--' + label.encode('punycode').decode('ascii')
        labels.append(label)
    return '.'.join(labels) + '.'


def uint(value, low, high):
    """The integer in ``value`` when it is a plain decimal within [low, high], else None."""
    if value is None or not _UINT.match(value):
        return None
    number = int(value)
    return number if low <= number <= high else None


def ip_list(value, networks=False):
    """Addresses (or networks) of a comma-separated list; ValueError when one is not valid."""
    if value.strip() == '':
        return []
    result = []
    for item in value.split(','):
        item = item.strip()
        if networks:
            result.append(ipaddress.ip_network(item, strict=False))
        else:
            result.append(ipaddress.ip_address(item))
    return result


# -- TXT and CAA data ----------------------------------------------------------
def txt_strings(text):
    """The character-strings of stored TXT data (bytes); ValueError on broken quoting.

    A bare text is one string; otherwise one or more double-quoted strings
    with zone-file escapes (\\" \\\\ \\DDD).
    """
    stripped = text.strip()
    if not stripped.startswith('"'):
        return [text.encode('utf-8')]
    strings = []
    pos = 0
    while pos < len(stripped):
        if stripped[pos].isspace():
            pos += 1
            continue
        if stripped[pos] != '"':
            raise ValueError('text outside double quotes')
        pos += 1
        buf = bytearray()
        while True:
            if pos >= len(stripped):
                raise ValueError('unterminated quoted string')
            char = stripped[pos]
            if char == '"':
                pos += 1
                break
            if char == '\\':
                digits = stripped[pos + 1:pos + 4]
                if len(digits) == 3 and digits.isdigit():
                    if int(digits) > 255:
                        raise ValueError('bad escape \\%s' % digits)
                    buf.append(int(digits))
                    pos += 4
                    continue
                if pos + 1 >= len(stripped):
                    raise ValueError('unterminated quoted string')
                char = stripped[pos + 1]
                pos += 1
            buf.extend(char.encode('utf-8'))
            pos += 1
        strings.append(bytes(buf))
    return strings


def txt_zone_text(text):
    """TXT data for a zone file: quoted strings are kept, a bare text is quoted and escaped."""
    if text.strip().startswith('"'):
        return text
    out = []
    for byte in text.encode('utf-8'):
        char = chr(byte)
        if char in '"\\':
            out.append('\\' + char)
        elif 0x20 <= byte < 0x7f:
            out.append(char)
        else:
            out.append('\\%03d' % byte)
    return '"%s"' % ''.join(out)


def unquote_caa(value):
    stripped = value.strip()
    if len(stripped) >= 2 and stripped[0] == stripped[-1] == '"':
        return stripped[1:-1]
    return stripped


def caa_problem(tag, value):
    """Why a CAA value is not valid for its tag (None when it is)."""
    value = unquote_caa(value)
    tag = tag.lower()
    if tag == 'iodef':
        return None if _IODEF.match(value) else 'iodef value %r is not a mailto: or http(s):// URL' % value
    issuer, dummy, params = value.partition(';')
    issuer = issuer.strip()
    if issuer and not valid_domain(issuer):
        return '%s value %r does not name an issuer domain' % (tag, value)
    for param in params.split(';') if params.strip() else []:
        if not _CAA_PARAM.match(param.strip()):
            return '%s value %r has a malformed parameter %r' % (tag, value, param.strip())
    return None


def caa_zone_text(value):
    stripped = value.strip()
    if len(stripped) >= 2 and stripped[0] == stripped[-1] == '"':
        return stripped
    return '"%s"' % value.replace('\\', '\\\\').replace('"', '\\"')


# -- audits ----------------------------------------------------------------------
def expand_targets(text):
    """Addresses of an ipaddr pattern list ("192.0.2.*,10.1.1-2.32-63"); ApiError beyond the cap or when malformed."""
    ranges = []
    total = 0
    for item in text.split(','):
        octets = item.strip().split('.')
        if len(octets) != 4 or not all(_OCTET.match(o) for o in octets):
            raise ApiError('IPPermissionsProblem')
        bounds = []
        for octet in octets:
            low, dummy, high = ('0-255' if octet == '*' else octet).partition('-')
            low, high = int(low), int(high or low)
            if low > high or high > 255:
                raise ApiError('IPPermissionsProblem')
            bounds.append((low, high))
        size = 1
        for low, high in bounds:
            size *= high - low + 1
        total += size
        if total > MAX_AUDIT_ADDRESSES:
            raise ApiError('IPPermissionsProblem')
        ranges.append(bounds)
    found = []
    for bounds in ranges:
        for a in range(bounds[0][0], bounds[0][1] + 1):
            for b in range(bounds[1][0], bounds[1][1] + 1):
                for c in range(bounds[2][0], bounds[2][1] + 1):
                    for d in range(bounds[3][0], bounds[3][1] + 1):
                        address = '%d.%d.%d.%d' % (a, b, c, d)
                        if address not in found:
                            found.append(address)
    return found


# (level, oid suffix, category, title, cve, port)
FINDINGS = {
    'high': [
        ('103936', 'Gain a shell remotely', 'OpenSSH Multiple Vulnerabilities', 'CVE-2016-6210', '22/tcp'),
        ('902112', 'Web application abuses', 'PHP Remote Code Execution', 'CVE-2012-1823', '80/tcp'),
        ('103365', 'Databases', 'MySQL Authentication Bypass', 'CVE-2012-2122', '3306/tcp'),
    ],
    'medium': [
        ('105042', 'SSL and TLS', 'OpenSSL CCS Man in the Middle Security Bypass', 'CVE-2014-0224', '443/tcp'),
        ('103440', 'SMTP problems', 'SMTP Server Allows Cleartext Authentication', '', '25/tcp'),
        ('108031', 'SSL and TLS', 'SSL/TLS: Deprecated TLSv1.0 and TLSv1.1 Protocol Detection', 'CVE-2011-3389', '443/tcp'),
    ],
    'low': [
        ('108440', 'Web Servers', 'HTTP Server Banner Disclosure', '', '80/tcp'),
        ('80091', 'General', 'TCP Timestamps Information Disclosure', '', 'general/tcp'),
        ('10330', 'Service detection', 'Services Detected on Unusual Ports', '', '8080/tcp'),
    ],
    'other': [
        ('10107', 'Web Servers', 'HTTP Server type and version', '', '80/tcp'),
        ('10267', 'Service detection', 'SSH Server type and version', '', '22/tcp'),
        ('12053', 'RPC', 'RPC portmapper', '', '111/tcp'),
        ('108039', 'General', 'Traceroute Information', '', 'general/icmp'),
    ],
}
PORTS = [(22, 'tcp', 'ssh'), (25, 'tcp', 'smtp'), (53, 'udp', 'domain'), (80, 'tcp', 'http'),
         (111, 'tcp', 'sunrpc'), (443, 'tcp', 'https'), (3306, 'tcp', 'mysql'), (8080, 'tcp', 'http-alt')]
SCAN_PORTS = {'advanced': '1-65535', 'standard': '1-10000', 'norisk': '1-1024', 'desktop': '1-1024', 'basic': '1-1024'}


def utc_text(stamp):
    return time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(stamp))


def php_json(obj):
    """JSON the way PHP's json_encode writes it (compact, escaped slashes, [] for empty objects)."""
    return json.dumps(obj, separators=(',', ':')).replace('/', '\\/').encode('utf-8')


def php_object(mapping):
    """PHP encodes an empty associative array as []."""
    return mapping if mapping else []


class SecuritySpaceApp(EmulatorApp):
    """Stateful emulation of the SecuritySpace account API (see the module docstring)."""

    name = 'securityspace'
    write_endpoints = WRITE_ENDPOINTS
    fault_kinds = ('expired_session', 'error:<code>')
    default_config = {
        'token_ttl': 86400.0,  # seconds a session token lives, checked at use
        'expire_all_tokens': False,  # action: true expires every issued token now
        'hold_new_domains': False,  # the first publish of a new domain fails (on hold)
        'distribution_delay': 0.0,  # seconds a published domain stays in state 2 before 3 (Active)
        'audit_duration': 1.0,  # seconds from queueing to the end of an audit (0.2 s of it queued)
        'audit_allowed_cidrs': ['127.0.0.0/8', '10.0.0.0/8', '192.168.0.0/16', '192.0.2.0/24',
                                '198.51.100.0/24', '203.0.113.0/24'],
        'entitled_audit_types': list(AUDIT_TYPES),
        'audit_findings': {},  # {"<ip>": {"high": n, "medium": n, "low": n, "other": n}}
        'dns_entitled': True,  # false: every dns* call fails with dnsEntitlementsOrCreditsMissing
    }

    def __init__(self):
        self.api_key = self.credential('SECURITYSPACE_API_KEY', lambda: random_alnum(32))
        self.userid = self.credential('SECURITYSPACE_USERID', lambda: 'emu' + random_alnum(8).lower())
        self.password = self.credential('SECURITYSPACE_PASSWORD', lambda: random_alnum(20))
        super(SecuritySpaceApp, self).__init__()

    # -- base hooks ----------------------------------------------------------
    def reset_state(self):
        self.sessions = {}
        self.domains = collections.OrderedDict()
        self.next_domain_seq = 101
        self.next_record_seq = 5001
        self.scans = []
        self.next_scanuid = 1100005100
        self.norisk_runs = set()
        self.expiry = int(time.time()) + 365 * 86400

    def endpoint_key(self, request):
        match = re.match(r'^/api/([A-Za-z0-9_]+)\.php$', request.path)
        return match.group(1) if match else request.path

    def credentials(self):
        return {self.api_key, self.password}

    def env(self):
        return {
            'SECURITYSPACE_API_URL': '%s/api' % self.base_url,
            'SECURITYSPACE_API_KEY': self.api_key,
            'SECURITYSPACE_USERID': self.userid,
            'SECURITYSPACE_PASSWORD': self.password,
        }

    def is_fault_kind(self, kind):
        return kind == 'expired_session' or (kind.startswith('error:') and len(kind) > 6)

    def fault_response(self, kind, request):
        if kind == 'expired_session':
            token = self._form(request).get('sessionToken')
            with self.lock:
                if token in self.sessions:
                    self.sessions[token]['expired'] = True
            return self._answer({'status': '-1', 'error': 'sessionTimeout'})
        if kind.startswith('error:'):
            return self._answer({'status': '-1', 'error': kind[6:]})
        return None

    def insecure_response(self, request):
        return self._answer({'status': '-1', 'error': 'notSSL'})

    def configure(self, values):
        if not isinstance(values, dict):
            raise ValueError('the config must be a JSON object')
        for cidr in values.get('audit_allowed_cidrs') or []:
            ipaddress.ip_network(cidr, strict=False)
        unknown = set(values.get('entitled_audit_types') or []) - set(AUDIT_TYPES)
        if unknown:
            raise ValueError('entitled_audit_types: unknown audit types %s' % ', '.join(sorted(unknown)))
        for address, counts in (values.get('audit_findings') or {}).items():
            if not isinstance(counts, dict) or set(counts) - set(RISK_LEVELS) or \
                    not all(isinstance(n, int) and 0 <= n <= 50 for n in counts.values()):
                raise ValueError('audit_findings[%s] must map high/medium/low/other to 0-50' % address)
        with self.lock:
            config = super(SecuritySpaceApp, self).configure(values)
            if config.pop('expire_all_tokens'):
                for session in self.sessions.values():
                    session['expired'] = True
            self.config['expire_all_tokens'] = False
            config['expire_all_tokens'] = False
            return config

    def dump_state(self):
        now = time.time()
        return {
            'account': {'userid': self.userid},
            'sessions': [{'sessionToken': token, 'issued': utc_text(s['issued']),
                          'expired': self._session_expired(s, now)} for token, s in self.sessions.items()],
            'domains': dict((name, {
                'seq': d['seq'], 'type': d['type'], 'state': self._state(d), 'stateText': STATE_TEXT[self._state(d)],
                'serial': d['serial'], 'published': d['published'],
                'records': [dict(r, seq=str(r['seq'])) for r in d['records'].values()],
            }) for name, d in self.domains.items()),
            'scans': [self._scan_listing(s, now) for s in self.scans],
            'config': self.config,
        }

    # -- request handling ------------------------------------------------------
    @staticmethod
    def _form(request):
        """$_POST: only a form-encoded body fills it."""
        if request.content_type != 'application/x-www-form-urlencoded':
            return {}
        return request.form()

    @staticmethod
    def _answer(obj, status=200, headers=None):
        merged = {'Content-Type': 'application/json', 'Cache-Control': 'no-cache, must-revalidate'}
        merged.update(headers or {})
        return Response(status, merged, php_json(obj))

    def handle(self, request):
        name = self.endpoint_key(request)
        if name not in ENDPOINTS:
            return self._answer({'status': '-1', 'error': 'unknownApi'}, 404)
        if request.method != 'POST':
            return self._answer({'status': '-1', 'error': 'methodNotAllowed'}, 405, {'Allow': 'POST'})
        form = self._form(request)
        answer = {'status': '0'}
        with self.lock:
            try:
                self._check_apikey(form)
                if name == 'auth':
                    answer.update(self._auth(form))
                else:
                    self._check_session(form)
                    if name.startswith('dns') and not self.config['dns_entitled']:
                        raise ApiError('dnsEntitlementsOrCreditsMissing')
                    answer.update(getattr(self, '_api_' + name)(form, request))
            except ApiError as exc:
                answer = {'status': '-1', 'error': exc.code}
        return self._answer(answer)

    def _check_apikey(self, form):
        key = form.get('apikey', '')
        if not _APIKEY.match(key):
            raise ApiError('invalid apikey format')
        if key != self.api_key:
            raise ApiError('invalid apikey - not in db')

    def _auth(self, form):
        userid, password = form.get('userid', ''), form.get('password', '')
        if not userid or not password:
            raise ApiError('missing credentials')
        if userid != self.userid or password != self.password:
            raise ApiError('invalidLogin')
        token = self.remember_secret(random_alnum(48))
        self.sessions[token] = {'issued': time.time(), 'expired': False}
        return {'sessionToken': token}

    def _session_expired(self, session, now):
        return session['expired'] or now - session['issued'] >= self.config['token_ttl']

    def _check_session(self, form):
        session = self.sessions.get(form.get('sessionToken') or '')
        if session is None:
            raise ApiError('sessionAuthenticationFailure')
        if self._session_expired(session, time.time()):
            raise ApiError('sessionTimeout')

    # -- DNS: domains --------------------------------------------------------------
    def _state(self, domain):
        if domain['state'] == 2 and time.time() - domain['published_at'] >= self.config['distribution_delay']:
            domain['state'] = 3
        return domain['state']

    def _zone(self, form, code='syntaxInvalidDomain'):
        zone = form.get('domain', '')
        if not valid_domain(zone):
            raise ApiError(code)
        return zone.lower()

    def _domain(self, zone):
        domain = self.domains.get(zone)
        if domain is None:
            raise ApiError('noSuchDomain')
        return domain

    def _account_summary(self):
        return {'domaincount': len(self.domains), 'domainweight': sum(d['weight'] for d in self.domains.values()),
                'expiryjtime': self.expiry, 'expiryreadable': time.strftime('%B %d, %Y', time.gmtime(self.expiry))}

    def _new_record(self, domain, rtype, data):
        seq = self.next_record_seq
        self.next_record_seq += 1
        domain['records'][seq] = {'seq': seq, 'type': rtype, 'data': data}
        domain['state'] = 0

    def _api_dnsGetDomainList(self, form, request):
        answer = self._account_summary()
        answer['domains'] = php_object(collections.OrderedDict(
            (str(d['seq']), {'domain': d['domain'], 'seq': d['seq'], 'weight': d['weight'], 'state': self._state(d),
                             'stateText': STATE_TEXT[self._state(d)]}) for d in self.domains.values()))
        return answer

    def _api_dnsGetDomainRecords(self, form, request):
        domain = self._domain(self._zone(form, 'noSuchDomain'))
        records = collections.OrderedDict(
            (str(seq), {'seq': str(seq), 'type': r['type'], 'data': dict(r['data'])}) for seq, r in domain['records'].items())
        state = self._state(domain)
        return {'domain': domain['domain'], 'state': state, 'stateText': STATE_TEXT[state], 'records': records}

    def _api_dnsAddDomain(self, form, request):
        if form.get('aup') != 'YES':
            raise ApiError('mustAcceptAUP')
        zone = self._zone(form)
        domaintype = form.get('domaintype', '')
        if domaintype not in ('master', 'slave'):
            raise ApiError('syntaxInvalidDomainType')
        if zone in self.domains:
            raise ApiError('unableToAddDuplicate')
        domain = {'seq': self.next_domain_seq, 'domain': zone, 'type': domaintype, 'weight': 1, 'state': 0,
                  'records': collections.OrderedDict(), 'published': False, 'published_at': 0.0, 'published_zone': None,
                  'serial': int(time.strftime('%Y%m%d', time.gmtime())) * 100}
        self.next_domain_seq += 1
        self.domains[zone] = domain
        self._new_record(domain, 'SOA', {'priNS': DEFAULT_NS[0], 'mail': 'hostmaster.%s.' % zone,
                                         'refresh': 10800, 'retry': 3600, 'exp': 604800, 'min': 86400})
        for server in DEFAULT_NS:
            self._new_record(domain, 'NS', {'name': '', 'data': server})
        self._new_record(domain, 'Options', {'masters': '', 'allowtransferacl': 'none', 'notify': 'no', 'alsonotify': ''})
        return {}

    def _api_dnsDeleteDomain(self, form, request):
        zone = self._zone(form)
        if zone not in self.domains:
            raise ApiError('domainNotDeleted')
        del self.domains[zone]
        return self._account_summary()

    def _api_dnsDeleteRecord(self, form, request):
        seq = form.get('seq', '')
        if not _UINT.match(seq):
            raise ApiError('syntaxInvalidSeq')
        for domain in self.domains.values():
            record = domain['records'].get(int(seq))
            if record is not None and record['type'] not in ('SOA', 'Options'):
                del domain['records'][int(seq)]
                domain['state'] = 0
                return {}
        raise ApiError('recordNotDeleted')

    # -- DNS: records ----------------------------------------------------------------
    def _owner(self, form, field, zone, code):
        name = form.get(field, '')
        if not valid_owner(name, zone):
            raise ApiError(code)
        return name

    @staticmethod
    def _target(form, field, code, allow_root=False):
        name = form.get(field, '')
        if not valid_target(name, allow_root):
            raise ApiError(code)
        return name

    @staticmethod
    def _number(form, field, high, code):
        number = uint(form.get(field), 0, high)
        if number is None:
            raise ApiError(code)
        return number

    def _add(self, zone, rtype, data):
        self._new_record(self._domain(zone), rtype, data)
        return {}

    def _add_address(self, form, version):
        zone = self._zone(form)
        name = self._owner(form, 'name', zone, 'syntaxInvalidHostname')
        value = form.get('ip', '')
        try:
            if '%' in value or ipaddress.ip_address(value).version != version:
                raise ValueError(value)
        except ValueError:
            raise ApiError('syntaxInvalidIP') from None
        return self._add(zone, 'A' if version == 4 else 'AAAA', {'name': name, 'data': value})

    def _api_dnsAddA(self, form, request):
        return self._add_address(form, 4)

    def _api_dnsAddAAAA(self, form, request):
        return self._add_address(form, 6)

    def _api_dnsAddCNAME(self, form, request):
        zone = self._zone(form)
        alias = self._owner(form, 'alias', zone, 'syntaxInvalidCNAME')
        target = self._target(form, 'name', 'syntaxInvalidHostname')
        return self._add(zone, 'CNAME', {'name': alias, 'data': target})

    def _api_dnsAddMX(self, form, request):
        zone = self._zone(form)
        name = self._owner(form, 'name', zone, 'syntaxInvalidMX')
        target = self._target(form, 'mxname', 'syntaxInvalidHostname')
        priority = self._number(form, 'priority', 99, 'syntaxInvalidPriority')
        return self._add(zone, 'MX', {'pri': priority, 'host': name, 'data': target})

    def _api_dnsAddNS(self, form, request):
        zone = self._zone(form)
        name = self._owner(form, 'subdomain', zone, 'syntaxInvalidSubdomain')
        target = self._target(form, 'nameserver', 'syntaxInvalidHostname')
        return self._add(zone, 'NS', {'name': name, 'data': target})

    def _api_dnsAddCAA(self, form, request):
        zone = self._zone(form)
        name = self._owner(form, 'subdomain', zone, 'syntaxInvalidSubdomain')
        flag = self._number(form, 'flag', 255, 'syntaxInvalidFlag')
        tag = form.get('tag', '')
        if tag.lower() not in ('issue', 'issuewild', 'iodef'):
            raise ApiError('syntaxInvalidTag')
        return self._add(zone, 'CAA', {'name': name, 'flag': flag, 'tag': tag, 'caaval': form.get('value', '')})

    def _api_dnsAddTXT(self, form, request):
        zone = self._zone(form)
        name = self._owner(form, 'name', zone, 'syntaxInvalidTxtname')
        text = form.get('txtdata', '')
        if not text.strip() or len(text) > 4000 or _CONTROL.search(text):
            raise ApiError('syntaxInvalidTxtdata')
        return self._add(zone, 'TXT', {'name': name, 'data': text})

    def _api_dnsAddSRV(self, form, request):
        zone = self._zone(form)
        srvc = form.get('srvc', '')
        if not _SRVC.match(srvc):
            raise ApiError('syntaxInvalidSrvc')
        prot = form.get('prot', '')
        if not _PROT.match(prot):
            raise ApiError('syntaxInvalidProt')
        host = self._owner(form, 'host', zone, 'syntaxInvalidHostname')
        if len(absolute('_%s._%s.%s' % (srvc.lstrip('_'), prot.lstrip('_'), absolute(host, zone)), zone)) > 254:
            raise ApiError('syntaxInvalidHostname')
        pri = self._number(form, 'pri', 65535, 'syntaxInvalidPriority')
        weight = self._number(form, 'weight', 65535, 'syntaxInvalidWeight')
        port = self._number(form, 'port', 65535, 'syntaxInvalidPort')
        target = self._target(form, 'target', 'syntaxInvalidTarget', allow_root=True)
        return self._add(zone, 'SRV', {'srvc': srvc, 'prot': prot, 'host': host, 'pri': pri, 'weight': weight,
                                       'port': port, 'target': target})

    # -- DNS: zone settings --------------------------------------------------------
    @staticmethod
    def _typed_record(domain, rtype):
        return next(r for r in domain['records'].values() if r['type'] == rtype)

    def _api_dnsSetSOA(self, form, request):
        zone = self._zone(form)
        admin, ttl = form.get('admin', ''), form.get('ttl', '')
        if not admin and not ttl:
            raise ApiError('missingInput')
        mail = None
        if admin:
            match = _EMAIL.match(admin)
            if not match or not valid_domain(match.group(3)):
                raise ApiError('syntaxInvalidAdmin')
            mail = '%s.%s.' % (match.group(1).replace('.', '\\.'), match.group(3))
        minimum = None
        if ttl:
            minimum = uint(ttl, 60, 2419200)
            if minimum is None:
                raise ApiError('syntaxInvalidTTL')
        domain = self._domain(zone)
        soa = self._typed_record(domain, 'SOA')['data']
        if mail is not None:
            soa['mail'] = mail
        if minimum is not None:
            soa['min'] = minimum
        domain['state'] = 0
        return {}

    def _api_dnsSetOptions(self, form, request):
        zone = self._zone(form)
        given = dict((k, form[k]) for k in ('masters', 'allowtransferacl', 'notify', 'alsonotify') if k in form)
        checks = (('masters', 'syntaxInvalidMasters', ip_list),
                  ('allowtransferacl', 'syntaxInvalidAllowtransferacl',
                   lambda v: v.strip().lower() in ('none', 'any') or ip_list(v, networks=True) or None),
                  ('notify', 'syntaxInvalidNotify', lambda v: v.lower() in ('yes', 'no', 'explicit') or None),
                  ('alsonotify', 'syntaxInvalidAlsoNotify', ip_list))
        for field, code, check in checks:
            if field in given:
                try:
                    if check(given[field]) is None:
                        raise ValueError(given[field])
                except ValueError:
                    raise ApiError(code) from None
        domain = self._domain(zone)
        if domain['type'] == 'slave' and 'masters' in given and not given['masters'].strip():
            raise ApiError('syntaxInvalidMasters')
        options = self._typed_record(domain, 'Options')['data']
        effective = dict(options, **given)
        if effective['alsonotify'].strip() and effective['notify'].lower() == 'no':
            raise ApiError('logicAlsoNotifyRequiresNotify')
        options.update(given)
        domain['state'] = 0
        return {}

    # -- DNS: publish and zone file ----------------------------------------------------
    def _owner_of(self, record, zone):
        """Absolute owner name of a record (None for Options)."""
        data, rtype = record['data'], record['type']
        if rtype == 'SOA':
            return zone + '.'
        if rtype == 'MX':
            return absolute(data['host'], zone)
        if rtype == 'SRV':
            return absolute('_%s._%s.%s' % (data['srvc'].lstrip('_'), data['prot'].lstrip('_'),
                                            absolute(data['host'], zone)), zone)
        if rtype == 'Options':
            return None
        return absolute(data['name'], zone)

    def _validate(self, domain):
        """(errors, warnings) of loading the zone into a name server."""
        zone = domain['domain']
        errors, warnings = [], []
        owners = collections.defaultdict(list)
        for record in domain['records'].values():
            owner = self._owner_of(record, zone)
            if owner is not None:
                owners[owner].append(record)
        addressed = set(o for o, rs in owners.items() if any(r['type'] in ('A', 'AAAA') for r in rs))
        aliased = set(o for o, rs in owners.items() if any(r['type'] == 'CNAME' for r in rs))
        for owner, records in owners.items():
            cnames = [r['seq'] for r in records if r['type'] == 'CNAME']
            if not cnames:
                continue
            seqs = ', '.join(str(s) for s in cnames)
            if owner == zone + '.':
                errors.append('%s: CNAME at the zone apex (seq %s)' % (owner.rstrip('.'), seqs))
            elif len(cnames) > 1:
                errors.append('%s: multiple CNAME records (seq %s)' % (owner.rstrip('.'), seqs))
            elif len(records) > 1:
                errors.append('%s: CNAME and other data (seq %s)' % (owner.rstrip('.'), seqs))
        seen = {}
        for record in domain['records'].values():
            rtype, data = record['type'], record['data']
            if rtype == 'Options':
                continue
            where = '%s/%s (seq %d)' % (self._owner_of(record, zone).rstrip('.'), rtype, record['seq'])
            signature = (rtype, json.dumps(data, sort_keys=True))
            if signature in seen:
                warnings.append('%s: duplicate of seq %d' % (where, seen[signature]))
            seen.setdefault(signature, record['seq'])
            if rtype == 'TXT':
                try:
                    for string in txt_strings(data['data']):
                        if len(string) > 255:
                            errors.append('%s: character-string of %d bytes is longer than 255' % (where, len(string)))
                except ValueError as exc:
                    errors.append('%s: bad TXT data: %s' % (where, exc))
            elif rtype == 'CAA':
                problem = caa_problem(data['tag'], data['caaval'])
                if problem:
                    errors.append('%s: %s' % (where, problem))
            elif rtype in ('MX', 'NS', 'SRV', 'CNAME'):
                raw = data['target'] if rtype == 'SRV' else data['data']
                if raw == '.' and rtype == 'SRV':
                    continue
                target = absolute(raw, zone)
                if not (is_domain_name(target) if rtype == 'CNAME' else is_hostname(target)):
                    errors.append("%s: '%s' is not a valid %s" % (where, raw, 'domain name' if rtype == 'CNAME' else 'hostname'))
                elif rtype != 'CNAME' and in_zone(target, zone):
                    if target not in addressed:
                        warnings.append("%s: '%s' has no address records (A or AAAA)" % (where, target.rstrip('.')))
                    if rtype == 'MX' and target in aliased:
                        warnings.append("%s: '%s' is a CNAME (illegal)" % (where, target.rstrip('.')))
        if domain['type'] == 'slave' and not self._typed_record(domain, 'Options')['data']['masters'].strip():
            errors.append('%s: slave zone has no masters' % zone)
        return errors, warnings

    @staticmethod
    def _next_serial(domain):
        return max(domain['serial'] + 1, int(time.strftime('%Y%m%d', time.gmtime())) * 100)

    def _api_dnsPublish(self, form, request):
        domain = self._domain(self._zone(form))
        if self.config['hold_new_domains'] and not domain['published']:
            return {'status': '-1', 'errors': [HOLD_MESSAGE], 'warnings': []}
        errors, warnings = self._validate(domain)
        if errors:
            domain['state'] = 1
            return {'status': '-1', 'errors': errors, 'warnings': warnings}
        domain.update(serial=self._next_serial(domain), published=True, published_at=time.time(), state=2)
        # What the name servers are given: later adds and deletes do not change it until the next publish.
        domain['published_zone'] = {'serial': domain['serial'], 'records': copy.deepcopy(list(domain['records'].values()))}
        return {'warnings': warnings, 'errors': []}

    def _api_dnsBuildZone(self, form, request):
        domain = self._domain(self._zone(form))
        zone = domain['domain']
        soa = self._typed_record(domain, 'SOA')['data']
        lines = ['; %s, built by the SecuritySpace emulator' % zone]
        if domain['type'] == 'slave':
            lines.append('; slave zone, masters: %s' % self._typed_record(domain, 'Options')['data']['masters'])
        lines += ['$ORIGIN %s.' % zone, '$TTL %d' % soa['min'],
                  '@\tIN\tSOA\t%s %s (%d %d %d %d %d)' % (soa['priNS'], soa['mail'], self._next_serial(domain),
                                                          soa['refresh'], soa['retry'], soa['exp'], soa['min'])]
        for record in domain['records'].values():
            if record['type'] in ('SOA', 'Options'):
                continue
            owner, rdata = self._zone_line(record)
            lines.append('%s\tIN\t%s\t%s' % (owner or '@', record['type'], rdata))
        return {'zone': '\n'.join(lines) + '\n'}

    @staticmethod
    def _zone_line(record, zone=None):
        """(owner, rdata) of a record as a zone file line writes them; with ``zone``, every name absolute."""
        rtype, data = record['type'], record['data']

        def name(value):
            return absolute(value, zone) if zone is not None and value != '.' else value
        if rtype == 'MX':
            owner, rdata = data['host'], '%d %s' % (data['pri'], name(data['data']))
        elif rtype == 'SRV':
            owner = '_%s._%s' % (data['srvc'].lstrip('_'), data['prot'].lstrip('_'))
            owner += '.' + data['host'] if data['host'] else ''
            rdata = '%d %d %d %s' % (data['pri'], data['weight'], data['port'], name(data['target']))
        elif rtype == 'CAA':
            owner, rdata = data['name'], '%d %s %s' % (data['flag'], data['tag'], caa_zone_text(data['caaval']))
        elif rtype == 'TXT':
            owner, rdata = data['name'], txt_zone_text(data['data'])
        elif rtype in ('CNAME', 'NS'):
            owner, rdata = data['name'], name(data['data'])
        else:
            owner, rdata = data['name'], data['data']
        return owner, rdata

    # -- read-only views for the other emulators (app.world) -----------------------------
    def published_records(self, fqdn, rtype=None):
        """The records at ``fqdn`` as the zone holding it was last *published* (what name servers serve).

        The zone is the longest published zone ``fqdn`` is in; records added or
        deleted since its last successful ``dnsPublish`` do not show, and a
        zone never published (or deleted) has none. Owner names are matched
        exactly (no wildcard expansion); the distribution delay is not waited
        for. ``rtype`` (any case) filters by type. Each record is
        ``{"name": "www.example.org.", "type": "A", "ttl": 86400, "value":
        "192.0.2.1", "seq": 5004, "data": {...as stored}}`` with ``value`` in
        zone-file form, names absolute. A Unicode ``fqdn`` is matched in its
        ``xn--`` form.
        """
        wanted = _lookup_name(fqdn)
        rtype = rtype.upper() if rtype else None
        with self.lock:
            zones = [z for z, d in self.domains.items() if d.get('published_zone') and in_zone(wanted, z)]
            if not zones:
                return []
            zone = max(zones, key=len)
            published = copy.deepcopy(self.domains[zone]['published_zone'])
        soa = next(r['data'] for r in published['records'] if r['type'] == 'SOA')
        found = []
        for record in published['records']:
            if record['type'] == 'Options' or (rtype and record['type'] != rtype):
                continue
            if self._owner_of(record, zone) != wanted:
                continue
            if record['type'] == 'SOA':
                value = '%s %s %d %d %d %d %d' % (soa['priNS'], soa['mail'], published['serial'], soa['refresh'],
                                                  soa['retry'], soa['exp'], soa['min'])
            else:
                value = self._zone_line(record, zone)[1]
            found.append({'name': wanted, 'type': record['type'], 'ttl': soa['min'], 'value': value,
                          'seq': record['seq'], 'data': record['data']})
        return found

    # -- security audits ---------------------------------------------------------------
    def _api_saRunAudit(self, form, request):
        audittype = form.get('audittype', '')
        if not audittype:
            raise ApiError('missingAuditType')
        if audittype not in AUDIT_TYPES:
            raise ApiError('invalidAuditType')
        if audittype not in self.config['entitled_audit_types']:
            raise ApiError('notEntitled')
        addresses = expand_targets(form.get('ipaddr', '').strip() or request.client_address[0])
        allowed = [ipaddress.ip_network(c, strict=False) for c in self.config['audit_allowed_cidrs']]
        if not all(any(ipaddress.ip_address(a) in net for net in allowed) for a in addresses):
            raise ApiError('IPPermissionsProblem')
        now = time.time()
        month = time.strftime('%Y-%m', time.gmtime(now))
        if audittype == 'norisk':
            if any((a, month) in self.norisk_runs for a in addresses):
                raise ApiError('noriskAlreadyRun')
            self.norisk_runs.update((a, month) for a in addresses)
        duration = float(self.config['audit_duration'])
        for address in addresses:
            self.scans.append({'scanuid': self.next_scanuid, 'hostip': address, 'type': audittype, 'queued_at': now,
                               'start_at': now + min(0.2, duration), 'end_at': now + duration,
                               'excludedos': 'excludedos' in form, 'notification': form.get('notification', '')})
            self.next_scanuid += 1
        return {}

    @staticmethod
    def _scan_listing(scan, now):
        return {'scanuid': str(scan['scanuid']), 'folder': 'API', 'hostip': scan['hostip'],
                'time_end': utc_text(scan['end_at']) if now >= scan['end_at'] else '',
                'time_queued': utc_text(scan['queued_at']),
                'time_start': utc_text(scan['start_at']) if now >= scan['start_at'] else '',
                'type': scan['type']}

    def _api_saGetAuditList(self, form, request):
        now = time.time()
        return {'scancount': len(self.scans), 'scans': [self._scan_listing(s, now) for s in self.scans]}

    def _api_saGetAuditReport(self, form, request):
        uid = form.get('scanuid', '')
        scan = next((s for s in self.scans if str(s['scanuid']) == uid), None)
        if scan is None:
            raise ApiError('reportLoadFailure[1]')
        if time.time() < scan['end_at']:
            raise ApiError('reportLoadFailure[2]')
        return {'scaninfo': self._report(scan)}

    def _report(self, scan):
        address, uid = scan['hostip'], scan['scanuid']
        rng = random.Random(int(hashlib.sha256(address.encode('ascii')).hexdigest()[:16], 16))
        counts = {'high': rng.choice((0, 0, 0, 1)), 'medium': rng.randint(0, 2), 'low': rng.randint(0, 3),
                  'other': rng.randint(1, 4)}
        forced = self.config['audit_findings'].get(address)
        if forced is not None:
            counts = dict((level, forced.get(level, 0)) for level in RISK_LEVELS)
        entries, grid, used_ports = {}, collections.Counter(), set()
        number = 0
        for level in RISK_LEVELS:
            for dummy in range(counts.get(level, 0)):
                number += 1
                shortid, category, title, cve, port = rng.choice(FINDINGS[level])
                used_ports.add(port)
                grid['%s:%s' % (category, level)] += 1
                key = '%d_%d' % (uid, number)
                static = '%s. Risk factor: %s.' % (title, level.capitalize())
                entries.setdefault(level, collections.OrderedDict())[key] = {
                    'repid': str(uid), 'id': '1.3.6.1.4.1.25623.1.0.%s' % shortid, 'shortid': shortid, 'ip': address,
                    'port': port, 'cat': category, 'cve': cve, 'entrykey': key, 'risk': level, 'shortkey': number,
                    'static_description': static, 'description': '%s Detected on %s (%s).' % (static, address, port),
                    'title': title, 'type': {'high': 'HOLE', 'medium': 'HOLE', 'low': 'NOTE'}.get(level, 'LOG'),
                    'baseline': '',
                }
        ports = [p for p in PORTS if '%d/%s' % (p[0], p[1]) in used_ports or rng.random() < 0.3]
        return {
            'basic': {
                'detail_supplement': 0, 'ejtime': str(int(scan['end_at'])), 'hostip': address, 'merge': 0,
                'mergelist': '', 'promocode': '', 'qjtime': int(scan['queued_at']), 'reporttype': 'full',
                'scanattr': 'excludedos' if scan['excludedos'] else '', 'scanportstcp': SCAN_PORTS[scan['type']],
                'scantype': scan['type'], 'scanuid': uid, 'sjtime': int(scan['start_at']),
                'title': 'SecuritySpace %s audit of %s' % (scan['type'], address),
                'totalnaslentries': 71234 - (1200 if scan['excludedos'] else 0),
            },
            'entries': php_object(entries),
            'ports': [{'repid': str(uid), 'hostip': address, 'portnum': str(num), 'portend': -1,
                       'portprot': prot.upper(), 'portservice': service} for num, prot, service in ports],
            'risk': dict((level, counts.get(level, 0)) for level in RISK_LEVELS),
            'riskcatgrid': php_object(dict(grid)),
        }
