# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Signal Sciences (Fastly Next-Gen WAF) API v0 emulator: corps, corp users, sites, site members, agent keys.

Written from the vendor's "Using Our API" page (API access tokens, the
``x-api-user``/``x-api-token`` headers, ``GET /corps``), its public API
reference and the published clients (go-sigsci, pysigsci). Base path
``/api/v0``; every request carries ``x-api-user`` (a user's email) and
``x-api-token`` (one of that user's access tokens). JSON bodies; every error is
``{"message": "..."}`` (application/json). Where the sources leave a choice
open, see docs/sigsci-api-decisions.md; what the emulator does beyond them is
listed in docs/sigsci.md ("What the emulator does that is not from the vendor").

Counter keys are ``"<METHOD> <path template>"`` relative to ``/api/v0``
(``GET /corps``, ``POST /corps/{corp}/sites``,
``POST /corps/{corp}/sites/{site}/members/{email}/invite``, ...); a path that
is no endpoint is counted under ``"<METHOD> <raw path>"``. ``writes`` counts
every non-GET request.

Routes (``ROUTES``): a path that matches no template is 404, one that matches
a template with another method is 405 with ``Allow``. A site member has no
PATCH (the API dropped site-level member updates): a new role is a removal and
an invitation.

Permissions (checked after authentication, in this order): the corp in the
path must exist and count the caller among its users (else 403
``Forbidden``, for an unknown corp too); the site must exist (else 404
``Site not found``); corp owners and admins may do everything in their corp;
corp users and observers see only the sites they are members of (403
otherwise), and change a site, its members or read its agent keys only as a
site owner or admin. Creating a site needs corp owner or admin. Every corp
member may read the corp's users; a user's memberships list only the sites
the caller may see.

Config knobs (``POST /_emulator/config``): see ``SigsciApp.default_config``.
Actions in the same call (not knobs, not kept in the config):

- ``{"revoke_token": "<token>"}``: that access token answers 401 from now on;
- ``{"add_user": {"email": ..., "name": ..., "token": ..., "corp_role": ..., "corp": ...}}``:
  a user with an active access token (``token`` generated when absent; see
  ``GET /_emulator/state``), member of ``corp`` (default: the emulated corp)
  with ``corp_role`` (owner|admin|user|observer; null or absent: member of no
  corp, to provoke 403);
- ``{"add_corp": {"name": ..., "displayName": ..., "owner": <email>}}``: another
  corp (``owner`` optional: an existing user who becomes its owner);
- ``{"set_traffic": {"site": ..., "requests": n, "corp": ...}}``: the number of
  requests the site's agents have reported. Emulator state only: no API answer
  shows it (``GET /_emulator/state``, ``sites[].traffic``) and nothing refuses a
  delete because of it.
"""

import base64
import collections
import copy
import datetime
import hmac
import math
import re
import secrets
import time
import urllib.parse
import uuid

from .base import EmulatorApp, Response, TokenBucket, random_alnum

API_PREFIX = '/api/v0'
ROLES = ('owner', 'admin', 'user', 'observer')
MANAGER_ROLES = ('owner', 'admin')
AGENT_LEVELS = ('block', 'log', 'off')
ANON_MODES = ('', 'EU')
# Site names: 1-50 characters, lowercase letters, digits, '-', '_' and '.', starting with a letter or a digit.
SITE_NAME = re.compile(r'^[a-z0-9][a-z0-9_.-]{0,49}$')
EMAIL = re.compile(r'^[^@\s/]+@[^@\s/]+\.[^@\s/]+$')
BLOCK_DURATION_MAX = 31556900
# Attack thresholds: interval (minutes) -> the vendor's default threshold ("Configuring attack thresholds":
# 1 minute 50, 10 minutes 350, 1 hour 1,800); go-sigsci's AttackThreshold: interval 1, 10 or 60, threshold 1-10000.
ATTACK_THRESHOLDS = collections.OrderedDict([(1, 50), (10, 350), (60, 1800)])
THRESHOLD_MAX = 10000
SITE_DEFAULTS = collections.OrderedDict([
    ('agentLevel', 'log'),
    ('agentAnonMode', ''),
    ('blockHTTPCode', 406),
    ('blockDurationSeconds', 86400),
    ('blockRedirectURL', ''),
    ('clientIPRules', []),
    ('attackThresholds', [{'interval': i, 'threshold': t} for i, t in ATTACK_THRESHOLDS.items()]),
    ('immediateBlock', False),
])
SITE_FIELDS = ('name', 'displayName') + tuple(SITE_DEFAULTS)
# Link maps of a site object: JSON field -> path below the site.
SITE_LINKS = collections.OrderedDict([
    ('whitelist', 'whitelist'), ('blacklist', 'blacklist'), ('events', 'events'), ('requests', 'requests'),
    ('redactions', 'redactions'), ('suspiciousIPs', 'suspiciousIPs'), ('monitors', 'monitors'),
    ('pathwhitelist', 'pathwhitelist'), ('paramwhitelist', 'paramwhitelist'), ('integrations', 'integrations'),
    ('headerLinks', 'headerLinks'), ('agents', 'agents'), ('alerts', 'alerts'),
    ('analyticsEvents', 'analytics/events'), ('topAttacks', 'top/attacks'), ('members', 'members'),
])
# Injected http_<status> faults: the API's own {"message"} answer.
FAULT_MESSAGES = {429: 'Too many requests', 500: 'Internal Server Error', 502: 'Bad Gateway',
                  503: 'Service Unavailable', 504: 'Gateway Timeout'}

# path template (relative to /api/v0) -> allowed methods. A path that matches no template is 404; a path that
# matches one with another method is 405 (with Allow).
ROUTES = collections.OrderedDict([
    ('/corps', ('GET',)),
    ('/corps/{corp}', ('GET',)),
    ('/corps/{corp}/users', ('GET',)),
    ('/corps/{corp}/users/{email}', ('GET',)),
    ('/corps/{corp}/users/{email}/memberships', ('GET',)),
    ('/corps/{corp}/sites', ('GET', 'POST')),
    ('/corps/{corp}/sites/{site}', ('GET', 'PATCH', 'DELETE')),
    ('/corps/{corp}/sites/{site}/members', ('GET', 'POST')),
    # No PATCH: "Users can no longer be updated at the site level" (go-sigsci pull request 3); the public reference,
    # as pysigsci's calls mirror it, lists GET and DELETE here (see docs/sigsci-api-decisions.md).
    ('/corps/{corp}/sites/{site}/members/{email}', ('GET', 'DELETE')),
    ('/corps/{corp}/sites/{site}/members/{email}/invite', ('POST',)),
    ('/corps/{corp}/sites/{site}/keys', ('GET',)),
    ('/corps/{corp}/sites/{site}/agentKeys', ('GET',)),
    ('/corps/{corp}/sites/{site}/agents', ('GET',)),
])
_SHAPES = [(template, template.split('/')[1:]) for template in ROUTES]


class ApiError(Exception):
    """A Signal Sciences error answer: ``{"message": ...}``."""

    def __init__(self, status, message, headers=None):
        super(ApiError, self).__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


def error_response(status, message, headers=None):
    return Response.json({'message': message}, status, headers)


def rfc3339(when=None):
    """``2026-01-02T03:04:05Z`` (UTC, seconds), as Go marshals a time.Time without fraction."""
    stamp = datetime.datetime.fromtimestamp(int(time.time() if when is None else when), datetime.timezone.utc)
    return stamp.strftime('%Y-%m-%dT%H:%M:%SZ')


def split_path(path):
    """(template, {corp, site, email}) of a path relative to /api/v0; (None, {}) when it matches no template."""
    parts = path.split('/')[1:]
    if not parts or any(part == '' for part in parts):
        return None, {}
    for template, shape in _SHAPES:
        if len(shape) != len(parts):
            continue
        values = {}
        for want, part in zip(shape, parts):
            if want.startswith('{'):
                values[want[1:-1]] = urllib.parse.unquote(part)
            elif want != part:
                break
        else:
            return template, values
    return None, {}


class SigsciApp(TokenBucket, EmulatorApp):
    """The Signal Sciences API v0 (see the module docstring)."""

    name = 'sigsci'
    # Knobs off by default are behaviours that neither the vendor's document nor a published client shows ("not from
    # the vendor" in docs/sigsci.md); a module must never need them.
    default_config = {
        'rate_limit_enabled': False,  # not from the vendor: refuse requests (429) when the bucket is empty
        'rate_capacity': 100,  # token bucket size (requests)
        'rate_refill_per_second': 10.0,  # tokens added per second
        'retry_after_header': False,  # not from the vendor: 429 answers (refusals, injected http_429) carry Retry-After
        'site_limit': 100,  # siteLimit of every corp: creating one more site is a 400
    }
    _RATE_KEYS = ('rate_limit_enabled', 'rate_capacity', 'rate_refill_per_second')
    _ACTIONS = ('revoke_token', 'add_user', 'add_corp', 'set_traffic')

    def __init__(self):
        self.corp_name = self.credential('SIGSCI_CORP', lambda: 'emu-corp-' + random_alnum(4).lower())
        self.email = self.credential('SIGSCI_EMAIL', lambda: 'owner-%s@example.com' % random_alnum(4).lower()).lower()
        self.token = self.credential('SIGSCI_TOKEN', lambda: random_alnum(32))
        self.analyst_token = random_alnum(32)
        self.started = rfc3339()
        self.init_bucket()
        super(SigsciApp, self).__init__()

    # -- base hooks ----------------------------------------------------------
    def reset_state(self):
        self.users = collections.OrderedDict()  # email -> {email, name, status, tokens: [{token, revoked}]}
        self.corps = collections.OrderedDict()  # name -> {name, displayName, created, users: {email: role}}
        self.sites = collections.OrderedDict()  # (corp, site) -> site record (fields, members, keys, traffic)
        self._new_user(self.email, 'Emulator Owner', self.token)
        self._new_user('analyst@example.com', 'Emulator Analyst', self.analyst_token)
        self._new_corp(self.corp_name, 'Emulator Corp', owner=self.email)
        self.corps[self.corp_name]['users']['analyst@example.com'] = 'user'
        self.reset_bucket()

    def endpoint_key(self, request):
        path = request.path
        if path == API_PREFIX or path.startswith(API_PREFIX + '/'):
            template = split_path(path[len(API_PREFIX):])[0]
            return '%s %s' % (request.method, template or path[len(API_PREFIX):] or '/')
        return '%s %s' % (request.method, path)

    def is_write(self, key):
        return key.split(' ', 1)[0] not in ('GET', 'HEAD')

    def credentials(self):
        found = {self.token, self.analyst_token}
        with self.lock:
            for user in self.users.values():
                found.update(t['token'] for t in user['tokens'])
        return found

    def env(self):
        return {
            'SIGSCI_API_URL': (self.base_url or '') + API_PREFIX,
            'SIGSCI_EMAIL': self.email,
            'SIGSCI_TOKEN': self.token,
            'SIGSCI_CORP': self.corp_name,
        }

    def fault_http_response(self, status, fault, request):
        """Injected 429/5xx: ``{"message": ...}`` JSON like the API's own errors (Retry-After per the knob)."""
        headers = {}
        if status == 429 and self.config['retry_after_header']:
            headers['Retry-After'] = str(fault['retry_after'])
        return error_response(status, FAULT_MESSAGES.get(status, 'Error'), headers)

    def dump_state(self):
        with self._rate_lock:
            bucket = {'tokens': self._tokens_now(), 'capacity': self.config['rate_capacity']}
        with self.lock:
            return {
                'corps': [{'name': c['name'], 'displayName': c['displayName'], 'created': c['created'],
                           'siteLimit': self.config['site_limit'],
                           'users': [{'email': e, 'role': r} for e, r in c['users'].items()]}
                          for c in self.corps.values()],
                'sites': [dict(self.site_view(record), corp=record['corp'],
                               members=[{'email': e, 'role': r} for e, r in record['members'].items()],
                               keys=copy.deepcopy(record['keys']), traffic=record['traffic'])
                          for record in self.sites.values()],
                'users': [copy.deepcopy(u) for u in self.users.values()],
                'rate': bucket,
            }

    def configure(self, values):
        if not isinstance(values, dict):
            raise ValueError('the config must be a JSON object')
        values = dict(values)
        actions = [(name, values.pop(name)) for name in self._ACTIONS if name in values]
        with self.lock:
            before = copy.deepcopy(self.config)
            config = super(SigsciApp, self).configure(values)
            try:
                if config['rate_capacity'] < 1 or config['site_limit'] < 1:
                    raise ValueError('rate_capacity and site_limit must be at least 1')
                if config['rate_refill_per_second'] <= 0:
                    raise ValueError('rate_refill_per_second must be positive')
            except ValueError:
                self.config = before
                raise
            if any(before[k] != config[k] for k in self._RATE_KEYS):
                self.reset_bucket()
            for name, spec in actions:
                getattr(self, '_action_' + name)(spec)
            return copy.deepcopy(self.config)

    # -- admin actions -------------------------------------------------------------
    def _action_revoke_token(self, token):
        for user in self.users.values():
            for entry in user['tokens']:
                if isinstance(token, str) and entry['token'] == token:
                    entry['revoked'] = True
                    return
        raise ValueError('revoke_token: no such access token')

    def _action_add_user(self, spec):
        if not isinstance(spec, dict) or set(spec) - {'email', 'name', 'token', 'corp_role', 'corp'}:
            raise ValueError('add_user must be {"email", "name", "token", "corp_role", "corp"}')
        email = spec.get('email')
        if not isinstance(email, str) or not EMAIL.match(email):
            raise ValueError('add_user: email must be an email address')
        email = email.lower()
        if email in self.users:
            raise ValueError('add_user: %s already exists' % email)
        role = spec.get('corp_role')
        corp = spec.get('corp') or self.corp_name
        if role is not None and role not in ROLES:
            raise ValueError('add_user: corp_role must be one of %s, or null' % ', '.join(ROLES))
        if role is not None and corp not in self.corps:
            raise ValueError('add_user: no corp %s' % corp)
        token = spec.get('token') or random_alnum(32)
        if not isinstance(token, str) or len(token) < 8:
            raise ValueError('add_user: token must be a string of at least 8 characters')
        self._new_user(email, str(spec.get('name') or ''), token)
        if role is not None:
            self.corps[corp]['users'][email] = role

    def _action_add_corp(self, spec):
        if not isinstance(spec, dict) or not isinstance(spec.get('name'), str) or not spec['name'] \
                or set(spec) - {'name', 'displayName', 'owner'}:
            raise ValueError('add_corp must be {"name", "displayName", "owner"}')
        if spec['name'] in self.corps:
            raise ValueError('add_corp: %s already exists' % spec['name'])
        owner = spec.get('owner')
        if owner is not None and (not isinstance(owner, str) or owner.lower() not in self.users):
            raise ValueError('add_corp: owner must be an existing user')
        self._new_corp(spec['name'], str(spec.get('displayName') or spec['name']), owner=owner and owner.lower())

    def _action_set_traffic(self, spec):
        if not isinstance(spec, dict) or set(spec) - {'site', 'requests', 'corp'}:
            raise ValueError('set_traffic must be {"site", "requests", "corp"}')
        requests = spec.get('requests')
        if isinstance(requests, bool) or not isinstance(requests, int) or requests < 0:
            raise ValueError('set_traffic: requests must be an integer >= 0')
        record = self.sites.get((spec.get('corp') or self.corp_name, spec.get('site')))
        if record is None:
            raise ValueError('set_traffic: no site %s' % spec.get('site'))
        record['traffic'] = requests

    def _new_user(self, email, name, token, status='active'):
        tokens = [{'token': self.remember_secret(token), 'revoked': False}] if token else []
        self.users[email] = {'email': email, 'name': name, 'status': status, 'tokens': tokens, 'created': rfc3339()}
        return self.users[email]

    def _new_corp(self, name, display_name, owner=None):
        users = collections.OrderedDict()
        if owner:
            users[owner] = 'owner'
        self.corps[name] = {'name': name, 'displayName': display_name, 'created': self.started, 'users': users}

    # -- rate limit ------------------------------------------------------------------
    def _admit(self):
        """Take a token; ApiError 429 when the bucket is empty (and the limit on)."""
        with self._rate_lock:
            if not self.config['rate_limit_enabled']:
                self._tokens_now()
                return
            seconds = self._take_token()
            if seconds:
                wait = max(1, int(math.ceil(seconds)))
                raise ApiError(429, 'Too many requests',
                               headers={'Retry-After': str(wait)} if self.config['retry_after_header'] else None)

    # -- request handling --------------------------------------------------------------
    def handle(self, request):
        try:
            user = self._authenticate(request)
            self._admit()
            if not (request.path == API_PREFIX or request.path.startswith(API_PREFIX + '/')):
                raise ApiError(404, 'Not Found')
            template, values = split_path(request.path[len(API_PREFIX):])
            if template is None:
                raise ApiError(404, 'Not Found')
            if request.method not in ROUTES[template]:
                raise ApiError(405, 'Method Not Allowed', headers={'Allow': ', '.join(ROUTES[template])})
            with self.lock:
                return self._route(request, template, values, user)
        except ApiError as exc:
            return error_response(exc.status, exc.message, exc.headers)

    def _authenticate(self, request):
        """The calling user (x-api-user + an active x-api-token of theirs); 401 otherwise."""
        email = (request.headers.get('x-api-user') or '').strip().lower()
        token = request.headers.get('x-api-token') or ''
        with self.lock:
            user = self.users.get(email)
            if user is not None and token:
                for entry in user['tokens']:
                    if hmac.compare_digest(entry['token'].encode('utf-8'), token.encode('utf-8')) and not entry['revoked']:
                        return user
        raise ApiError(401, 'Unauthorized')

    def _route(self, request, template, values, user):
        if template == '/corps':
            return self.list_corps(user)
        corp = self._corp_for(values['corp'], user)
        if template == '/corps/{corp}':
            return Response.json(self.corp_view(corp))
        if template.startswith('/corps/{corp}/users'):
            return self.corp_users(template, corp, user, values)
        if template == '/corps/{corp}/sites':
            if request.method == 'GET':
                return self.list_sites(corp, user)
            return self.create_site(request, corp, user)
        record = self.sites.get((corp['name'], values['site']))
        if record is None:
            raise ApiError(404, 'Site not found')
        corp_role = corp['users'][user['email']]
        site_role = record['members'].get(user['email'])
        if corp_role not in MANAGER_ROLES and site_role is None:
            raise ApiError(403, 'Forbidden')
        manager = corp_role in MANAGER_ROLES or site_role in MANAGER_ROLES
        reading = request.method == 'GET' and not template.endswith(('/keys', '/agentKeys'))
        if not reading and not manager:
            raise ApiError(403, 'Forbidden')
        method = request.method
        if template == '/corps/{corp}/sites/{site}':
            if method == 'GET':
                return Response.json(self.site_view(record))
            if method == 'PATCH':
                return self.update_site(request, record)
            del self.sites[(corp['name'], record['name'])]
            return Response.empty(204)
        if template.endswith('/members'):
            if method == 'POST':
                return self.add_members(request, corp, record)
            return Response.json({'data': [self.member_view(e, r) for e, r in record['members'].items()]})
        if template.endswith('/invite'):
            return self.invite_member(request, corp, record, values['email'])
        if template.endswith('/{email}'):
            email = values['email'].lower()
            if email not in record['members']:
                raise ApiError(404, 'Site member not found')
            if method == 'GET':
                return Response.json(self.member_view(email, record['members'][email]))
            del record['members'][email]
            return Response.empty(204)
        if template.endswith('/keys'):
            return Response.json(copy.deepcopy(record['keys']))
        if template.endswith('/agentKeys'):
            return Response.json({'data': [copy.deepcopy(record['keys'])]})
        return Response.json({'data': []})  # agents: no agent ever reports to the emulator

    def _corp_for(self, name, user):
        corp = self.corps.get(name)
        if corp is None or user['email'] not in corp['users']:
            raise ApiError(403, 'Forbidden')
        return corp

    # -- input helpers -----------------------------------------------------------------
    @staticmethod
    def body(request, allowed, empty_ok=False):
        """The JSON object body; 400 for a non-JSON type, bad JSON, a non-object or an unknown field."""
        if not request.body.strip():
            if empty_ok:
                return {}
            raise ApiError(400, 'Request body is required')
        if 'json' not in request.content_type:
            raise ApiError(400, 'Content-Type must be application/json')
        try:
            body = request.json()
        except ValueError:
            raise ApiError(400, 'Request body is not valid JSON') from None
        if not isinstance(body, dict):
            raise ApiError(400, 'Request body must be a JSON object')
        for field in body:
            if field not in allowed:
                raise ApiError(400, 'Unknown field: %s' % field)
        return body

    @staticmethod
    def _integer(body, field):
        value = body[field]
        if isinstance(value, bool) or not isinstance(value, int):
            raise ApiError(400, '%s must be an integer' % field)
        return value

    @staticmethod
    def _string(body, field):
        value = body[field]
        if not isinstance(value, str):
            raise ApiError(400, '%s must be a string' % field)
        return value

    def site_values(self, body):
        """The validated site fields of a create or update body (null fields left out)."""
        values = {}
        for field in SITE_FIELDS:
            if body.get(field) is None:
                continue  # absent or null: not sent (go-sigsci sends "clientIPRules": null)
            if field in ('name', 'displayName', 'agentLevel', 'agentAnonMode', 'blockRedirectURL'):
                value = self._string(body, field)
            elif field in ('blockHTTPCode', 'blockDurationSeconds'):
                value = self._integer(body, field)
            elif field == 'immediateBlock':
                value = body[field]
                if not isinstance(value, bool):
                    raise ApiError(400, 'immediateBlock must be a boolean')
            elif field == 'attackThresholds':
                value = self._attack_thresholds(body[field])
            else:
                value = self._client_ip_rules(body[field])
            values[field] = value
        if 'name' in values and not SITE_NAME.match(values['name']):
            raise ApiError(400, 'Invalid site name %r: 1-50 characters, lowercase letters, digits, "-", "_" or ".", '
                                'starting with a letter or a digit' % values['name'])
        if 'displayName' in values and not (1 <= len(values['displayName']) <= 100 and values['displayName'].strip()):
            raise ApiError(400, 'displayName must be 1-100 characters')
        if 'agentLevel' in values and values['agentLevel'] not in AGENT_LEVELS:
            raise ApiError(400, 'Invalid agentLevel %r: must be one of %s' % (values['agentLevel'], ', '.join(AGENT_LEVELS)))
        if 'agentAnonMode' in values and values['agentAnonMode'] not in ANON_MODES:
            raise ApiError(400, 'Invalid agentAnonMode %r: must be "" or "EU"' % values['agentAnonMode'])
        code = values.get('blockHTTPCode')
        if code is not None and not (400 <= code <= 599 or code in (301, 302)):
            raise ApiError(400, 'Invalid blockHTTPCode %d: must be 400-599, or 301/302 with blockRedirectURL' % code)
        duration = values.get('blockDurationSeconds')
        if duration is not None and not 1 <= duration <= BLOCK_DURATION_MAX:
            raise ApiError(400, 'Invalid blockDurationSeconds %d: must be 1-%d' % (duration, BLOCK_DURATION_MAX))
        url = values.get('blockRedirectURL')
        if url:
            split = urllib.parse.urlsplit(url)
            if split.scheme not in ('http', 'https') or not split.hostname:
                raise ApiError(400, 'Invalid blockRedirectURL: must be an http or https URL')
        return values

    @staticmethod
    def _client_ip_rules(value):
        if not isinstance(value, list):
            raise ApiError(400, 'clientIPRules must be a list of {"header": "<name>"}')
        rules = []
        for rule in value:
            if not isinstance(rule, dict) or set(rule) != {'header'} or not isinstance(rule['header'], str) \
                    or not re.match(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", rule['header']):
                raise ApiError(400, 'clientIPRules must be a list of {"header": "<name>"}')
            rules.append({'header': rule['header']})
        return rules

    @staticmethod
    def _attack_thresholds(value):
        """``[{"interval": 1|10|60, "threshold": 1-10000}]``, each interval at most once (go-sigsci's AttackThreshold)."""
        form = 'attackThresholds must be a list of {"interval": 1, 10 or 60, "threshold": 1-%d}' % THRESHOLD_MAX
        if not isinstance(value, list):
            raise ApiError(400, form)
        seen = {}
        for item in value:
            if not isinstance(item, dict) or set(item) != {'interval', 'threshold'}:
                raise ApiError(400, form)
            interval, threshold = item['interval'], item['threshold']
            for number in (interval, threshold):
                if isinstance(number, bool) or not isinstance(number, int):
                    raise ApiError(400, form)
            if interval not in ATTACK_THRESHOLDS:
                raise ApiError(400, 'Invalid attackThresholds interval %d: must be 1, 10 or 60' % interval)
            if not 1 <= threshold <= THRESHOLD_MAX:
                raise ApiError(400, 'Invalid attackThresholds threshold %d: must be 1-%d' % (threshold, THRESHOLD_MAX))
            if interval in seen:
                raise ApiError(400, 'attackThresholds names the interval %d twice' % interval)
            seen[interval] = threshold
        return seen

    @staticmethod
    def merge_thresholds(current, sent):
        """The site's thresholds with those ``sent`` (interval -> threshold) replacing theirs; intervals in order."""
        merged = dict((t['interval'], t['threshold']) for t in current)
        merged.update(sent)
        return [{'interval': i, 'threshold': merged[i]} for i in sorted(merged)]

    @staticmethod
    def check_redirect(record):
        if record['blockHTTPCode'] in (301, 302) and not record['blockRedirectURL']:
            raise ApiError(400, 'blockRedirectURL is required when blockHTTPCode is 301 or 302')

    # -- views -------------------------------------------------------------------------
    def corp_view(self, corp):
        return collections.OrderedDict([
            ('name', corp['name']), ('displayName', corp['displayName']), ('smallIconURI', ''),
            ('created', corp['created']), ('siteLimit', self.config['site_limit']),
            ('sites', {'uri': '%s/corps/%s/sites' % (API_PREFIX, corp['name'])}),
            ('authType', 'password'), ('mfaEnforced', False), ('sessionMaxAgeDashboard', 1209600),
        ])

    @staticmethod
    def site_view(record):
        view = collections.OrderedDict([('name', record['name']), ('displayName', record['displayName'])])
        for field in SITE_DEFAULTS:
            view[field] = copy.deepcopy(record[field])
        view['created'] = record['created']
        base = '%s/corps/%s/sites/%s' % (API_PREFIX, record['corp'], record['name'])
        for field, path in SITE_LINKS.items():
            view[field] = {'uri': '%s/%s' % (base, path)}
        return view

    def member_view(self, email, role):
        user = self.users[email]
        return {'user': {'name': user['name'], 'email': email, 'status': user['status']}, 'role': role}

    def member_answer(self, email, role):
        return Response.json({'email': email, 'role': role, 'status': self.users[email]['status']})

    # -- corps and sites ---------------------------------------------------------------
    def list_corps(self, user):
        return Response.json({'data': [self.corp_view(c) for c in self.corps.values() if user['email'] in c['users']]})

    def list_sites(self, corp, user):
        manager = corp['users'][user['email']] in MANAGER_ROLES
        return Response.json({'data': [self.site_view(r) for (c, dummy), r in self.sites.items() if c == corp['name']
                                       and (manager or user['email'] in r['members'])]})

    def create_site(self, request, corp, user):
        if corp['users'][user['email']] not in MANAGER_ROLES:
            raise ApiError(403, 'Forbidden')
        values = self.site_values(self.body(request, SITE_FIELDS))
        for field in ('name', 'displayName'):
            if field not in values:
                raise ApiError(400, '%s is required' % field)
        record = dict(copy.deepcopy(SITE_DEFAULTS), **values)
        record['attackThresholds'] = self.merge_thresholds(SITE_DEFAULTS['attackThresholds'],
                                                           values.get('attackThresholds', {}))
        self.check_redirect(record)
        if (corp['name'], record['name']) in self.sites:
            raise ApiError(409, 'Site with name %s already exists' % record['name'])
        if sum(1 for c, dummy in self.sites if c == corp['name']) >= self.config['site_limit']:
            raise ApiError(400, 'Corp site limit reached (%d sites)' % self.config['site_limit'])
        secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode('ascii').rstrip('=')
        record.update({
            'corp': corp['name'], 'created': rfc3339(), 'traffic': 0,
            'members': collections.OrderedDict([(user['email'], 'owner')]),
            # go-sigsci's own test: "primary key name should be the same as site name"
            'keys': {'name': record['name'], 'accessKey': str(uuid.uuid4()),
                     'secretKey': self.remember_secret(secret)},
        })
        self.sites[(corp['name'], record['name'])] = record
        return Response.json(self.site_view(record), 200)

    def update_site(self, request, record):
        values = self.site_values(self.body(request, SITE_FIELDS, empty_ok=True))
        if 'name' in values and values['name'] != record['name']:
            raise ApiError(400, 'Site name cannot be changed')
        if 'attackThresholds' in values:
            values['attackThresholds'] = self.merge_thresholds(record['attackThresholds'], values['attackThresholds'])
        merged = dict(record, **values)
        self.check_redirect(merged)
        record.update(values)
        return Response.json(self.site_view(record))

    # -- members -----------------------------------------------------------------------
    @staticmethod
    def _role(body):
        role = body.get('role')
        if role is None:
            raise ApiError(400, 'role is required')
        if role not in ROLES:
            raise ApiError(400, 'Invalid role %r: must be one of %s' % (role, ', '.join(ROLES)))
        return role

    def invite_member(self, request, corp, record, email):
        role = self._role(self.body(request, ('role',)))
        if not EMAIL.match(email):
            raise ApiError(400, 'Invalid email address')
        email = email.lower()
        if email in record['members']:
            raise ApiError(409, 'User %s is already a member of this site' % email)
        if email not in self.users:
            self._new_user(email, '', None, status='pending')  # invited: no name, no token until they sign up
        corp['users'].setdefault(email, 'user')
        record['members'][email] = role
        return self.member_answer(email, role)

    def add_members(self, request, corp, record):
        """POST .../members ``{"members": ["<email>", ...]}``: adds existing corp users to the site (go-sigsci
        AddSiteMembers); each gets their corp role. The answer is the site's whole member list."""
        members = self.body(request, ('members',)).get('members')
        if not isinstance(members, list) or not members or not all(isinstance(m, str) for m in members):
            raise ApiError(400, 'members must be a non-empty list of the e-mail addresses of corp users')
        emails = []
        for raw in members:
            if not EMAIL.match(raw):
                raise ApiError(400, 'Invalid email address: %s' % raw)
            email = raw.lower()
            if email not in corp['users']:
                raise ApiError(400, 'User %s is not a member of this corp (invite them instead)' % email)
            if email not in emails:
                emails.append(email)
        for email in emails:
            record['members'].setdefault(email, corp['users'][email])  # a member already keeps their role
        return Response.json({'data': [self.member_view(e, r) for e, r in record['members'].items()]})

    # -- corp users ----------------------------------------------------------------------
    def corp_users(self, template, corp, user, values):
        """GET /corps/{corp}/users, .../users/{email} and .../users/{email}/memberships (any corp member may read)."""
        if template == '/corps/{corp}/users':
            return Response.json({'data': [self.corp_user_view(corp, e) for e in corp['users']]})
        email = values['email'].lower()
        if email not in corp['users']:
            raise ApiError(404, 'User not found')
        if template == '/corps/{corp}/users/{email}':
            return Response.json(self.corp_user_view(corp, email))
        manager = corp['users'][user['email']] in MANAGER_ROLES
        return Response.json({'data': [
            {'site': {'name': r['name'], 'displayName': r['displayName']}, 'role': r['members'][email]}
            for (c, dummy), r in self.sites.items()
            if c == corp['name'] and email in r['members'] and (manager or user['email'] in r['members'])]})

    def corp_user_view(self, corp, email):
        """go-sigsci's CorpUser: name, email, memberships (a link), role (the corp role), status, mfaEnabled,
        authStatus, created."""
        user = self.users[email]
        link = '%s/corps/%s/users/%s/memberships' % (API_PREFIX, corp['name'], urllib.parse.quote(email, safe='@'))
        return collections.OrderedDict([
            ('name', user['name']), ('email', email), ('memberships', {'uri': link}), ('role', corp['users'][email]),
            ('status', user['status']), ('mfaEnabled', False), ('authStatus', 'password'), ('created', user['created']),
        ])
