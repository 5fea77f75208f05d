# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Signal Sciences (Fastly Next-Gen WAF) API v0 client.

Base URL ``<api_url>`` (``https://dashboard.signalsciences.net/api/v0``); every
request carries ``x-api-user`` (the user's email) and ``x-api-token`` (a
personal API access token). JSON bodies; success is 200/201/204; errors are
JSON ``{"message": ...}`` with 400/401/403/404/409/429. A 401 or 403 always
says that the credentials were refused - never that a site does not exist.
See docs/sigsci.md.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from urllib.parse import quote

from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import ApiError, HeaderAuth, env_fallback_set
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_email, check_url
from ansible_collections.domainsec.onboard.plugins.module_utils.vendor_client import RestClient

VENDOR = 'Signal Sciences'
DEFAULT_API_URL = 'https://dashboard.signalsciences.net/api/v0'
AGENT_LEVELS = ('block', 'log', 'off')
ANON_MODES = ('', 'EU')
ROLES = ('owner', 'admin', 'user', 'observer')
SITE_NAME = re.compile(r'[a-z0-9][a-z0-9_.-]{0,49}\Z')
CORP_NAME = re.compile(r'[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\Z')
HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}\Z")  # an HTTP token (RFC 9110)
MAX_BLOCK_DURATION = 31556900  # about one year, the console's maximum

# The site fields the modules manage: option name -> API field.
SITE_FIELDS = (
    ('display_name', 'displayName'),
    ('agent_level', 'agentLevel'),
    ('agent_anon_mode', 'agentAnonMode'),
    ('block_http_code', 'blockHTTPCode'),
    ('block_duration_seconds', 'blockDurationSeconds'),
    ('block_redirect_url', 'blockRedirectURL'),
    ('client_ip_headers', 'clientIPRules'),
    ('immediate_block', 'immediateBlock'),
)


class SigsciError(ApiError):
    """Signal Sciences answered with an error status."""

    def __init__(self, what, status, message):
        if status == 401:
            sentence = ('the credentials were refused (check email and api_token, or SIGSCI_EMAIL and SIGSCI_TOKEN: '
                        'the token may be wrong, expired or revoked): %s' % message)
        elif status == 403:
            sentence = ('the credentials were refused for this request (the user may not use the API or is not a '
                        'member of the corp, or of the site, with a role that allows it): %s' % message)
        else:
            sentence = message
        super(SigsciError, self).__init__('Signal Sciences refused %s (HTTP %d): %s' % (what, status, sentence),
                                          vendor=VENDOR, code=status, status=status)


def client_ip_rules(headers):
    """``client_ip_headers`` (header names) -> the API's ``clientIPRules``."""
    return [{'header': h} for h in headers]


def rule_headers(rules):
    return [r.get('header') for r in rules or [] if isinstance(r, dict)]


def site_view(site):
    """The managed fields of a site as the options name them ({} for none)."""
    if not site:
        return {}
    view = dict(name=site.get('name'))
    for option, field in SITE_FIELDS:
        value = site.get(field)
        view[option] = rule_headers(value) if option == 'client_ip_headers' else value
    return view


class SigsciClient(RestClient):
    """Named operations of the Signal Sciences API against one corp."""

    VENDOR = VENDOR
    DOC_FRAGMENT = 'domainsec.onboard.sigsci'
    OPTIONS = dict(
        email=dict(type='str', required=True, fallback=(env_fallback_set, ['SIGSCI_EMAIL'])),
        api_token=dict(type='str', required=True, no_log=True, fallback=(env_fallback_set, ['SIGSCI_TOKEN'])),
        corp=dict(type='str', required=True, fallback=(env_fallback_set, ['SIGSCI_CORP'])),
        api_url=dict(type='str', default=DEFAULT_API_URL, fallback=(env_fallback_set, ['SIGSCI_API_URL'])),
    )
    # A 429 is answered before anything is done: a write refused with it is sent again as it is.
    REFUSED_STATUSES = (429,)

    def __init__(self, http, params):
        super(SigsciClient, self).__init__(http, params)
        self.corp = params['corp']
        self.email = params['email'].strip().lower()

    @classmethod
    def check_params(cls, params):
        try:
            check_email(params.get('email') or '', 'email')  # the API user's
        except ValueError as exc:
            return str(exc)
        if not CORP_NAME.match(params.get('corp') or ''):
            return 'corp must be the corp\'s short name (letters, digits, ".", "_", "-"), got %r' % params.get('corp')
        return None

    @classmethod
    def transport_kwargs(cls, params):
        return dict(headers={'Accept': 'application/json'})

    def make_auth(self):
        return HeaderAuth({'x-api-user': self.params['email'].strip(), 'x-api-token': self.params['api_token']},
                          public=['x-api-user'])

    # -- low level ---------------------------------------------------------
    def _path(self, *parts):
        return '/corps/%s%s' % (quote(self.corp, safe=''), ''.join('/' + quote(str(p), safe='@') for p in parts))

    def api_error(self, what, response, trace_body=True):
        data, text = self.error_body(response, trace_body)
        message = (data or {}).get('message') or text
        return SigsciError(what, response.status, self.http.redactor.text(message) or 'no details given')

    def _get_or_none(self, path):
        try:
            return self.read(path)
        except SigsciError as exc:
            if exc.status == 404:
                return None
            raise

    # -- corps ---------------------------------------------------------------
    def list_corps(self):
        return self.read('/corps').get('data') or []

    def get_corp(self):
        return self.read(self._path())

    # -- sites ---------------------------------------------------------------
    def list_sites(self):
        return self.read(self._path('sites')).get('data') or []

    def get_site(self, name):
        """The site called ``name``, or None when the corp has none (a 401/403 is an error, never None)."""
        return self._get_or_none(self._path('sites', name))

    def create_site(self, body):
        """POST the new site ``body``; the site. A lost answer, or a 409 "already exists" (another run made it at the
        same time), is settled by reading the site: it counts as made when it has every field of ``body``."""
        name = body['name']

        def landed():
            site = self.get_site(name)
            return site if site and not site_changes(site, body) else None
        answer = self.write('create_site', 'POST', self._path('sites'), body=body, landed=landed,
                            what='site %s created' % name)
        return answer if answer.get('name') else self.get_site(name)

    def update_site(self, name, changes):
        """PATCH only ``changes`` (API field names); the site after it."""
        def landed():
            site = self.get_site(name) or {}
            return site if all(site.get(k) == v for k, v in changes.items()) else None
        return self.write('update_site', 'PATCH', self._path('sites', name), body=changes, landed=landed,
                          what='site %s updated (%s)' % (name, ', '.join(sorted(changes))))

    def delete_site(self, name):
        self.write('delete_site', 'DELETE', self._path('sites', name), expected=(200, 204),
                   landed=lambda: self.get_site(name) is None, what='site %s deleted' % name)

    def list_agents(self, site):
        return self.read(self._path('sites', site, 'agents')).get('data') or []

    def agent_keys(self, site):
        """The site's agent keys ``{name, accessKey, secretKey}``. The answer is never traced (it carries the secret)."""
        answer = self.read(self._path('sites', site, 'keys'), trace_body=False)
        if isinstance(answer.get('data'), list):  # a list form, should the API ever answer one
            return answer['data']
        return [answer] if answer else []

    # -- site members ----------------------------------------------------------
    def list_members(self, site):
        """``{email: role}`` of the site's members."""
        members = self.read(self._path('sites', site, 'members')).get('data') or []
        return dict(((m.get('user') or {}).get('email', '').lower(), m.get('role')) for m in members)

    def _member_is(self, site, email, role):
        return lambda: self.list_members(site).get(email) == role

    def invite_member(self, site, email, role):
        """POST .../members/{email}/invite: adds a corp user, or invites a new one, with ``role``. A 409 "already a
        member" (another run invited them at the same time) is settled by reading the members: done when the user is
        one with ``role``."""
        self.write('invite_member', 'POST', self._path('sites', site, 'members', email, 'invite'), body={'role': role},
                   landed=self._member_is(site, email, role),
                   what='%s invited to %s as %s' % (email, site, role))

    def set_member_role(self, site, email, role):
        """A member's new role. The API has no site-level update (``PATCH .../members/{email}`` is gone: "Users can
        no longer be updated at the site level"), and the corp-user update sets the user's role across the corp, so
        the member is removed from the site and invited again with ``role``: two writes, each re-read before
        anything is sent again. A failure between them leaves the user off the site (the report says so; a re-run
        invites them). See docs/sigsci.md."""
        self.remove_member(site, email, what='%s removed from %s, to be invited again as %s (a role change)'
                                             % (email, site, role))
        self.invite_member(site, email, role)

    def remove_member(self, site, email, what=None):
        self.write('remove_member', 'DELETE', self._path('sites', site, 'members', email), expected=(200, 204),
                   landed=lambda: email not in self.list_members(site),
                   what=what or '%s removed from %s' % (email, site))


def site_options():
    """The options of one site (sigsci_site; each entry of sigsci_sites' ``sites``)."""
    return dict(
        name=dict(type='str', required=True),
        display_name=dict(type='str'),
        agent_level=dict(type='str', choices=list(AGENT_LEVELS)),
        agent_anon_mode=dict(type='str', choices=list(ANON_MODES)),
        block_http_code=dict(type='int'),
        block_duration_seconds=dict(type='int'),
        block_redirect_url=dict(type='str'),
        client_ip_headers=dict(type='list', elements='str'),
        immediate_block=dict(type='bool'),
    )


def validate_site(params):
    """The wanted site fields (API names) from the options; ValueError names the option."""
    name = params['name']
    if not SITE_NAME.match(name or ''):
        raise ValueError('name must be the site\'s short name: 1-50 lowercase letters, digits, ".", "_" or "-", '
                         'starting with a letter or digit, got %r' % name)
    wanted = {}
    if params.get('display_name') is not None:
        if not 1 <= len(params['display_name'].strip()) <= 100:
            raise ValueError('display_name must be 1 to 100 characters, got %r' % params['display_name'])
        wanted['displayName'] = params['display_name'].strip()
    if params.get('agent_level') is not None:
        wanted['agentLevel'] = params['agent_level']
    if params.get('agent_anon_mode') is not None:
        wanted['agentAnonMode'] = params['agent_anon_mode']
    code, url = params.get('block_http_code'), params.get('block_redirect_url')
    if code is not None:
        if code in (301, 302):
            if not url:
                raise ValueError('block_http_code %d (a redirect) needs block_redirect_url' % code)
        elif not 400 <= code <= 599:
            raise ValueError('block_http_code must be 400-599, or 301/302 with block_redirect_url; got %d' % code)
        wanted['blockHTTPCode'] = code
    if url:
        url = check_url(url, 'block_redirect_url', schemes=('http', 'https'))
        if code not in (301, 302):
            raise ValueError('block_redirect_url only applies with block_http_code 301 or 302')
    if url is not None:
        wanted['blockRedirectURL'] = url
    if params.get('block_duration_seconds') is not None:
        if not 1 <= params['block_duration_seconds'] <= MAX_BLOCK_DURATION:
            raise ValueError('block_duration_seconds must be 1 to %d, got %d' % (MAX_BLOCK_DURATION,
                                                                                 params['block_duration_seconds']))
        wanted['blockDurationSeconds'] = params['block_duration_seconds']
    if params.get('client_ip_headers') is not None:
        headers = [h.strip() for h in params['client_ip_headers']]
        bad = [h for h in headers if not HEADER_NAME.match(h)]
        if bad:
            raise ValueError('client_ip_headers must be HTTP header names such as X-Forwarded-For, got %r' % bad[0])
        wanted['clientIPRules'] = client_ip_rules(headers)
    if params.get('immediate_block') is not None:
        wanted['immediateBlock'] = params['immediate_block']
    return name, wanted


def new_site(name, wanted):
    """The body that creates the site ``name`` with the ``wanted`` fields: its display name is its name unless
    given."""
    body = dict(wanted, name=name)
    body.setdefault('displayName', name)
    return body


def site_changes(site, wanted):
    """The fields of ``wanted`` the site does not have yet (header names compared case-insensitively)."""
    changes = {}
    for field, value in wanted.items():
        have = site.get(field)
        if field == 'clientIPRules':
            if [h.lower() for h in rule_headers(have)] != [h.lower() for h in rule_headers(value)]:
                changes[field] = value
        elif field == 'agentAnonMode':
            if (have or '') != value:
                changes[field] = value
        elif have != value:
            changes[field] = value
    return changes


def present_site(module, client, name, wanted, site):
    """The site ``name`` made or changed to have ``wanted`` (not in check mode), from ``site`` as read (None: it
    does not exist); the result of sigsci_site and of one site of sigsci_sites. ``module``: the AnsibleModule, or
    anything with its ``check_mode`` and ``_diff``."""
    if site is None:
        body = new_site(name, wanted)
        result = dict(changed=True, site=dict(body))
        if module._diff:
            result['diff'] = dict(before={}, after=site_view(body))
        if not module.check_mode:
            result['site'] = client.create_site(body)
        return result
    changes = site_changes(site, wanted)
    result = dict(changed=bool(changes), site=dict(site, **changes))
    if changes:
        result['changes'] = changes
    if module._diff:
        result['diff'] = dict(before=site_view(site), after=site_view(result['site']))
    if changes and not module.check_mode:
        answer = client.update_site(name, changes)
        result['site'] = answer if isinstance(answer, dict) and answer.get('name') else client.get_site(name)
    return result


def check_member(email, role, where):
    """A member's e-mail (lowercased) after checking it and its role; ValueError names the option."""
    email = check_email(email or '', '%s.email' % where)
    if role is not None and role not in ROLES:
        raise ValueError('%s.role must be one of %s, got %r' % (where, ', '.join(ROLES), role))
    return email.strip().lower()
