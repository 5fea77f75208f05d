# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SecuritySpace REST API client (DNS hosting and security audits).

Request shape: form-encoded ``POST <api_url>/<endpoint>.php`` with ``apikey``
on every call; ``auth.php`` with userid/password yields a ``sessionToken``
(valid 24 h) sent on every later call. Answers are HTTP 200 JSON whose
``status`` is ``"0"`` on success and anything else on error, with the error
code in ``error``. See docs/securityspace.md for how we read the vendor
document where it is ambiguous.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.domainsec.onboard.plugins.module_utils import dns_records as dr
from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import ApiError, DomainsecError, FieldAuth, env_fallback_set
from ansible_collections.domainsec.onboard.plugins.module_utils.names import normalize_ip
from ansible_collections.domainsec.onboard.plugins.module_utils.vendor_client import VendorClient

VENDOR = 'SecuritySpace'
DEFAULT_API_URL = 'https://secure1.securityspace.com/api'

# The vendor's error codes and their meaning, from the API guide.
ERRORS = {
    'notSSL': 'The API must be invoked via an SSL connection.',
    'invalid apikey format': 'The API key is not a valid API key.',
    'invalid apikey - not in db': 'The API key is not known to SecuritySpace.',
    'missing credentials': 'The userid and/or password are missing.',
    'invalidLogin': 'Login incorrect: wrong userid/password combination.',
    'sysErrEntitlementLoad': 'System error: unable to load account entitlements.',
    'tokenCreation': 'System error: unable to create a session token.',
    'sysErrdoLogin': 'System error: unspecified error from the authentication request.',
    'sessionTimeout': 'The session token has expired.',
    'sessionAuthenticationFailure': 'The session token is not valid.',
    'missingAuditType': 'The audit type was not specified.',
    'invalidAuditType': 'An invalid audit type was specified.',
    'IPPermissionsProblem': 'The account may not audit one or more addresses of the request; the whole request was rejected.',
    'missingScanClientsRec': 'An internal system error occurred.',
    'notEntitled': 'The account is not subscribed to this audit type.',
    'noriskAlreadyRun': 'Only one no-risk audit per IP address per month is allowed.',
    'dbConnectionFailure': 'SecuritySpace failed to connect to its database.',
    'dnsEntitlementsOrCreditsMissing': 'The DNS subscription has expired, or its credits are used up.',
    'dnsDomainRetrievalFailure': 'A system error occurred retrieving the domain information; try again later.',
    'noSuchDomain': 'The domain does not exist in this account.',
    'mustAcceptAUP': 'The acceptable use policy was not accepted.',
    'syntaxInvalidDomain': 'The domain name is not valid.',
    'syntaxInvalidDomainType': "The domain type is not valid (must be 'master' or 'slave').",
    'unableToAddSystem': 'A system error occurred trying to add the domain.',
    'unspecifiedError': 'An unspecified system error occurred.',
    'unableToAddDuplicate': 'The domain is already in this account.',
    'domainNotDeleted': 'The domain was not deleted (probably not in this account).',
    'syntaxInvalidSeq': 'The record sequence number is not valid.',
    'recordNotDeleted': 'The record was not deleted (probably an invalid sequence number).',
    'syntaxInvalidHostname': 'The hostname is not valid.',
    'syntaxInvalidIP': 'The IP address is not valid.',
    'syntaxInvalidCNAME': 'The CNAME is not valid.',
    'syntaxInvalidMX': 'The MX name/subdomain is not valid.',
    'syntaxInvalidPriority': 'The priority is not valid.',
    'syntaxInvalidSubdomain': 'The subdomain is not valid.',
    'syntaxInvalidFlag': 'The CAA flag is not valid (must be 0-255).',
    'syntaxInvalidTag': 'The CAA tag is not valid (must be issue, issuewild or iodef).',
    'syntaxInvalidTxtname': 'The TXT record name is not valid.',
    'syntaxInvalidTxtdata': 'The TXT data is not valid.',
    'syntaxInvalidSrvc': 'The SRV service is not valid.',
    'syntaxInvalidProt': 'The SRV protocol is not valid.',
    'syntaxInvalidTarget': 'The SRV target is not valid.',
    'syntaxInvalidWeight': 'The SRV weight is not valid.',
    'syntaxInvalidPort': 'The SRV port is not valid.',
    'missingInput': 'No input values were given (ttl/admin).',
    'syntaxInvalidTTL': 'The TTL value is not valid.',
    'syntaxInvalidAdmin': 'The admin contact is not valid.',
    'syntaxInvalidMasters': 'The masters value is not valid.',
    'syntaxInvalidAllowtransferacl': 'The allowtransferacl value is not valid.',
    'syntaxInvalidNotify': 'The notify value is not valid.',
    'syntaxInvalidAlsoNotify': 'The alsonotify value is not valid.',
    'logicAlsoNotifyRequiresNotify': 'alsonotify requires notify to be enabled.',
}

SESSION_ERRORS = frozenset(['sessionTimeout', 'sessionAuthenticationFailure'])

DOMAIN_STATES = {
    0: 'Unvalidated',
    1: 'Configuration Errors',
    2: 'Waiting for distribution to name servers',
    3: 'Active',
}


def error_meaning(code):
    if code is None:
        return 'no error code given'
    if not isinstance(code, str):
        return 'Unknown error code.'
    if code in ERRORS:
        return ERRORS[code]
    if code.startswith('reportLoadFailure'):
        return 'The audit report failed to load (%s).' % code
    return 'Unknown error code.'


class SecuritySpaceError(ApiError):
    """SecuritySpace answered with a non-zero status."""

    def __init__(self, endpoint, code, answer=None):
        msg = 'SecuritySpace refused %s (%s): %s' % (endpoint, code, error_meaning(code))
        super(SecuritySpaceError, self).__init__(msg, vendor=VENDOR, code=code, details=answer or {})
        self.endpoint = endpoint


class SecuritySpaceClient(VendorClient):
    """Named operations of the SecuritySpace API; authenticates lazily, once per run.

    Every request is a form-encoded POST to ``<api_url>/<endpoint>.php``; the
    credentials (``apikey`` and the session token) are added to the form by
    the client's :class:`FieldAuth` as the request goes out.
    """

    VENDOR = VENDOR
    DOC_FRAGMENT = 'domainsec.onboard.securityspace'
    OPTIONS = dict(
        api_key=dict(type='str', no_log=True, required=True, fallback=(env_fallback_set, ['SECURITYSPACE_API_KEY'])),
        userid=dict(type='str', required=True, fallback=(env_fallback_set, ['SECURITYSPACE_USERID'])),
        password=dict(type='str', no_log=True, required=True, fallback=(env_fallback_set, ['SECURITYSPACE_PASSWORD'])),
        api_url=dict(type='str', default=DEFAULT_API_URL, fallback=(env_fallback_set, ['SECURITYSPACE_API_URL'])),
    )

    def __init__(self, http, params):
        super(SecuritySpaceClient, self).__init__(http, params)
        self.api_url = params['api_url'].rstrip('/')

    def make_auth(self):
        return FieldAuth(lambda: {'apikey': self.params['api_key'], 'sessionToken': self.token})

    @property
    def auth_count(self):
        return self.token_count

    @property
    def session_token(self):
        return self._token

    # -- low level ---------------------------------------------------------
    def _post(self, endpoint, form, write, auth=None):
        url = '%s/%s.php' % (self.api_url, endpoint)
        response = self.http.request('POST', url, data=form, idempotent=not write, expect_json=True, auth=auth)
        try:
            answer = response.json()
        except ValueError:  # expect_json already retried; only reached for odd statuses
            answer = None
        if response.status != 200 or not isinstance(answer, dict):
            # Decode, then redact, then cut: a secret echoed in the body is never shown, not even in part.
            body = self.http.redactor.text((response.body or b'').decode('utf-8', 'replace'))
            raise DomainsecError('SecuritySpace %s answered HTTP %d: %s' % (endpoint, response.status, body[:200]),
                                 vendor=VENDOR, status=response.status)
        return answer

    def fetch_token(self):
        answer = self._post('auth', {}, write=False, auth=FieldAuth({
            'apikey': self.params['api_key'], 'userid': self.params['userid'], 'password': self.params['password']}))
        if str(answer.get('status')) != '0':
            raise SecuritySpaceError('auth', answer.get('error'))
        token = answer.get('sessionToken')
        if not token:
            raise DomainsecError('SecuritySpace auth answered status 0 without a sessionToken', vendor=VENDOR)
        return token

    def authenticate(self):
        """Fetch a new session token now."""
        self.forget_token()
        return self.token

    def call(self, endpoint, params=None, write=False, allow_errors=False):
        """Call ``endpoint`` with ``params``; return the decoded answer.

        A session error (expired or invalid token) re-authenticates once and
        repeats the call: the vendor refuses such a request before doing
        anything, so repeating it, even a write, cannot duplicate it.
        ``allow_errors`` returns error answers instead of raising (publish).
        """
        for attempt in (0, 1):
            used = self.ensure_token()  # fetched before the request that carries it
            form = dict((k, v) for k, v in (params or {}).items() if v is not None)
            answer = self._post(endpoint, form, write)
            if str(answer.get('status')) == '0':
                return answer
            code = answer.get('error')
            if isinstance(code, str) and code in SESSION_ERRORS and attempt == 0:
                self.forget_token(used)  # unless a parallel write has fetched a new one already
                continue
            if allow_errors:
                return answer
            raise SecuritySpaceError(endpoint, code, answer)
        raise SecuritySpaceError(endpoint, 'sessionAuthenticationFailure')  # pragma: no cover

    def write(self, endpoint, params, landed=None, operation=None, what=None):
        """A write guarded against duplicates (see HttpClient.write), noted in ``done`` once carried out."""
        return self.guarded_write(lambda: self.call(endpoint, params, write=True), landed=landed,
                                  operation=operation or endpoint, what=what or endpoint)

    # -- DNS: domains --------------------------------------------------------
    def list_domains(self):
        """Return the account's domains as a list of dicts (seq, domain, weight, state, stateText)."""
        answer = self.call('dnsGetDomainList')
        domains = answer.get('domains') or {}
        if isinstance(domains, dict):
            domains = list(domains.values())
        return answer, sorted(domains, key=lambda d: int(d.get('seq', 0)))

    def find_domain(self, zone):
        """The account's list entry of ``zone``, or None."""
        for domain in self.list_domains()[1]:
            if dr.normalize_zone(domain.get('domain')) == zone:
                return domain
        return None

    def get_domain(self, domain):
        """Return the domain with its records, or None when it is not in the account."""
        try:
            answer = self.call('dnsGetDomainRecords', {'domain': domain})
        except SecuritySpaceError as exc:
            if exc.code == 'noSuchDomain':
                return None
            raise
        records = answer.get('records') or {}
        if isinstance(records, dict):
            records = [dict(r, seq=str(r.get('seq', k))) for k, r in records.items()]
        answer['records'] = records
        return answer

    def read_zone(self, zone):
        """``(answer, canonical records)`` of ``zone``, or None when it is not in the account."""
        answer = self.get_domain(zone)
        if answer is None:
            return None
        return answer, [r for r in (record_from_api(a, zone) for a in answer['records']) if r is not None]

    def add_domain(self, zone, domain_type):
        self.write('dnsAddDomain', {'domain': zone, 'domaintype': domain_type, 'aup': 'YES'},
                   landed=lambda: self.find_domain(zone), operation='add_domain', what='zone %s created' % zone)

    def delete_domain(self, zone):
        self.write('dnsDeleteDomain', {'domain': zone}, landed=lambda: self.find_domain(zone) is None,
                   operation='delete_domain', what='zone %s deleted' % zone)

    def set_soa(self, zone, soa, landed):
        """dnsSetSOA with ``soa`` (admin, ttl); ``landed()`` tells whether a write of unknown outcome took effect."""
        self.write('dnsSetSOA', dict(soa, domain=zone), landed=landed, operation='set_soa',
                   what='SOA of %s set (%s)' % (zone, ', '.join(sorted(soa))))

    def set_options(self, zone, options, landed):
        """dnsSetOptions with ``options`` (masters, allowtransferacl, notify, alsonotify)."""
        self.write('dnsSetOptions', dict(options, domain=zone), landed=landed, operation='set_options',
                   what='options of %s set (%s)' % (zone, ', '.join(sorted(options))))

    def current_settings(self, zone):
        return current_settings(self.get_domain(zone)['records'])

    # -- DNS: records --------------------------------------------------------
    def add_record(self, zone, record):
        """Add one canonical record (the dnsAdd* call of its type); re-read before any re-send."""
        endpoint, form = add_params(record, zone)
        key = dr.record_key(record)
        self.write(endpoint, form, landed=lambda: any(dr.record_key(r) == key for r in self.read_zone(zone)[1]),
                   operation='add_record', what='added %s' % dr.record_line(record, zone))

    def delete_record(self, zone, record):
        """Delete one record by its sequence number; re-read before any re-send. A record already gone (deleted by
        a concurrent run) is not an error."""
        seq = record['seq']

        def gone():
            return all(r['seq'] != seq for r in self.read_zone(zone)[1])
        try:
            self.write('dnsDeleteRecord', {'seq': seq}, landed=gone, operation='delete_record',
                       what='deleted %s' % dr.record_line(record, zone))
        except SecuritySpaceError as exc:
            # Another run deleted it first (two runs removing the same extra copy): what was wanted holds.
            if exc.code != 'recordNotDeleted' or not gone():
                raise

    def publish(self, domain):
        """Validate and publish; returns dict(published, warnings, errors).

        When the answer is lost, the domain is read: published (state 2 or 3,
        which every edit resets to 0) means the publish landed and it is not
        sent again; otherwise it is sent again.
        """
        def landed():
            state = (self.get_domain(domain) or {}).get('state')
            if state is None or needs_publish(state):
                return None
            return {'status': '0', 'warnings': [
                'The answer to dnsPublish was lost; %s reads as published (state %s), so the publish was not sent '
                'again. Its validation warnings, if any, are unknown.' % (domain, state)]}
        answer = self.http.write(lambda: self.call('dnsPublish', {'domain': domain}, write=True, allow_errors=True),
                                 landed=landed)
        published = str(answer.get('status')) == '0'
        errors = list(answer.get('errors') or [])
        if published and not errors:
            self.record_done('publish', 'published %s' % domain)
        if not published and not errors:
            # A refusal without validation errors: the envelope's error code (or none at all) is the reason.
            raise SecuritySpaceError('dnsPublish', answer.get('error'), answer)
        return dict(published=published and not errors, warnings=list(answer.get('warnings') or []), errors=errors)

    def build_zone(self, domain):
        return self.call('dnsBuildZone', {'domain': domain}).get('zone', '')

    # -- audits ------------------------------------------------------------
    def list_audits(self):
        answer = self.call('saGetAuditList')
        return list(answer.get('scans') or [])

    def run_audit(self, audit_type, targets=None, exclude_dos=False, notify=False, landed=None):
        """saRunAudit; ``landed()`` finds the scans it started when the answer is lost."""
        form = {'audittype': audit_type}
        if targets:
            form['ipaddr'] = ','.join(targets)
        if exclude_dos:
            form['excludedos'] = '1'
        if notify:
            form['notification'] = 'OCMP'
        return self.write('saRunAudit', form, landed=landed, operation='run_audit',
                          what='%s audit started (%s)' % (audit_type, form.get('ipaddr') or 'the caller\'s address'))

    def get_report(self, scanuid):
        return self.call('saGetAuditReport', {'scanuid': scanuid}).get('scaninfo') or {}


def domain_summary(answer):
    """The domain fields modules return, from a dnsGetDomainRecords/List entry."""
    state = int(answer.get('state', 0))
    return dict(domain=answer.get('domain'), seq=answer.get('seq'), state=state,
                state_text=answer.get('stateText') or DOMAIN_STATES.get(state, 'Unknown'))


def needs_publish(state):
    """Unvalidated (0) and Configuration Errors (1) need a publish; 2 and 3 are published."""
    return int(state) in (0, 1)


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


# -- security audits ---------------------------------------------------------
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


def publish_problem(zone):
    """A run_module check: a publish that returned errors fails the task."""
    def check(result):
        publish = result.get('publish') or {}
        if publish.get('errors'):
            return 'SecuritySpace refused to publish %s: %s' % (zone, '; '.join(publish['errors']))
        return None
    return check
