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
import json
import os
import re
import time
from urllib.parse import quote, unquote

from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import (
    ApiError,
    Auth,
    DomainsecError,
    WriteOutcomeUnknown,
    env_fallback_set,
)
from ansible_collections.domainsec.onboard.plugins.module_utils.locks import lock_directory, make_lock_directory, state_key
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_name
from ansible_collections.domainsec.onboard.plugins.module_utils.pacing import Pacer, attach
from ansible_collections.domainsec.onboard.plugins.module_utils.vendor_client import RpcClient, as_int  # the modules call it as vd.as_int

VENDOR = 'Virusdie'
DEFAULT_API_URL = 'https://virusdie.com/api'
PERMISSION_DENIED = 145904
_RATE_LIMITED = re.compile(r'too many|rate|try again|wait', re.I)
_ALREADY = re.compile(r'already exists?\b', re.I)
SITES_EXPECTED = 'an array of site objects, each with its host'

# The one table of site options: user-facing name -> (wire name for site_setoption, field in sites_list,
# value conversion). The document's option table is empty; sites_list names the settings (docs/virusdie.md).
# The agency record's fields (the module's options have the same names).
AGENCY_FIELDS = ('title', 'email', 'website', 'logourl', 'phone', 'country', 'zipcode', 'address', 'bank_currency',
                 'bank_swift', 'bank_account', 'bank_routing', 'bank_country', 'bank_invoicemail')
SITE_OPTIONS = {
    'scan_period': ('scanperiod', 'scanperiod', int),  # one of SCAN_PERIODS
    'firewall': ('firewall', 'firewallstatus', lambda value: 1 if value else 0),
    'auto_treatment': ('autotreatment', 'autotreatment', lambda value: 1 if value else 0),
}

# The scan periods Virusdie takes (seconds; 0: no scheduled scan), the values of site_setoption's scanperiod as
# docs/virusdie-api-decisions.md reads them (the document's option table is empty; api_methoddata lists them).
SCAN_PERIODS = (0, 3600, 21600, 43200, 86400, 604800, 2592000)

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
        self.message = message


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

    @classmethod
    def from_params(cls, params):
        client = super(VirusdieClient, cls).from_params(params)
        # The guide publishes no limit: the runs of one key on this controller share what its refusals taught
        # (a refusal holds them all, and their pace slows; pacing.Pacer). The key is hashed, never written.
        attach(client.http, Pacer.shared('virusdie', state_key(client.base, params['api_key']), params.get('lock_dir'),
                                         vendor=VENDOR))
        return client

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

    def is_conflict(self, error):
        """A refusal because what the write makes is there already: the guide lists no error codes, so its message
        says so ("A unit with this email already exists"; sites_add's per-site "Site already exists" is read in
        add_sites)."""
        return isinstance(error, VirusdieError) and bool(_ALREADY.search(error.message or ''))

    def unexpected(self, method, value, expected, landed=False):
        """The error for a result of ``method`` that is not what the API guide describes: it names the call and what
        was expected, with the value (redacted, cut to 200 characters). ``landed``: the call was a write the vendor
        accepted (error 0), so it may have been carried out."""
        try:
            shown = json.dumps(value, sort_keys=True, default=str)
        except (TypeError, ValueError):
            shown = repr(value)
        return ApiError('Virusdie answered %s with an unexpected result (%s expected): %s%s' % (
            method, expected, self.http.redactor.text(shown)[:200],
            '. It accepted the call, so it may have been carried out: a re-run reads what is there' if landed else ''),
            vendor=VENDOR)

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
        sites = self.checked_sites(self.read('sites_list', query=query) or [])
        if unit:
            sites = [dict(site, unit=site.get('unit') or unit.strip().lower()) for site in sites]
        return dict((canonical_or_raw(s.get('host') or s.get('domain')), s) for s in sites)

    def checked_sites(self, sites):
        """``sites_list``'s result as the guide describes it (an array of site objects, each with its ``host`` or
        ``domain``; ``scanreport`` and ``fwhistory`` objects or null, a day's statistics an array or null), else an
        error naming the call; PHP's object form of an array (``{"0": ...}``) is read as the array."""
        if isinstance(sites, dict):
            sites = list(sites.values())
        if not isinstance(sites, list):
            raise self.unexpected('sites_list', sites, SITES_EXPECTED)
        for site in sites:
            self._check_site(site)
        return sites

    def _check_site(self, site):
        """Raise the unexpected-result error naming the part of one ``sites_list`` entry that is not as the guide
        describes it (see :meth:`checked_sites`)."""
        if not isinstance(site, dict) or not isinstance(site.get('host') or site.get('domain'), str):
            raise self.unexpected('sites_list', site, SITES_EXPECTED)
        if not isinstance(site.get('scanreport'), (dict, type(None))):
            raise self.unexpected('sites_list', site.get('scanreport'), SITES_EXPECTED)
        history = site.get('fwhistory')
        days = history.values() if isinstance(history, dict) else ()
        if not isinstance(history, (dict, list, type(None))) or \
                any(not isinstance(day, (list, type(None))) for day in days):
            raise self.unexpected('sites_list', history, SITES_EXPECTED)

    def shared_with(self, unit):
        """The hosts shared with ``unit`` (one ``sites_list?unit=`` read)."""
        return set(self.list_sites(unit=unit))

    def add_sites(self, entries):
        """``sites_add`` with short (domain) and long ({name, share}) entries, in one request.

        Returns ``{index: message}`` for the entries the vendor refused. When the answer is lost, the sites are
        listed: every entry present means it landed ({}); otherwise it is sent again.

        A refused entry whose site is in the account as the entry wants it - shared with its ``share`` when it has
        one - is not refused: the guide's per-site "already exists" (another run added it at the same time, noted in
        ``found``; or this request's own earlier send whose answer was lost, noted as added). The sites of refused
        entries are read once (``sites_list``, per ``share``).
        """
        names = [e['name'] if isinstance(e, dict) else e for e in entries]
        lost = []  # the answer of a send was lost: an entry refused as existing now may be this run's own

        def landed():
            lost.append(True)
            present = self.list_sites()
            return {'landed': True} if all(canonical_or_raw(n) in present for n in names) else None
        # Noted in done below: only the sites that landed were added.
        answer = self.write(None, 'sites_add', body=entries, landed=landed)
        refused = {} if isinstance(answer, dict) and answer.get('landed') else self._refused(answer, len(entries))
        there = self._there([entries[index] for index in refused]) if refused else set()
        found = [index for index in sorted(refused) if canonical_or_raw(names[index]) in there]
        for index in found if not lost else ():
            self.record_found('add_sites', 'site %s added' % names[index], refused[index])
        refused = dict((index, message) for index, message in refused.items() if index not in found)
        added = [name for index, name in enumerate(names) if index not in refused and (lost or index not in found)]
        if added:  # noted in done only when a site landed: a sites_add the vendor refused for every site changed nothing
            self.record_done('add_sites', 'sites added: %s' % ', '.join(added))
        return refused

    def _refused(self, answer, count):
        """sites_add's result ``{"<index>": message}`` (a list from PHP when the indexes run 0..n) as ``{index:
        message}``; anything else is an unexpected answer."""
        if answer in (None, '', [], {}):
            return {}
        if isinstance(answer, list):
            items = list(enumerate(answer))
        elif isinstance(answer, dict):
            items = [(as_int(key), message) for key, message in answer.items()]
        else:
            items = None
        if items is None or any(index is None or not 0 <= index < count or not isinstance(message, (str, type(None)))
                                for index, message in items):
            raise self.unexpected('sites_add', answer, 'an object of per-site messages by index', landed=True)
        return dict((index, message) for index, message in items if message)

    def _there(self, entries):
        """The hosts of ``entries`` in the account as each wants it: shared with its ``share`` when it has one."""
        by_share = {}
        for entry in entries:
            name, share = (entry['name'], entry.get('share')) if isinstance(entry, dict) else (entry, None)
            by_share.setdefault((share or '').strip().lower(), []).append(canonical_or_raw(name))
        there = set()
        for share, hosts in sorted(by_share.items()):
            listed = self.list_sites(unit=share or None)
            there.update(host for host in hosts if host in listed)
        return there

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

    def scan_site(self, host, before=None, notes=None):
        """``site_scan``: starts a scan of ``host``, whose latest scan report was ``before`` (from a ``sites_list``
        with ``scan_report``).

        It is never sent twice when its outcome is unknown: a scan cannot be read while it runs, only its report once
        it ends. The site's report is read once: a report newer than ``before`` shows that the scan ran (done).
        Otherwise the scan may have started: ``notes`` (:class:`ScanNotes`) keeps when it was sent, so that a later
        run looks for its report before it starts another (:meth:`earlier_scans`), and the task fails saying so.
        """
        sent_at = self.clock()
        try:
            answer = self.write('scan_site', 'site_scan', [host], what='scan of %s started' % host,
                                permission_hint='the API key may not start scans: use a key that allows site_scan')
        except WriteOutcomeUnknown as exc:
            try:
                report = (self.list_sites(scan_report=True).get(host) or {}).get('scanreport')
            except DomainsecError as read_error:
                report, seen = None, ' (the re-read of its report failed too: %s)' % read_error
            else:
                seen = ''
            if newer_report(report, before):
                self.record_done('scan_site', 'scan of %s started (its answer was lost; its report of %s shows it ran)'
                                 % (host, report_time(report)))
                return host
            later = ('A re-run of this task with scan: true does not start another scan of %s until its report is '
                     'there or an hour has passed' % host)
            if notes is not None:
                try:
                    later += ' (noted in %s)' % notes.remember(host, sent_at, before)
                except (IOError, OSError) as note_error:
                    later = ('It could not be noted for a re-run (%s): a re-run of this task with scan: true starts '
                             'another scan' % note_error)
            raise DomainsecError(
                'Virusdie: no answer to site_scan for %s (%s): the scan may have started. It was not sent again, and '
                'no report of it is there yet%s - a running scan cannot be read, its report appears when it ends '
                '(domainsec.onboard.virusdie_site_info with scan_report: true). %s.' % (host, exc, seen, later),
                vendor=VENDOR, status=exc.status)
        if notes is not None:
            notes.forget(host)
        return answer

    def earlier_scans(self, hosts, sites, notes, forget=True):
        """What is known of scans of ``hosts`` that an earlier run sent without getting an answer (``notes``), from
        ``sites`` (a ``sites_list`` read with ``scan_report``): ``{host: (True, report)}`` when the site's latest report
        is newer than the one of the note (the scan ran; with ``forget`` the note is dropped), ``{host: (False,
        note)}`` when it is not (the scan may still be running: do not start another). Hosts without a note (or
        whose note is older than ScanNotes.TTL) are left out."""
        known = {}
        for host in hosts:
            note = notes.recall(host, forget=forget)
            if note is None:
                continue
            report = (sites.get(host) or {}).get('scanreport')
            if newer_report(report, note.get('report')):
                known[host] = (True, report)
                if forget:
                    notes.forget(host)
            else:
                known[host] = (False, note)
        return known

    # -- units -----------------------------------------------------------------
    def update_unit(self, unit, new_email):
        """``unit_update``: the unit ``unit`` becomes ``new_email``. It landed when ``unit`` has no site left and
        ``new_email`` has some. That re-read also settles a refusal that another run's rename at the same time would
        cause: "A unit with this email already exists", or the old unit no longer found."""
        def landed():
            return not self.unit_known(unit) and self.unit_known(new_email)

        def conflict(error):
            return self.is_conflict(error) or (isinstance(error, VirusdieError) and
                                               'not found' in (error.message or '').lower())
        self.write('update_unit', 'unit_update', [unit, new_email], landed=landed, conflict=conflict,
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
            agency = self.read('agency_view') or None
        except VirusdieError as exc:
            if 'agency not found' in str(exc).lower():
                return None
            raise
        return None if agency is None else self.checked_agency('agency_view', agency)

    def checked_agency(self, method, agency):
        """An agency record as the guide describes it: an object whose fields are strings (a number is read as its
        text), ``title`` and ``email`` not empty; anything else is an error naming ``method``."""
        if isinstance(agency, dict):
            fields = dict((k, str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
                          for k, v in agency.items())
            wrong = [k for k in AGENCY_FIELDS if not isinstance(fields.get(k), (str, type(None)))]
            missing = [k for k in ('title', 'email') if not (fields.get(k) or '').strip()] if not wrong else []
            if not wrong and not missing:
                return fields
            agency = dict((k, agency.get(k)) for k in wrong) if wrong else agency
            expected = ('text in %s' % ', '.join(wrong)) if wrong else ('an agency record with %s' % ' and '.join(missing))
        else:
            expected = 'an agency record (an object with title and email)'
        raise self.unexpected(method, agency, expected)

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


def newer_report(report, before):
    """Whether ``report`` (a site's ``scanreport``) is a scan report other than, and not older than, ``before``."""
    if not isinstance(report, dict):
        return False
    if not isinstance(before, dict):
        return True
    return (report.get('id'), report.get('date')) != (before.get('id'), before.get('date')) and \
        (as_int(report.get('date')) or 0) >= (as_int(before.get('date')) or 0)


def report_time(report):
    """A scan report's date (UNIX time) as UTC text."""
    date = as_int((report or {}).get('date'))
    return time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime(date)) if date else 'an unknown time'


class ScanNotes(object):
    """Scans whose ``site_scan`` got no answer, kept on the controller so that a later run does not start another
    one blindly (VirusdieClient.scan_site, earlier_scans).

    One JSON file per site, mode 0600, in the lock directory (the option ``lock_dir``, else ``DOMAINSEC_LOCK_DIR``,
    else ``domainsec-onboard-locks`` in the temporary directory), named after the API URL and the host; it holds when
    the scan was sent and the site's latest scan report then. A note older than ``TTL`` seconds is dropped: a scan
    that has not reported within it did not start, or is lost.
    """

    TTL = 3600

    def __init__(self, api_url, directory=None, clock=time.time):
        self.api_url = api_url
        self.directory = lock_directory(directory)
        self.clock = clock

    def path(self, host):
        return os.path.join(self.directory, 'virusdie-scan-%s.json' % state_key('%s|%s' % (self.api_url, host)))

    def recall(self, host, forget=True):
        """The note of ``host`` (``{host, sent_at, report}``), or None (none, unreadable, or expired: then dropped
        with ``forget``)."""
        try:
            with open(self.path(host), 'r') as handle:
                note = json.load(handle)
        except (IOError, OSError, ValueError):
            return None
        if not isinstance(note, dict) or not isinstance(note.get('sent_at'), (int, float)):
            return None
        if self.clock() - note['sent_at'] > self.TTL:
            if forget:
                self.forget(host)
            return None
        return note

    def remember(self, host, sent_at, report):
        """Note that a scan of ``host`` was sent at ``sent_at`` (the latest report then: ``report``); its path."""
        make_lock_directory(self.directory)
        path = self.path(host)
        temporary = '%s.%d.tmp' % (path, os.getpid())
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(handle, 'w') as stream:
            json.dump(dict(host=host, sent_at=sent_at, report=report if isinstance(report, dict) else None), stream)
        os.rename(temporary, path)
        return path

    def forget(self, host):
        try:
            os.remove(self.path(host))
        except OSError:
            pass


def canonical_or_raw(domain):
    """A site's domain from an answer as compared (names.check_name's form), or as given, lowercase, if it is none."""
    try:
        return check_name(domain or '', 'domain')
    except ValueError:
        return (domain or '').strip().lower()


def _agency_has(agency, fields):
    return agency is not None and all(str(agency.get(k)) == str(v) for k, v in fields.items())


def _seconds(timewait):
    """A ``timewait`` in milliseconds -> seconds (None when absent or 0)."""
    number = as_int(timewait)
    return number / 1000.0 if number else None
