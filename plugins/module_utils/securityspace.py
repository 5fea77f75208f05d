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

The records' and zone settings' wire form is in ``securityspace_dns.py``, the
audit targets and report summary in ``securityspace_audit.py``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.domainsec.onboard.plugins.module_utils import dns_records as dr
from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import ApiError, DomainsecError, FieldAuth, env_fallback_set
from ansible_collections.domainsec.onboard.plugins.module_utils.securityspace_dns import add_params, current_settings, record_from_api
from ansible_collections.domainsec.onboard.plugins.module_utils.vendor_client import RpcClient

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


class SecuritySpaceClient(RpcClient):
    """Named operations of the SecuritySpace API; authenticates lazily, once per run.

    Every call is a form-encoded POST to ``<api_url>/<endpoint>.php``; the
    credentials (``apikey`` and the session token) are added to the form by
    the client's :class:`FieldAuth` as the request goes out. The envelope's
    ``status`` is ``"0"`` on success; a refused session token
    (``SESSION_ERRORS``) is fetched again once and the call repeated.
    """

    VENDOR = VENDOR
    DOC_FRAGMENT = 'domainsec.onboard.securityspace'
    OPTIONS = dict(
        api_key=dict(type='str', no_log=True, required=True, fallback=(env_fallback_set, ['SECURITYSPACE_API_KEY'])),
        userid=dict(type='str', required=True, fallback=(env_fallback_set, ['SECURITYSPACE_USERID'])),
        password=dict(type='str', no_log=True, required=True, fallback=(env_fallback_set, ['SECURITYSPACE_PASSWORD'])),
        api_url=dict(type='str', default=DEFAULT_API_URL, fallback=(env_fallback_set, ['SECURITYSPACE_API_URL'])),
    )
    SESSION_ERRORS = SESSION_ERRORS
    # Refusals because what the write makes is there already: a domain in the account (dnsAddDomain), this month's
    # no-risk audit of an address (saRunAudit). Each is re-read with the write's landed() check (VendorClient.write).
    CONFLICT_ERRORS = frozenset(['unableToAddDuplicate', 'noriskAlreadyRun'])

    def make_auth(self):
        return FieldAuth(lambda: {'apikey': self.params['api_key'], 'sessionToken': self.token})

    @property
    def auth_count(self):
        return self.token_count

    @property
    def session_token(self):
        return self._token

    # -- the envelope --------------------------------------------------------
    def send_call(self, method, params, write, auth=None):
        return self.http.request('POST', '%s/%s.php' % (self.base, method), data=params, idempotent=not write,
                                 expect_json=True, auth=auth)

    def succeeded(self, answer):
        return str(answer.get('status')) == '0'

    def api_error(self, method, answer, **options):
        return SecuritySpaceError(method, answer.get('error'), answer)

    def fetch_token(self):
        answer = self.envelope('auth', self.send_call('auth', {}, False, auth=FieldAuth({
            'apikey': self.params['api_key'], 'userid': self.params['userid'], 'password': self.params['password']})),
            False)
        if not self.succeeded(answer):
            raise self.api_error('auth', answer)
        token = answer.get('sessionToken')
        if not token:
            raise DomainsecError('SecuritySpace auth answered status 0 without a sessionToken', vendor=VENDOR)
        return token

    def authenticate(self):
        """Fetch a new session token now."""
        self.forget_token()
        return self.token

    # -- DNS: domains --------------------------------------------------------
    def list_domains(self):
        """Return the account's domains as a list of dicts (seq, domain, weight, state, stateText)."""
        answer = self.read('dnsGetDomainList')
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
            answer = self.read('dnsGetDomainRecords', {'domain': domain})
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
        """dnsAddDomain. A lost answer, or ``unableToAddDuplicate`` (another run added the zone at the same time), is
        settled by the domain list: added when the zone is in it (the list does not show a zone's type)."""
        self.write('add_domain', 'dnsAddDomain', {'domain': zone, 'domaintype': domain_type, 'aup': 'YES'},
                   landed=lambda: self.find_domain(zone), what='zone %s created' % zone)

    def delete_domain(self, zone):
        self.write('delete_domain', 'dnsDeleteDomain', {'domain': zone}, landed=lambda: self.find_domain(zone) is None,
                   what='zone %s deleted' % zone)

    def set_soa(self, zone, soa, landed):
        """dnsSetSOA with ``soa`` (admin, ttl); ``landed()`` tells whether a write of unknown outcome took effect."""
        self.write('set_soa', 'dnsSetSOA', dict(soa, domain=zone), landed=landed,
                   what='SOA of %s set (%s)' % (zone, ', '.join(sorted(soa))))

    def set_options(self, zone, options, landed):
        """dnsSetOptions with ``options`` (masters, allowtransferacl, notify, alsonotify)."""
        self.write('set_options', 'dnsSetOptions', dict(options, domain=zone), landed=landed,
                   what='options of %s set (%s)' % (zone, ', '.join(sorted(options))))

    def current_settings(self, zone):
        return current_settings(self.get_domain(zone)['records'])

    # -- DNS: records --------------------------------------------------------
    def add_record(self, zone, record):
        """Add one canonical record (the dnsAdd* call of its type); re-read before any re-send."""
        endpoint, form = add_params(record, zone)
        key = dr.record_key(record)
        self.write('add_record', endpoint, form,
                   landed=lambda: any(dr.record_key(r) == key for r in self.read_zone(zone)[1]),
                   what='added %s' % dr.record_line(record, zone))

    def delete_record(self, zone, record):
        """Delete one record by its sequence number; re-read before any re-send. A record already gone (deleted by
        a concurrent run) is not an error."""
        seq = record['seq']

        def gone():
            return all(r['seq'] != seq for r in self.read_zone(zone)[1])
        try:
            self.write('delete_record', 'dnsDeleteRecord', {'seq': seq}, landed=gone,
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
        # Noted in done below: only a publish without validation errors published anything.
        answer = self.write(None, 'dnsPublish', {'domain': domain}, allow_errors=True, landed=landed)
        published = str(answer.get('status')) == '0'
        errors = list(answer.get('errors') or [])
        if published and not errors:
            self.record_done('publish', 'published %s' % domain)
        if not published and not errors:
            # A refusal without validation errors: the envelope's error code (or none at all) is the reason.
            raise SecuritySpaceError('dnsPublish', answer.get('error'), answer)
        return dict(published=published and not errors, warnings=list(answer.get('warnings') or []), errors=errors)

    def build_zone(self, domain):
        return self.read('dnsBuildZone', {'domain': domain}).get('zone', '')

    # -- audits ------------------------------------------------------------
    def list_audits(self):
        answer = self.read('saGetAuditList')
        return list(answer.get('scans') or [])

    def run_audit(self, audit_type, targets=None, exclude_dos=False, notify=False, landed=None):
        """saRunAudit; ``landed()`` finds the scans it started when the answer is lost, or when SecuritySpace answers
        ``noriskAlreadyRun`` (a concurrent run started this month's no-risk audit: the run follows that one)."""
        form = {'audittype': audit_type}
        if targets:
            form['ipaddr'] = ','.join(targets)
        if exclude_dos:
            form['excludedos'] = '1'
        if notify:
            form['notification'] = 'OCMP'
        return self.write('run_audit', 'saRunAudit', form, landed=landed,
                          what='%s audit started (%s)' % (audit_type, form.get('ipaddr') or 'the caller\'s address'))

    def get_report(self, scanuid):
        return self.read('saGetAuditReport', {'scanuid': scanuid}).get('scaninfo') or {}


def domain_summary(answer):
    """The domain fields modules return, from a dnsGetDomainRecords/List entry."""
    state = int(answer.get('state', 0))
    return dict(domain=answer.get('domain'), seq=answer.get('seq'), state=state,
                state_text=answer.get('stateText') or DOMAIN_STATES.get(state, 'Unknown'))


def needs_publish(state):
    """Unvalidated (0) and Configuration Errors (1) need a publish; 2 and 3 are published."""
    return int(state) in (0, 1)


def publish_problem(zone):
    """A run_module check: a publish that returned errors fails the task."""
    def check(result):
        publish = result.get('publish') or {}
        if publish.get('errors'):
            return 'SecuritySpace refused to publish %s: %s' % (zone, '; '.join(publish['errors']))
        return None
    return check
