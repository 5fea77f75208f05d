# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Virusdie API client (website malware scanning and firewall).

Requests are ``(GET|POST) <api_url>/<method>/[param1/.../paramN/][?query]``
(``api_url`` is ``https://virusdie.com/api``). Auth by cookies: ``apikey``,
and, when a MAC key is configured, ``apimac``: the hex HMAC-MD5 of the path
and query exactly as sent, keyed with the MAC key - computed by
:class:`SignedCookieAuth` on the prepared request. Every JSON reply is HTTP
200 with ``{version, keyid, method, timewait, error, message, errorinfo,
result}``; ``error`` 0 is success. ``syncfile_get`` is the one raw method.
See docs/virusdie.md.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import hmac
import re
from urllib.parse import quote, unquote

from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import (
    ApiError,
    Auth,
    DomainsecError,
    env_fallback_set,
)
from ansible_collections.domainsec.onboard.plugins.module_utils.names import idna_ascii, is_hostname
from ansible_collections.domainsec.onboard.plugins.module_utils.vendor_client import RpcClient, as_int  # the modules call it as vd.as_int

VENDOR = 'Virusdie'
DEFAULT_API_URL = 'https://virusdie.com/api'
PERMISSION_DENIED = 145904
_RATE_LIMITED = re.compile(r'too many|rate|try again|wait', re.I)

# The one table of site options: user-facing name -> (wire name for site_setoption, field in sites_list,
# value conversion). The document's option table is empty; sites_list names the settings (docs/virusdie.md).
# The agency record's fields (the module's options have the same names).
AGENCY_FIELDS = ('title', 'email', 'website', 'logourl', 'phone', 'country', 'zipcode', 'address', 'bank_currency',
                 'bank_swift', 'bank_account', 'bank_routing', 'bank_country', 'bank_invoicemail')
SITE_OPTIONS = {
    'scan_period': ('scanperiod', 'scanperiod', int),
    'firewall': ('firewall', 'firewallstatus', lambda value: 1 if value else 0),
    'auto_treatment': ('autotreatment', 'autotreatment', lambda value: 1 if value else 0),
}

# sites_list's fwhistory entries: [date, allowed, blocked, dos, injections, uploads, other, blocked_ips].
FW_FIELDS = ('date', 'allowed', 'blocked', 'dos', 'injections', 'uploads', 'other', 'blocked_ips')


class VirusdieError(ApiError):
    """Virusdie answered with a non-zero ``error``."""

    def __init__(self, method, code, message, errorinfo=None, hint=None):
        text = 'Virusdie refused %s (%s): %s' % (method, code, message or 'no message given')
        if errorinfo:
            text += ' (%s)' % errorinfo
        if hint:
            text += '. ' + hint
        super(VirusdieError, self).__init__(text, vendor=VENDOR, code=code)
        self.method = method


class SignedCookieAuth(Auth):
    """``apikey`` cookie, and ``apimac`` = HMAC-MD5 of the path and query as sent, when a MAC key is set."""

    def __init__(self, api_key, mac_key=None):
        self.api_key = api_key
        self.mac_key = mac_key

    def apply(self, prepared, add_secret):
        cookie = 'apikey=%s' % self.api_key
        if self.mac_key:
            mac = hmac.new(self.mac_key.encode('utf-8'), prepared.path_url.encode('utf-8'), hashlib.md5).hexdigest()
            add_secret(mac)
            cookie += '; apimac=%s' % mac
        prepared.headers['Cookie'] = cookie


def canonical_domain(domain):
    """A domain as compared and sent: IDNA 2008 ASCII, lowercase, no trailing dot; ValueError when invalid."""
    text = (domain or '').strip()
    try:
        ascii_name = idna_ascii(text).rstrip('.')
    except UnicodeError:
        raise ValueError('%r is not a valid domain name' % domain)
    if not is_hostname(ascii_name) or '.' not in ascii_name or ascii_name.rsplit('.', 1)[-1].isdigit():
        raise ValueError('%r is not a valid domain name (such as example.com)' % domain)
    return ascii_name


def site_view(site):
    """A site as the modules return it. ``shared_with`` is known only where the site was read with the ``unit``
    filter (see VirusdieClient.list_sites), else null."""
    return dict(domain=site.get('domain'), host=site.get('host'), scan_period=site.get('scanperiod'),
                firewall=bool(site.get('firewallstatus')), auto_treatment=bool(site.get('autotreatment')),
                shared_with=site.get('unit'), next_scan=site.get('nextscan'))


def firewall_days(history):
    """``fwhistory`` ({"YYYYMMDD": [...] or null}) -> a list of named daily fields, oldest first."""
    days = []
    for key in sorted(history or {}):
        values = history[key]
        if not values:
            days.append(dict(date=str(key)))
            continue
        day = dict(zip(FW_FIELDS, values))
        day['date'] = str(day['date'])
        days.append(day)
    return days


class VirusdieClient(RpcClient):
    """Named operations of the Virusdie API."""

    VENDOR = VENDOR
    DOC_FRAGMENT = 'domainsec.onboard.virusdie'
    OPTIONS = dict(
        api_key=dict(type='str', required=True, no_log=True, fallback=(env_fallback_set, ['VIRUSDIE_API_KEY'])),
        mac_key=dict(type='str', no_log=True, fallback=(env_fallback_set, ['VIRUSDIE_MAC_KEY'])),
        api_url=dict(type='str', default=DEFAULT_API_URL, fallback=(env_fallback_set, ['VIRUSDIE_API_URL'])),
    )

    def __init__(self, http, params):
        super(VirusdieClient, self).__init__(http, params)

    def make_auth(self):
        return SignedCookieAuth(self.params['api_key'], self.params.get('mac_key') or None)

    # -- low level ---------------------------------------------------------
    def url(self, method, *params):
        return '%s/%s/%s' % (self.base, method, ''.join('%s/' % quote(str(p), safe='@') for p in params))

    # -- the envelope: {"error": 0 or a code, "message": ..., "result": ...} -----------------------------------------
    def send_call(self, method, params, write, query=None, body=None, permission_hint=None):
        """``params`` are the method's path segments; a call with a JSON ``body`` is a POST, any other a GET."""
        return self.http.request('POST' if body is not None else 'GET', self.url(method, *(params or ())),
                                 params=query, json_body=body, idempotent=not write, expect_json=True)

    def is_envelope(self, response, answer):
        """A reply without ``error``, or with neither ``result`` nor an error, is a failed read or a write whose
        outcome is unknown."""
        return response.status == 200 and isinstance(answer, dict) and 'error' in answer and \
            ('result' in answer or bool(answer.get('error')))

    def succeeded(self, answer):
        return not answer.get('error')

    def result(self, answer):
        return answer.get('result')

    def wait_asked(self, answer):
        """``timewait`` is also the execution time of an ordinary answer: only an error that says it is about the
        request rate asks the client to wait (docs/virusdie.md); the call is sent again within ``rate_limit_wait``
        (the vendor did not carry it out)."""
        return _seconds(answer.get('timewait')) if _RATE_LIMITED.search(answer.get('message') or '') else None

    def api_error(self, method, answer, permission_hint=None, **options):
        code = answer.get('error')
        hint = None
        if as_int(code) == PERMISSION_DENIED:
            hint = permission_hint or 'the API key does not allow %s; use a key with that feature' % method
        return VirusdieError(method, code, answer.get('message'), answer.get('errorinfo'), hint)

    # -- sites ---------------------------------------------------------------
    def list_sites(self, unit=None, scan_report=False, firewall_history=False):
        """``{host: site}`` of the account (or of one unit), in one ``sites_list`` read.

        The guide's site object has no owner field: which unit a site is shared with is only known from the
        ``unit`` filter. With ``unit``, each site read gets ``unit`` (lower case) when the answer did not say; without
        it, a site's ``unit`` is whatever the answer said (nothing, from an API that answers as its guide)."""
        query = {}
        if unit:
            query['unit'] = unit
        if scan_report:
            query['withscanreport'] = ''
        if firewall_history:
            query['withfwhistory'] = ''
        sites = self.read('sites_list', query=query) or []
        if unit:
            sites = [dict(site, unit=site.get('unit') or unit.strip().lower()) for site in sites]
        return dict((canonical_or_raw(s.get('host') or s.get('domain')), s) for s in sites)

    def shared_with(self, unit):
        """The hosts shared with ``unit`` (one ``sites_list?unit=`` read)."""
        return set(self.list_sites(unit=unit))

    def add_sites(self, entries):
        """``sites_add`` with short (domain) and long ({name, share}) entries, in one request.

        Returns ``{index: message}`` for the entries the vendor refused. When the answer is lost, the sites are
        listed: every entry present means it landed ({}); otherwise it is sent again (entries that did land then
        come back as per-site errors, which the caller checks against the list).
        """
        names = [e['name'] if isinstance(e, dict) else e for e in entries]

        def landed():
            present = self.list_sites()
            return {'landed': True} if all(canonical_or_raw(n) in present for n in names) else None
        # Noted in done below: only the sites that landed were added.
        answer = self.write(None, 'sites_add', body=entries, landed=landed)
        if isinstance(answer, dict) and answer.get('landed'):
            refused = {}
        elif isinstance(answer, list):  # PHP's json_encode writes {"0": ..., "1": ...} as a list
            refused = dict((index, message) for index, message in enumerate(answer) if message)
        else:
            refused = dict((int(k), v) for k, v in (answer or {}).items()) if isinstance(answer, dict) else {}
        added = [name for index, name in enumerate(names) if index not in refused]
        if added:  # noted in done only when a site landed: a sites_add the vendor refused for every site changed nothing
            self.record_done('add_sites', 'sites added: %s' % ', '.join(added))
        return refused

    def delete_site(self, host):
        self.write('delete_site', 'site_delete', [host], landed=lambda: host not in self.list_sites(),
                   what='site %s deleted' % host)

    def unshare_site(self, unit, host):
        self.write('unshare_site', 'site_unshare', [unit, host],
                   landed=lambda: host not in self.shared_with(unit),
                   what='site %s unshared from %s' % (host, unit))

    def set_option(self, host, option, value):
        """``site_setoption`` for a user-facing option name (see SITE_OPTIONS)."""
        wire, field, convert = SITE_OPTIONS[option]
        value = convert(value)

        def landed():
            return as_int((self.list_sites().get(host) or {}).get(field)) == value
        self.write('set_option', 'site_setoption', [host, wire, value], landed=landed,
                   what='%s of %s set to %s' % (option, host, value),
                   permission_hint='the API key may not change %s (a feature marked (!) in the API guide): use a key '
                                   'that allows it, or leave %s out of the task' % (option, option))

    def scan_site(self, host):
        """``site_scan``: starts a scan; never sent twice when its outcome is unknown (there is no way to read it)."""
        return self.write('scan_site', 'site_scan', [host], what='scan of %s started' % host,
                          permission_hint='the API key may not start scans: use a key that allows site_scan')

    # -- units -----------------------------------------------------------------
    def update_unit(self, unit, new_email):
        self.write('update_unit', 'unit_update', [unit, new_email], landed=lambda: self.unit_known(new_email),
                   what='unit %s is now %s' % (unit, new_email))

    def delete_unit(self, unit, with_sites=False):
        query = {'withsites': '1'} if with_sites else None
        self.write('delete_unit', 'unit_delete', [unit], query=query, landed=lambda: not self.unit_known(unit),
                   what='unit %s deleted%s' % (unit, ' with its sites' if with_sites else ''))

    def unit_known(self, unit):
        """Whether a site is shared with ``unit`` (Virusdie lists units only through their sites)."""
        return bool(self.list_sites(unit=unit))

    # -- agency ------------------------------------------------------------------
    def view_agency(self):
        """The agency record, or None when the account has none (agency_view's "Agency not found")."""
        try:
            return self.read('agency_view') or None
        except VirusdieError as exc:
            if 'agency not found' in str(exc).lower():
                return None
            raise

    def update_agency(self, record):
        """``agency_update`` with the agency ``record`` (every field of AGENCY_FIELDS it has a value for: the vendor
        replaces the whole record); the record after it."""
        fields = dict((k, v) for k, v in record.items() if k in AGENCY_FIELDS and v not in (None, ''))
        return self.write('update_agency', 'agency_update', body=fields,
                          landed=lambda: _agency_has(self.view_agency(), fields),
                          what='agency record updated (%s)' % ', '.join(sorted(fields)))

    def delete_agency(self):
        self.write('delete_agency', 'agency_delete', query={'ignore': '1'}, landed=lambda: self.view_agency() is None,
                   what='agency record deleted')

    # -- sync file and metadata --------------------------------------------------
    def syncfile(self):
        """``(filename, content bytes)`` of the account's synchronization file. Never traced: it carries keys."""
        response = self.http.request('GET', self.url('syncfile_get'), trace_body=False)
        if response.status != 200:
            raise DomainsecError('Virusdie refused syncfile_get (HTTP %d)' % response.status, vendor=VENDOR,
                                 status=response.status)
        name = response.headers.get('X-Filename') or ''
        match = re.search(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)"?', response.headers.get('Content-Disposition') or '')
        if match and not name:
            name = unquote(match.group(1))
        name = name.strip().replace('/', '_').replace('\\', '_')
        if not name or name.startswith('.'):
            raise DomainsecError('Virusdie sent the sync file without a usable file name', vendor=VENDOR)
        return name, response.body or b''

    def method_data(self, method):
        return self.read('api_methoddata', [method]) or {}


def canonical_or_raw(domain):
    try:
        return canonical_domain(domain)
    except ValueError:
        return (domain or '').strip().lower()


def _agency_has(agency, fields):
    return agency is not None and all(str(agency.get(k)) == str(v) for k, v in fields.items())


def _seconds(timewait):
    """A ``timewait`` in milliseconds -> seconds (None when absent or 0)."""
    number = as_int(timewait)
    return number / 1000.0 if number else None
