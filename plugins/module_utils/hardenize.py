# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hardenize Organization API v1 client.

Base URL ``<api_url>/v1/org/<org>/``, HTTP Basic auth with a service account,
JSON bodies. Errors are ``application/vnd.hardenize.v1.error-response+json``
bodies (``{"errors": [{"param": ..., "message": ...}]}``). The API allows about
one request per second with a burst bucket and five concurrent requests, and
reports ``X-Request-Allowance: r: 57/60 (+1/1s); c: 1/5`` on every answer; the
runs of one organization on a controller share the bucket and the five slots
(pacing.py) and slow down before the bucket is empty. Lists that the API paginates
(``Range: pages=``, 206 and ``Content-Range``) are followed to the end.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import ipaddress
import re
from urllib.parse import urlsplit

from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import (
    ApiError,
    BasicAuth,
    DomainsecError,
    WriteOutcomeUnknown,
    env_fallback_set,
)
from ansible_collections.domainsec.onboard.plugins.module_utils.names import MASK, check_name, mask_url_password, shown
from ansible_collections.domainsec.onboard.plugins.module_utils.locks import state_key
from ansible_collections.domainsec.onboard.plugins.module_utils.pacing import Pacer, attach
from ansible_collections.domainsec.onboard.plugins.module_utils.vendor_client import RestClient

VENDOR = 'Hardenize'
DEFAULT_API_URL = 'https://api.hardenize.com'
ERROR_MIME = 'application/vnd.hardenize.v1.error-response+json'
HOST_STATUSES = ('monitored', 'idle', 'archived')
TSIG_ALGORITHMS = ('HMAC_MD5', 'HMAC_SHA1', 'HMAC_SHA224', 'HMAC_SHA256', 'HMAC_SHA384', 'HMAC_SHA512')
_ALLOWANCE = re.compile(r'r:\s*(\d+)\s*/\s*(\d+)\s*\(\+(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)s\)')
_CONCURRENCY = re.compile(r'c:\s*\d+\s*/\s*(\d+)')
_CONTENT_RANGE = re.compile(r'pages\s+(\d+)-(\d+)/(\d+)')


class HardenizeError(ApiError):
    """Hardenize answered with an error status."""

    def __init__(self, what, status, errors):
        details = '; '.join(('%s: %s' % (e.get('param'), e.get('message')) if e.get('param') else str(e.get('message')))
                            for e in errors) or 'no details given'
        msg = 'Hardenize refused %s (HTTP %d): %s' % (what, status, details)
        super(HardenizeError, self).__init__(msg, vendor=VENDOR, code=status, status=status, details={'errors': errors})
        self.errors = errors


class RateLimiter(Pacer):
    """The organization's allowance, kept by every run of it on this controller (pacing.Pacer).

    Each answer's ``X-Request-Allowance`` (and ``X-Parent-Request-Allowance``,
    which a suborganization gets when its parent's limit refused it: the lower
    of the two counts) sets the shared bucket: the requests left, the maximum,
    the refill rate, and the concurrent requests allowed. Before a request, when
    fewer than ``reserve`` are left, it waits until the bucket has refilled to
    ``reserve``; at most ``SLOTS`` requests of the organization are in flight.
    """

    SLOTS = 5  # "we don't allow more than 5 concurrent requests" (Request Limits)

    def allowance(self, response):
        reports = [_allowance(response.headers.get(name)) for name in ('X-Request-Allowance', 'X-Parent-Request-Allowance')]
        reports = [r for r in reports if r]
        if not reports:
            return None
        limits = [r['concurrency'] for r in reports if r['concurrency']]
        return dict(remaining=min(r['remaining'] for r in reports), capacity=min(r['capacity'] for r in reports),
                    rate=min(r['rate'] for r in reports), concurrency=min(limits) if limits else None)


def _allowance(header):
    """``r: 57/60 (+1/1s); c: 1/5`` -> {remaining, capacity, rate, concurrency}; None when it is not that."""
    match = _ALLOWANCE.search(header or '')
    if not match:
        return None
    concurrency = _CONCURRENCY.search(header)
    return dict(remaining=int(match.group(1)), capacity=int(match.group(2)),
                rate=float(match.group(3)) / max(float(match.group(4)), 0.001),
                concurrency=int(concurrency.group(1)) if concurrency else None)


# -- host names ----------------------------------------------------------------
# Host names given by the user are checked by names.check_name, the rule every vendor shares (IDNA 2008 ASCII,
# lowercase, no trailing dot; docs/user-guide.md, "Input rules").
def canonical_axfr_host(value):
    """``axfr_host`` as the API stores it: a compressed IP address or a canonical host name; '' clears it."""
    text = (value or '').strip()
    if not text:
        return ''
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        pass
    try:
        return check_name(text, 'axfr_host')
    except ValueError:
        raise ValueError('axfr_host must be a name server host name or IP address, got %s' % shown(value))


def canonical_dns_name(value):
    """A DNS name (TSIG key name) compared as DNS compares: lowercase, no trailing dot."""
    return (value or '').strip().rstrip('.').lower()


def host_key(host):
    """Canonical name of a host object from the API; ValueError when it holds none.

    Vendor-specific: a name Hardenize answers with may hold underscores (its API
    takes them), so an account with such a host can still be read; the names a
    user gives are checked without (names.check_name's default)."""
    return check_name(host.get('punyHostname') or host.get('hostname') or '', 'hostname', underscore=True)


def common_parent(names):
    """The longest common parent domain (at least two labels) of ``names``, or None."""
    split = [n.split('.')[::-1] for n in names]
    common = []
    for labels in zip(*split):
        if all(label == labels[0] for label in labels):
            common.append(labels[0])
        else:
            break
    return '.'.join(common[::-1]) if len(common) >= 2 else None


def validate_tsig(tsig):
    """Check an axfr_tsig dict; return the API's form or raise ValueError."""
    if not tsig:
        return None
    missing = [k for k in ('name', 'algorithm', 'key') if not (tsig.get(k) or '').strip()]
    if missing:
        raise ValueError('axfr_tsig needs name, algorithm and key (missing: %s)' % ', '.join(missing))
    algorithm = tsig['algorithm'].upper().replace('-', '_')
    if algorithm not in TSIG_ALGORITHMS:
        raise ValueError('axfr_tsig.algorithm must be one of %s, got %r' % (', '.join(TSIG_ALGORITHMS), tsig['algorithm']))
    try:
        base64.b64decode(tsig['key'].strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError('axfr_tsig.key must be base64 (as in a BIND key file); the given value is not')
    return dict(name=tsig['name'].strip(), algorithm=algorithm, key=tsig['key'].strip())


def group_named(groups, name):
    """The group of ``groups`` whose name is ``name``, compared case-insensitively as Hardenize does; or None."""
    wanted = name.strip().lower()
    return next((g for g in groups if (g.get('name') or '').strip().lower() == wanted), None)


def group_with_id(groups, group_id):
    """The group of ``groups`` whose id is ``group_id``; or None."""
    return next((g for g in groups if g.get('id') == group_id.strip()), None)


def group_view(group):
    """A group as the modules return it: id, name, auto, sorted tags; {} for none."""
    if not group:
        return {}
    return dict(id=group.get('id'), name=group.get('name'), auto=bool(group.get('auto')),
                tags=sorted(group.get('tags') or []))


SECRET_MASK = MASK


def hook_view(hook, with_secret=False, complete=False):
    """An event hook as the modules show it: sorted event types, the secret masked unless asked for, the password
    inside the destination URL always masked; {} for none. ``complete`` keeps every other field of the API's object."""
    if not hook:
        return {}
    view = dict(hook) if complete else dict((k, hook.get(k)) for k in ('id', 'hookType', 'eventTypes', 'status'))
    view['eventTypes'] = sorted(hook.get('eventTypes') or [])
    view['destination'] = mask_url_password(hook.get('destination'))
    if with_secret:
        view['secret'] = hook.get('secret')
    else:
        view['secret'] = SECRET_MASK if hook.get('secret') else None
    return view


# groups_mode -> the groupOp of POST /hosts/*
GROUP_OPS = {'append': 'add', 'replace': 'set', 'remove': 'remove'}


def host_changes(wanted):
    """The ``changes`` of ``POST /hosts/*`` for the wanted settings (``status``, ``axfr``, ``axfrHost``,
    ``axfrTsig``; the groups as ``groupOp`` and ``groups``: existing groups by id, since names could be ambiguous,
    new ones by name, for Hardenize to create)."""
    changes = dict((key, wanted[key]) for key in ('status', 'axfr', 'axfrHost', 'axfrTsig') if key in wanted)
    if 'groups' in wanted:
        changes['groupOp'] = GROUP_OPS[wanted['groups_mode']]
        changes['groups'] = wanted['group_ids'] + wanted['new_groups']
    return changes


def new_host_settings(wanted):
    """The settings of ``POST /hosts`` for new hosts: those of :func:`host_changes` but the group operation (a new
    host is in the groups named, unless they are being removed), and no blank ``axfrHost`` (a blank clears it on
    update; a new host simply has none, and the create request takes no blank)."""
    changes = host_changes(wanted)
    settings = dict((k, v) for k, v in changes.items()
                    if k not in ('groupOp', 'groups') and (k, v) != ('axfrHost', ''))
    if 'groups' in wanted and wanted['groups_mode'] != 'remove':
        settings['groups'] = changes['groups']
    return settings


def destination_key(destination):
    """A webhook URL as compared: scheme and host lowercase, no default port; credentials, path and query as given."""
    try:
        parts = urlsplit((destination or '').strip())
        host = (parts.hostname or '').lower()
        port = parts.port
    except ValueError:
        return (destination or '').strip()
    if not parts.scheme.lower().startswith('http') or not host:
        return (destination or '').strip()
    netloc = host if port in (None, 443) else '%s:%d' % (host, port)
    if '@' in parts.netloc:
        netloc = parts.netloc.rsplit('@', 1)[0] + '@' + netloc  # credentials in the URL are part of the destination
    return '%s://%s%s%s' % (parts.scheme.lower(), netloc, parts.path or '/', '?' + parts.query if parts.query else '')


class HardenizeClient(RestClient):
    """Named operations of the Hardenize API, against one organization.

    HTTP Basic auth on every request (the header value is registered as a
    secret when it is built); a 429 is not re-sent as is, even for a write:
    the client re-reads first (``REFUSED_STATUSES`` is empty).
    """

    VENDOR = VENDOR
    DOC_FRAGMENT = 'domainsec.onboard.hardenize'
    OPTIONS = dict(
        api_user=dict(type='str', required=True, fallback=(env_fallback_set, ['HARDENIZE_API_USER'])),
        api_password=dict(type='str', required=True, no_log=True, fallback=(env_fallback_set, ['HARDENIZE_API_PASSWORD'])),
        org=dict(type='str', required=True, fallback=(env_fallback_set, ['HARDENIZE_ORG'])),
        api_url=dict(type='str', default=DEFAULT_API_URL, fallback=(env_fallback_set, ['HARDENIZE_API_URL'])),
    )
    # A 429 from Hardenize means the request was not processed, but the
    # contract is stricter: a write is only re-sent after re-reading state.
    REFUSED_STATUSES = ()

    def __init__(self, http, params, limiter=None):
        super(HardenizeClient, self).__init__(http, params)
        self.limiter = limiter
        self.hosts_read_unfiltered = False

    @classmethod
    def base_path(cls, params):
        return '/v1/org/%s' % params.get('org')

    @classmethod
    def check_params(cls, params):
        if not re.match(r'[A-Za-z0-9_.-]+\Z', params.get('org') or ''):
            return 'org must be the organization label (letters, digits, ".", "_", "-"), got %r' % params.get('org')
        return None

    @classmethod
    def from_params(cls, params):
        client = super(HardenizeClient, cls).from_params(params)
        # The limits are the organization's: every run against it on this controller shares one bucket and 5 slots.
        client.limiter = attach(client.http, RateLimiter.shared('hardenize', state_key(client.base), params.get('lock_dir'),
                                                                slots=RateLimiter.SLOTS, vendor=VENDOR))
        return client

    def make_auth(self):
        return BasicAuth(self.params['api_user'], self.params['api_password'])

    # -- requests ------------------------------------------------------------
    # Every answer of the API is JSON or empty: anything else is a failed read (retried) or a write whose outcome is
    # unknown (re-read before anything is re-sent).
    def api_error(self, what, response, trace_body=True):
        data, text = self.error_body(response, trace_body)
        errors = (data or {}).get('errors') or []
        if not errors:
            errors = [{'message': text or {401: 'authentication failed (check api_user/api_password)',
                                           403: 'not allowed', 404: 'not found'}.get(response.status, 'no details')}]
        errors = [dict((k, self.http.redactor.text(v) if isinstance(v, str) else v) for k, v in e.items())
                  if isinstance(e, dict) else {'message': self.http.redactor.text(str(e))} for e in errors]
        return HardenizeError(what, response.status, errors)

    def read(self, path, params=None):
        """GET ``path``; a list answered in pages (206 with ``Content-Range: pages a-b/N``) is read to its end, the
        pages' lists merged."""
        response = self.respond('GET', path, params=params, expected=(200, 206))
        data = self.decode(response)
        while response.status == 206:
            match = _CONTENT_RANGE.search(response.headers.get('Content-Range') or '')
            if not match or int(match.group(2)) >= int(match.group(3)):
                break
            headers = {'Range': 'pages=%d-%s' % (int(match.group(2)) + 1, match.group(3))}
            response = self.respond('GET', path, params=params, headers=headers, expected=(200, 206))
            for key, value in self.decode(response).items():
                if isinstance(value, list) and isinstance(data.get(key), list):
                    data[key].extend(value)
        return data

    # -- hosts -------------------------------------------------------------
    def list_hosts(self, **filters):
        params = dict((k, str(v).lower() if isinstance(v, bool) else v) for k, v in filters.items() if v is not None)
        return self.read('/hosts', params=params).get('hosts') or []

    def get_host(self, hostname):
        try:
            data = self.read('/hosts/%s' % check_name(hostname, 'name'))
        except HardenizeError as exc:
            if exc.status == 404:
                return None
            raise
        host = data.get('host')
        # The vendor's example wraps the single host in a list.
        if isinstance(host, list):
            host = host[0] if host else None
        return host

    def read_hosts(self, names, subdomains=False):
        """The hosts named (and, with ``subdomains``, below them) as ``{canonical name: host}``, in one GET /hosts.

        Filtered to the names' common parent where there is one. The common
        parent of ``a.co.uk`` and ``b.co.uk`` is a public suffix, which the API
        refuses as a filter (400 on ``hostname``): then the hosts are read
        unfiltered, for the rest of the run too.
        """
        parent = common_parent(names)
        if len(names) == 1 and not subdomains:
            try:
                hosts = self.list_hosts(hostname=names[0], subdomains=False)
            except HardenizeError as exc:
                if not _refused_hostname(exc):
                    raise
                raise DomainsecError('hostnames: Hardenize does not accept %s as a host name (%s). A public suffix '
                                     'such as co.uk cannot be monitored' % (names[0], exc), status=exc.status)
        elif parent and not self.hosts_read_unfiltered:
            try:
                hosts = self.list_hosts(hostname=parent, subdomains=True)
            except HardenizeError as exc:
                if not _refused_hostname(exc):
                    raise
                self.hosts_read_unfiltered = True
                hosts = self.list_hosts()
        else:
            hosts = self.list_hosts()
        return dict((host_key(h), h) for h in hosts)

    def create_hosts(self, hostnames, settings, landed):
        """POST /hosts: add ``hostnames`` with ``settings`` (status, groups, axfr...)."""
        return self.write('create_hosts', 'POST', '/hosts', body=dict(settings, hostnames=hostnames),
                          expected=(200, 201, 204), landed=landed, what='hosts added: %s' % ', '.join(hostnames))

    def update_hosts(self, hostnames, changes, landed):
        """POST /hosts/*: apply ``changes`` to every host of ``hostnames``."""
        return self.write('update_hosts', 'POST', '/hosts/*', body=dict(hostnames=hostnames, changes=changes),
                          expected=(200,), landed=landed, what='hosts updated: %s' % ', '.join(hostnames))

    def delete_hosts(self, hostnames, subdomains, landed):
        """DELETE /hosts: remove ``hostnames`` (and, with ``subdomains``, the hosts below them)."""
        return self.write('delete_hosts', 'DELETE', '/hosts', body=dict(hostnames=hostnames, subdomains=subdomains),
                          landed=landed, what='hosts deleted: %s' % ', '.join(hostnames))

    # -- groups ------------------------------------------------------------
    def list_groups(self):
        return self.read('/groups').get('groups') or []

    def find_group(self, name, by_id=False):
        """The group named ``name`` (compared case-insensitively, as Hardenize keeps names unique), or None.

        Ids are generated from the name at creation but a group can be renamed, so one group's id may be another
        group's name: ids are only looked at with ``by_id``, and only when no name matches.
        """
        groups = self.list_groups()
        return group_named(groups, name) or (group_with_id(groups, name) if by_id else None)

    def resolve_groups(self, refs, hosts):
        """Map each group reference (id or name) to its id; None for a group that does not exist yet.

        A reference that is an id some host of ``hosts`` already carries needs
        no read; otherwise the groups are read once and matched as Hardenize
        matches: id first, then the name case-insensitively.
        """
        seen = set(g for host in hosts.values() for g in host.get('groups') or [])
        if all(ref in seen for ref in refs):
            return dict((ref, ref) for ref in refs)
        groups = self.list_groups()
        resolved = {}
        for ref in refs:
            match = group_with_id(groups, ref) or group_named(groups, ref)
            resolved[ref] = match.get('id') if match else None
        return resolved

    def create_group(self, name, auto, tags=None):
        """POST /groups; returns the new group. A lost answer, or a 409 (the name is taken: another run made the group
        at the same time), is settled by reading the groups: made when one has the name, ``auto`` and the tags."""
        body = dict(name=name, auto=auto)
        if auto:
            body['tags'] = tags or []

        def landed():
            group = self.find_group(name)
            return group if group and bool(group.get('auto')) == bool(auto) and \
                sorted(group.get('tags') or []) == sorted(body.get('tags') or []) else None
        answer = self.write('create_group', 'POST', '/groups', body=body, expected=(200, 201), landed=landed,
                            what='group %s created' % name)
        return answer.get('group') or (answer if answer.get('id') else self.find_group(name))

    def set_group_tags(self, group, tags):
        """POST /groups/{id} with new tags."""
        name = group.get('name')
        self.write('set_group_tags', 'POST', '/groups/%s' % group['id'], body={'tags': tags}, expected=(200, 204),
                   landed=lambda: sorted((self.find_group(name) or {}).get('tags') or []) == tags,
                   what='tags of group %s set' % name)

    def delete_group(self, group, force):
        """DELETE /groups/{id}; ``force`` also removes it from the hosts that use it."""
        name = group.get('name')
        self.write('delete_group', 'DELETE', '/groups/%s' % group['id'], params={'force': str(bool(force)).lower()},
                   expected=(200, 204), landed=lambda: self.find_group(name) is None,
                   what='group %s deleted' % name)

    # -- event hooks and types ---------------------------------------------
    def list_hooks(self):
        return self.read('/eventHooks').get('eventHooks') or []

    def find_hooks(self, destination, hook_type=None):
        """Every hook (of ``hook_type``, or of any type) whose destination is ``destination`` (compared by
        :func:`destination_key`), in the API's order. More than one is a duplicate (two runs created it at once)."""
        wanted = destination_key(destination)
        return [hook for hook in self.list_hooks()
                if hook_type in (None, hook.get('hookType')) and destination_key(hook.get('destination')) == wanted]

    def find_hook(self, destination, hook_type=None):
        """The first hook at ``destination`` (see :meth:`find_hooks`), or None."""
        hooks = self.find_hooks(destination, hook_type)
        return hooks[0] if hooks else None

    def settled_hook(self, destination, hook_type, expected):
        """A ``landed`` check: the hook at ``destination`` once it has every field of ``expected``."""
        def check():
            now = self.find_hook(destination, hook_type) or {}
            return now if all(sorted(now.get(k) or []) == v if isinstance(v, list) else now.get(k) == v
                              for k, v in expected.items()) else None
        return check

    def create_hook(self, hook_type, destination, event_types, status='disabled'):
        """POST /eventHooks; returns the new hook."""
        body = dict(hookType=hook_type, eventTypes=event_types, destination=destination, status=status)
        answer = self.write('create_hook', 'POST', '/eventHooks', body=body, expected=(200, 201),
                            landed=lambda: self.find_hook(destination, hook_type),
                            what='event hook created (%s)' % status)
        hook = hook_from_answer(answer, None) or self.find_hook(destination, hook_type)
        if not hook:
            raise DomainsecError('Hardenize created the hook for %s but does not list it' % destination, vendor=VENDOR)
        return hook

    def update_hook(self, hook, event_types=None, status=None):
        """POST /eventHooks/{id} with the new ``event_types`` and/or ``status``; returns the hook after it."""
        changes = dict((field, value) for field, value in (('eventTypes', event_types), ('status', status))
                       if value is not None)
        answer = self.write('update_hook', 'POST', '/eventHooks/%s' % hook['id'], body=changes, expected=(200,),
                            landed=self.settled_hook(hook.get('destination'), hook.get('hookType'), changes),
                            what='event hook %s updated (%s)' % (hook['id'], ', '.join(sorted(changes))))
        return hook_from_answer(answer, hook)

    def delete_hook(self, hook):
        """DELETE /eventHooks/{id}. A hook already gone (deleted by a concurrent run) is not an error."""
        hook_id = hook['id']

        def gone():
            return all(h.get('id') != hook_id for h in self.list_hooks())
        try:
            self.write('delete_hook', 'DELETE', '/eventHooks/%s' % hook_id, expected=(200, 204), landed=gone,
                       what='event hook %s deleted' % hook_id)
        except HardenizeError as exc:
            if exc.status != 404:
                raise

    def test_hook(self, hook, event_type='test', invalid='none'):
        """POST /eventHooks/{id};test once: its report.

        Every test delivers an event to the receiver, so a test whose outcome
        is unknown is never sent again; a 429 proves it was not processed and
        is waited out by the transport within ``rate_limit_wait``.
        """
        try:
            return self.write(None, 'POST', '/eventHooks/%s;test' % hook['id'], expected=(200,),
                              params={'eventType': event_type, 'invalid': invalid}, refused_statuses=(429,))
        except WriteOutcomeUnknown as exc:
            raise DomainsecError('The outcome of the event hook test is unknown (%s). It was not sent again, because '
                                 'every test delivers an event to the receiver' % exc, vendor=VENDOR, status=exc.status)

    def list_event_types(self):
        return self.read('/eventTypes').get('eventTypes') or []

    def unknown_event_types(self, wanted):
        """``(unknown, known)``: the names of ``wanted`` the account does not know, and the names it knows.

        The document lists hook types as ct.entry but its GET /eventTypes
        example as "ct": a listed name also covers the types below it, so
        either spelling is accepted.
        """
        known = sorted(t.get('name') for t in self.list_event_types() if t.get('name'))
        unknown = [t for t in wanted if t not in known and not any(t.startswith(k + '.') for k in known)]
        return unknown, known

    def set_event_type(self, name, enabled):
        """POST /eventTypes/{name}; returns the event type after it."""
        def landed():
            return next((t for t in self.list_event_types() if t.get('name') == name and
                         bool(t.get('enabled')) == enabled), None)
        answer = self.write('set_event_type', 'POST', '/eventTypes/%s' % name, body={'enabled': enabled},
                            expected=(200,), landed=landed,
                            what='event type %s %s' % (name, 'enabled' if enabled else 'disabled'))
        return answer.get('eventType') or answer


def _refused_hostname(exc):
    """A 400 that names the hostname filter: the API does not take that name (a public suffix)."""
    return exc.status == 400 and any(e.get('param') == 'hostname' for e in exc.errors)


def hook_from_answer(answer, hook):
    """The hook from a write's answer (or from the re-read that confirmed it); ``hook`` when it holds none."""
    if isinstance(answer, dict) and isinstance(answer.get('eventHook'), dict):
        return answer['eventHook']
    if isinstance(answer, dict) and answer.get('id'):
        return answer
    return hook
