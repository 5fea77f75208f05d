# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One HTTP transport for every vendor client of domainsec.onboard.

What it does, once for everybody:

* one ``requests.Session`` per module run (keep-alive), TLS verification on by
  default, an optional private CA (``ca_path``), connect and read timeouts;
* retries with exponential backoff and jitter on connection errors, 429, 502,
  503 and 504, honouring ``Retry-After``;
* never re-sends a write blindly: when the outcome of a write is unknown (the
  connection dropped after the request went out, a read timeout, a 5xx or an
  unreadable answer) it raises :class:`WriteOutcomeUnknown`, and
  :meth:`HttpClient.write` asks the caller's ``landed`` callback (which re-reads
  the remote state) before it sends the write again; a write that costs money
  (``prove_within``) is only sent again when the re-read proves it did not
  land, and otherwise fails with :class:`WriteNotProven`;
* typed errors that carry the vendor, its error code and a human sentence;
* redaction of every credential (by parameter name and by value) in every
  message and in the debug trace, which is returned as ``api_trace`` at -vvv;
* credentials as an :class:`Auth` object applied to each request as it goes
  out, after URL and body encoding, so a signature covers exactly what is sent
  and every derived form of a secret (a Basic header, a signature) is
  registered for redaction the moment it is built.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os
import random
import re
import threading
import time
import traceback
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

try:
    import requests
    from requests.auth import AuthBase
    from requests.exceptions import ConnectionError as RequestsConnectionError
    from requests.exceptions import ConnectTimeout, ReadTimeout, SSLError
    from requests.exceptions import RequestException
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by the sanity import test
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    AuthBase = object

from ansible.module_utils.basic import missing_required_lib
from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.domainsec.onboard.plugins.module_utils.names import MASK, mask_url_password

REDACTED = MASK

# Parameter, header and JSON key names whose values are always hidden.
SECRET_NAMES = frozenset([
    'apikey', 'api_key', 'password', 'api_password', 'sessiontoken', 'token',
    'secret', 'authorization', 'x-api-key', 'key', 'tsig_key', 'private_key',
    'x-api-token', 'api_token',
])

RETRY_STATUSES = frozenset([429, 502, 503, 504])
# Statuses that prove the server did not carry out the request: a write that
# got one of these can be sent again without re-reading anything.
REFUSED_STATUSES = frozenset([429])
# Statuses a gateway sends for a backend that did not answer in time or at all: the backend may still be at work.
GATEWAY_STATUSES = frozenset([502, 504])


class DomainsecError(Exception):
    """Base error: ``str()`` is the human sentence, already redacted."""

    def __init__(self, msg, vendor=None, code=None, status=None, details=None):
        super(DomainsecError, self).__init__(msg)
        self.msg = msg
        self.vendor = vendor
        self.code = code
        self.status = status
        self.details = details or {}

    def as_result(self):
        """The fields a module adds to ``fail_json``."""
        result = {'msg': self.msg}
        if self.code is not None:
            result['error_code'] = self.code
        if self.status is not None:
            result['http_status'] = self.status
        return result


class TransportError(DomainsecError):
    """The request could not be completed (network, TLS, timeouts, retries used up)."""


class WriteOutcomeUnknown(TransportError):
    """A write went out but no usable answer came back: it may or may not have landed.

    ``settle`` is how long to wait before re-reading: after a read timeout the
    server may still be working on the request, so the re-read waits as long
    as the client waited for the answer.

    ``answered`` is True when the server that does the work answered (a 500 or
    503 of its own, a 2xx body that is not what was expected): it has finished
    with the request, so a re-read shows whether it landed. It is False when no
    answer came (a read timeout, a dropped connection) or only a gateway's
    (502, 504): the work may still be going on, and a re-read that does not
    find it proves nothing yet.
    """

    def __init__(self, msg, settle=0.0, retry_after=None, answered=False, **kwargs):
        super(WriteOutcomeUnknown, self).__init__(msg, **kwargs)
        self.settle = settle
        self.retry_after = retry_after  # the server's Retry-After in seconds, when it sent one
        self.answered = answered


class WriteNotProven(TransportError):
    """A write that must not be duplicated got no usable answer, and the re-reads within its window did not show it.

    It may still land: it was not sent again. ``sent_at`` is when it went out (``time.time()``).
    """

    def __init__(self, msg, sent_at=None, **kwargs):
        super(WriteNotProven, self).__init__(msg, **kwargs)
        self.sent_at = sent_at


class ApiError(DomainsecError):
    """The vendor answered and refused the request."""


class AlreadyDone(DomainsecError):
    """A write was refused because what it makes is there already (a 409, a vendor's "already exists"), and the
    re-read shows it as the write wanted it: someone else (another run) made it. Not a failure: ``result`` is the
    re-read's value, and ``VendorClient.write`` returns it as the write's answer without counting it as this run's
    change. ``msg`` is the vendor's refusal."""

    def __init__(self, msg, result=None, **kwargs):
        super(AlreadyDone, self).__init__(msg, **kwargs)
        self.result = result


def encoded_forms(value):
    """``value`` and every form it can take on the wire or in JSON, each of which must be masked as the value is.

    A secret travels URL-encoded in a query string or a form body (``quote`` with or without ``/`` kept,
    ``quote_plus``), and a server that echoes the request may show it so, with upper- or lower-case escapes; in
    JSON it is escaped (``\\u`` escapes, and ``\\/`` as PHP's ``json_encode`` writes a slash); HTTP Basic and some
    vendors carry it base64-encoded. A value without such characters has only its raw form (and base64).
    """
    forms = set([value])
    for encoded in (quote(value, safe=''), quote(value), quote_plus(value), quote_plus(value, safe='/')):
        forms.add(encoded)
        forms.add(_PERCENT_ESCAPE.sub(lambda match: match.group(0).lower(), encoded))
    for ascii_only in (True, False):
        escaped = json.dumps(value, ensure_ascii=ascii_only)[1:-1]
        forms.add(escaped)
        forms.add(escaped.replace('/', '\\/'))
    raw = value.encode('utf-8')
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        text = encoded.decode('ascii')
        forms.add(text)
        forms.add(text.rstrip('='))
    return forms


_PERCENT_ESCAPE = re.compile(r'%[0-9A-F]{2}')


class Redactor(object):
    """Hides credential values (in every encoded form, :func:`encoded_forms`) in any text, and secret-named fields
    in mappings."""

    def __init__(self, secrets=None):
        self._secrets = set()
        for value in secrets or ():
            self.add(value)

    def add(self, value):
        if value is None:
            return
        value = str(value)
        if len(value) >= 4:
            self._secrets.update(form for form in encoded_forms(value) if len(form) >= 4)

    def text(self, value):
        """``value`` with every registered secret and every password inside a URL masked."""
        if value is None:
            return value
        value = mask_url_password(str(value))
        # Longest first, so a secret that contains another is hidden whole.
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in value:
                value = value.replace(secret, REDACTED)
        return value

    def values(self, data, secret_names=False):
        """``data`` (JSON-like) with :meth:`text` applied to every string in it, keys kept: for vendor data shown
        as is (inventory variables), where a field's name says nothing but a hostile server may echo a secret. With
        ``secret_names`` (:meth:`mapping`) the value of a key named like a secret is hidden whole as well."""
        if isinstance(data, dict):
            return dict((k, REDACTED if secret_names and str(k).lower() in SECRET_NAMES and v not in (None, '')
                         else self.values(v, secret_names)) for k, v in data.items())
        if isinstance(data, (list, tuple)):
            return [self.values(v, secret_names) for v in data]
        if isinstance(data, str):
            return self.text(data)
        return data

    def mapping(self, data):
        """:meth:`values` with every value of a secret-named key (SECRET_NAMES) hidden: request and answer bodies in
        the trace."""
        return self.values(data, secret_names=True)


class Response(object):
    """What a vendor client needs of an HTTP answer."""

    def __init__(self, status, headers, body, url):
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url

    @property
    def content_type(self):
        return (self.headers.get('Content-Type') or '').split(';')[0].strip().lower()

    def json(self):
        """Decode the body as JSON; raise ValueError when it is not JSON."""
        if not self.body:
            return None
        return json.loads(self.body.decode('utf-8'))


# -- credentials -----------------------------------------------------------------
class Auth(object):
    """Credentials of a vendor, applied to each request as it goes out.

    :meth:`apply` receives the prepared request (URL and body already
    encoded: ``prepared.path_url`` is exactly the path and query that will be
    sent) and a callable that registers a value for redaction; a subclass adds
    headers, cookies, fields or a signature there, and registers every form of
    a secret it derives before it places it on the request.
    """

    def apply(self, prepared, add_secret):
        """Add the credentials to ``prepared`` (a ``requests.PreparedRequest``)."""


class BasicAuth(Auth):
    """HTTP Basic: the header value (base64 of user:password) is a secret of its own."""

    def __init__(self, user, password):
        token = base64.b64encode(('%s:%s' % (user, password)).encode('utf-8')).decode('ascii')
        self.header = 'Basic ' + token
        self.derived = (token, self.header)

    def apply(self, prepared, add_secret):
        for value in self.derived:
            add_secret(value)
        prepared.headers['Authorization'] = self.header


class HeaderAuth(Auth):
    """Static credential headers (``x-api-user``/``x-api-token``); every value is a secret unless listed in ``public``."""

    def __init__(self, headers, public=()):
        self.headers = dict(headers)
        self.public = set(h.lower() for h in public)

    def apply(self, prepared, add_secret):
        for name, value in self.headers.items():
            if name.lower() not in self.public:
                add_secret(value)
            prepared.headers[name] = value


class FieldAuth(Auth):
    """Credential fields added to the query string (GET/DELETE) or to the form body (POST/PUT/PATCH).

    ``fields`` is a dict or a callable returning one (a session token fetched
    later). The fields never pass through the request trace, which is built
    from the caller's own parameters.
    """

    def __init__(self, fields):
        self.fields = fields

    def apply(self, prepared, add_secret):
        fields = self.fields() if callable(self.fields) else self.fields
        fields = [(k, v) for k, v in fields.items() if v is not None]
        for dummy, value in fields:
            add_secret(value)
        body = prepared.body
        if prepared.method in ('GET', 'HEAD', 'DELETE', 'OPTIONS') and not body:
            parts = urlsplit(prepared.url)
            query = parse_qsl(parts.query, keep_blank_values=True) + fields
            prepared.url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))
            return
        encoded = urlencode(fields)
        if isinstance(body, bytes):
            encoded = encoded.encode('ascii')
        prepared.body = (body + (b'&' if isinstance(body, bytes) else '&') + encoded) if body else encoded
        if 'Content-Type' not in prepared.headers:
            prepared.headers['Content-Type'] = 'application/x-www-form-urlencoded'


class _Applied(AuthBase):
    """Lets requests call an :class:`Auth` at the end of request preparation (after URL and body encoding)."""

    def __init__(self, auth, add_secret):
        self.auth = auth
        self.add_secret = add_secret

    def __call__(self, prepared):
        self.auth.apply(prepared, self.add_secret)
        return prepared


def _retry_after_seconds(value, cap):
    if not value:
        return None
    try:
        return max(0.0, min(float(value), cap))
    except ValueError:
        return None


class HttpClient(object):
    """Transport shared by all vendor clients.

    ``auth`` (an :class:`Auth`) is applied to every request unless the request
    names its own; ``headers`` are set on the session once. ``trace`` collects
    one redacted line per attempt; modules return it as ``api_trace`` when run
    with -vvv. ``warnings`` collects what the user must be told once per task.
    """

    def __init__(self, vendor, timeout=30, connect_timeout=10, validate_certs=True, ca_path=None,
                 retries=3, backoff=0.5, max_backoff=30.0, secrets=None, user_agent=None, rate_limit_wait=120,
                 pacer=None, refused_statuses=REFUSED_STATUSES, sleep=time.sleep,
                 auth=None, headers=None, parallel_writes=1):
        if not HAS_REQUESTS:
            raise TransportError(missing_required_lib('requests'), vendor=vendor)
        self.vendor = vendor
        self.timeout = (connect_timeout, timeout)
        self.retries = retries
        self.rate_limit_wait = rate_limit_wait
        self.rate_limit_waited = 0.0
        self.parallel_writes = max(1, int(parallel_writes or 1))
        self._budget_lock = threading.Lock()
        self._local = threading.local()  # a parallel task's own trace, merged in plan order (see run_parallel)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.redactor = Redactor(secrets)
        self.pacer = pacer  # pacing.Pacer: every attempt takes its turn, shared with the other runs of the account
        self.refused_statuses = frozenset(refused_statuses)
        self.sleep = sleep
        self.clock = time.time  # what the write guard's windows are measured with (tests pair it with sleep)
        self.auth = auth
        self.trace = []
        self.warnings = []
        self.calls = 0
        self.session = requests.Session()
        # verify is passed with every request: a session-level value loses
        # against REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE in the environment.
        if not validate_certs:
            self.verify = False
            self.warnings.append(
                'validate_certs=false: the certificate of the %s server is not checked, so anybody on the network path '
                'can read and change what this task sends, credentials included%s.' % (
                    vendor, ' (ca_path=%s is ignored)' % ca_path if ca_path else ''))
        elif ca_path:
            if not os.path.isfile(ca_path):
                raise TransportError('ca_path (or DOMAINSEC_CA_PATH): the CA file %s does not exist or is not a file'
                                     % ca_path, vendor=vendor)
            self.verify = ca_path
        else:
            self.verify = True
        self.session.headers['User-Agent'] = user_agent or 'domainsec.onboard (Ansible collection)'
        self.session.headers.update(headers or {})

    # -- helpers -----------------------------------------------------------
    def add_secret(self, value):
        self.redactor.add(value)

    def _describe(self, method, url, params=None, data=None, json_body=None, trace_body=True):
        parts = ['%s %s' % (method, self.redactor.text(url))]
        if params:
            parts.append('params=%s' % json.dumps(self.redactor.mapping(params), sort_keys=True))
        if data and trace_body:
            parts.append('form=%s' % json.dumps(self.redactor.mapping(data), sort_keys=True))
        if json_body is not None and trace_body:
            parts.append('json=%s' % json.dumps(self.redactor.mapping(json_body), sort_keys=True))
        if (data or json_body is not None) and not trace_body:
            parts.append('body=(not traced)')
        return ' '.join(parts)

    def _log(self, line):
        buffer = getattr(self._local, 'trace', None)
        (buffer if buffer is not None else self.trace).append(self.redactor.text(line))

    def _delay(self, attempt, retry_after=None):
        if retry_after is not None:
            # At least what the server asked for, plus jitter: clients refused together must not
            # all come back at the same instant and be refused together again.
            return retry_after + random.uniform(0, max(0.25, retry_after / 4.0))
        base = min(self.max_backoff, self.backoff * (2 ** attempt))
        return base / 2.0 + random.uniform(0, base / 2.0)

    def rate_limit_pause(self, limited, retry_after=None):
        """Wait out a 429 from the run's ``rate_limit_wait`` budget; False when the budget is spent.

        ``limited`` counts the 429s of this request so far: without a
        Retry-After the wait doubles each time (capped at ``max_backoff``),
        so a server that keeps refusing is not hammered. The ``pacer`` is
        told, so the other runs of the account wait as long and slow down.
        """
        wait = self._delay(limited, retry_after)
        if self.pacer is not None:
            self.pacer.refused(wait)
        with self._budget_lock:  # parallel writes draw on one budget
            if self.rate_limit_waited + wait > self.rate_limit_wait:
                return False
            self.rate_limit_waited += wait
        self._log('rate limited: waiting %.1f s (%.0f of %d s of this run\'s rate_limit_wait used)'
                  % (wait, self.rate_limit_waited, self.rate_limit_wait))
        self.sleep(wait)
        return True

    def _body_excerpt(self, body, trace_body=True):
        if not trace_body:
            return '(%d bytes, not traced)' % len(body or b'')
        text = body.decode('utf-8', 'replace') if body else ''
        try:
            text = json.dumps(self.redactor.mapping(json.loads(text)), sort_keys=True)
        except ValueError:
            pass
        text = re.sub(r'\s+', ' ', text)[:300]
        return self.redactor.text(text)

    # -- the request loop --------------------------------------------------
    def request(self, method, url, params=None, data=None, json_body=None, headers=None, auth=None,
                idempotent=None, expect_json=False, trace_body=True, refused_statuses=None):
        """Send one request, retrying what is safe to retry.

        ``idempotent`` defaults to True for GET/HEAD/OPTIONS. A non-idempotent
        request is only re-sent when the server provably did not process it
        (connection refused, connect timeout, or a status in
        ``refused_statuses``, by default the client's); otherwise
        :class:`WriteOutcomeUnknown` is raised for the caller to check.
        ``expect_json``: an answer that is not JSON counts as a failed attempt.
        ``auth``: an :class:`Auth` for this request instead of the client's
        (``False``: none). ``trace_body=False`` keeps the request and answer
        bodies out of the trace and of error messages (a raw download that
        carries keys).
        """
        if idempotent is None:
            idempotent = method.upper() in ('GET', 'HEAD', 'OPTIONS')
        refused = self.refused_statuses if refused_statuses is None else frozenset(refused_statuses)
        auth = self.auth if auth is None else (auth or None)
        description = self._describe(method, url, params, data, json_body, trace_body)
        what = '%s %s' % (method.upper(), self.redactor.text(urlsplit(url).path or '/'))  # names the request in errors
        fields = dict(params=params, data=data, json=json_body, headers=headers)
        attempt = 0
        limited = 0  # 429s of this request
        while True:
            ticket = self.pacer.before_request() if self.pacer is not None else None
            if ticket is not None and ticket.waited > 0:
                self._log('paced: waited %.2f s for this account\'s turn (shared with the other runs)' % ticket.waited)
            self.calls += 1
            try:
                response = self._attempt(method, url, fields, auth, description, what, idempotent, attempt, trace_body)
            finally:
                if ticket is not None:
                    ticket.release()
            if response is None:
                attempt += 1
                continue
            again = self._again(response, what, idempotent, refused, expect_json, attempt, limited, trace_body)
            if again is None:
                return response
            attempt, limited = again

    def _attempt(self, method, url, fields, auth, description, what, idempotent, attempt, trace_body):
        """Send the request once: its Response (traced, shown to ``response_hook``), or None when nothing came back
        and it may be sent again (after the pause taken here). Raises what ends the request: a TLS failure, a
        request that cannot be prepared, retries used up, or no answer to a write (:class:`WriteOutcomeUnknown`)."""
        started = time.time()
        try:
            raw = self.session.request(method, url, auth=_Applied(auth, self.add_secret) if auth is not None else None,
                                       timeout=self.timeout, verify=self.verify, allow_redirects=False, **fields)
        except SSLError as exc:
            self._log('%s -> TLS error' % description)
            raise TransportError(
                'TLS verification of %s failed: %s. Set ca_path to the CA that signed the server certificate '
                '(validate_certs=false is possible but unsafe).' % (self.vendor, self.redactor.text(exc)),
                vendor=self.vendor)
        except (ConnectTimeout, RequestsConnectionError, ReadTimeout) as exc:
            not_sent = _request_not_sent(exc)
            self._log('%s -> %s (%s)' % (description, type(exc).__name__, 'not sent' if not_sent else 'outcome unknown'))
            if idempotent or not_sent:
                if attempt < self.retries:
                    self.sleep(self._delay(attempt))
                    return None
                raise TransportError('%s could not be reached after %d attempts: %s' % (
                    self.vendor, attempt + 1, self.redactor.text(_short_error(exc))), vendor=self.vendor)
            raise WriteOutcomeUnknown('%s: no answer to the write %s (%s)' % (
                self.vendor, what, self.redactor.text(_short_error(exc))), vendor=self.vendor,
                settle=self.timeout[1] if isinstance(exc, ReadTimeout) else self._delay(0))
        except RequestException as exc:
            self._log('%s -> %s' % (description, type(exc).__name__))
            raise TransportError('%s request failed: %s' % (self.vendor, self.redactor.text(exc)), vendor=self.vendor)
        except (IOError, OSError) as exc:  # requests reports an unreadable CA bundle this way
            self._log('%s -> %s' % (description, type(exc).__name__))
            raise TransportError('%s request could not be prepared: %s (check ca_path / DOMAINSEC_CA_PATH)'
                                 % (self.vendor, self.redactor.text(exc)), vendor=self.vendor)
        response = Response(raw.status_code, raw.headers, raw.content, url)
        elapsed = int((time.time() - started) * 1000)
        self._log('%s -> %d %s (%d ms) %s' % (description, raw.status_code, response.content_type, elapsed,
                                              self._body_excerpt(raw.content, trace_body)))
        if self.pacer is not None:
            self.pacer.after_response(response)
        return response

    def _again(self, response, what, idempotent, refused, expect_json, attempt, limited, trace_body):
        """What an answer means: None when it is the request's answer; the new ``(attempt, limited)`` counts when the
        request is sent again (after the pause taken here); raises when it ends the request."""
        status = response.status
        if status in RETRY_STATUSES:
            retry_after = _retry_after_seconds(response.headers.get('Retry-After'), self.max_backoff)
            if idempotent or status in refused:
                if status == 429:
                    # Rate limited: wait it out within the run's budget without using up a retry.
                    if self.rate_limit_pause(limited, retry_after):
                        return attempt, limited + 1
                    limited += 1
                if attempt < self.retries:
                    self.sleep(self._delay(attempt, retry_after))
                    return attempt + 1, limited
                raise TransportError('%s answered HTTP %d after %d attempts (%s)' % (
                    self.vendor, status, attempt + 1, what), vendor=self.vendor, status=status)
            raise WriteOutcomeUnknown('%s answered HTTP %d to the write %s' % (self.vendor, status, what),
                                      vendor=self.vendor, status=status, retry_after=retry_after,
                                      settle=self._delay(attempt, retry_after),
                                      answered=status not in GATEWAY_STATUSES)
        if not idempotent and status >= 500 and status not in refused:
            # A server error to a write says nothing about whether it was carried out (a gateway that gave up
            # after the backend wrote): unknown, to be re-read before anything is sent again.
            raise WriteOutcomeUnknown('%s answered HTTP %d to the write %s' % (self.vendor, status, what),
                                      vendor=self.vendor, status=status, settle=self._delay(attempt),
                                      answered=status not in GATEWAY_STATUSES)
        if expect_json and 200 <= status < 300:
            try:
                response.json()
            except ValueError:
                if idempotent and attempt < self.retries:
                    self.sleep(self._delay(attempt))
                    return attempt + 1, limited
                message = '%s answered %s with a body that is not JSON: %s' % (
                    self.vendor, what, self._body_excerpt(response.body, trace_body)[:100])
                if idempotent:
                    raise TransportError(message, vendor=self.vendor, status=status)
                raise WriteOutcomeUnknown(message, vendor=self.vendor, status=status, answered=True)
        return None

    def write(self, send, landed=None, attempts=None, prove_within=None, conflict=None):
        """Carry out a write that must not be duplicated.

        ``send()`` performs the request (through :meth:`request` with
        ``idempotent=False``) and returns its result. When its outcome is
        unknown, ``landed()`` re-reads the remote state: a true value is taken
        as the write's result and nothing is sent again; a false one means it
        did not land and it is sent again. Without ``landed`` the error is
        raised as it is. A re-read that fails is never taken as "not landed":
        the write is not sent again and the failure says so.

        ``conflict(error)`` tells a refusal that says the write's object is
        there already (a 409, a vendor's "already exists"). Such a refusal is
        re-read with the same ``landed()``: when it shows the state the write
        wanted, the write is done - by this write's own earlier send when it
        had been sent before with an unknown outcome (its result is returned),
        else by someone else (:class:`AlreadyDone` carries the result); when
        it does not, the refusal is raised, saying that the re-read did not
        show the wanted state.

        ``prove_within`` (seconds) is for writes that cost money: they are sent
        again only when a re-read proves they did not land. After an answer of
        the server that does the work (see ``WriteOutcomeUnknown.answered``) one
        re-read is that proof; after no answer, or a gateway's, the work may
        still be going on, so ``landed()`` is asked again every few seconds
        until ``prove_within`` seconds after the write went out, and when it has
        still not shown, :class:`WriteNotProven` is raised and nothing is sent
        again.
        """
        attempts = self.retries + 1 if attempts is None else attempts
        attempt = limited = 0
        resent = False  # sent before with an unknown outcome: a conflict answer may be this write's own earlier send
        while True:
            sent_at = self.clock()
            try:
                return send()
            except ApiError as exc:
                if landed is None or conflict is None or not conflict(exc):
                    raise
                return self._settle_conflict(landed, exc, resent)
            except WriteOutcomeUnknown as exc:
                if landed is None:
                    raise
                # A 429 (when this client does not re-send those directly) is waited out from the run's
                # rate_limit_wait budget and does not use up an attempt; anything else waits exc.settle.
                rate_limited = exc.status == 429 and self.rate_limit_pause(limited, exc.retry_after)
                if rate_limited:
                    limited += 1
                else:
                    self._log('write outcome unknown (%s); re-reading the remote state in %.1f s' % (exc, exc.settle))
                    self.sleep(exc.settle)
                result = self._reread(landed, exc, prove_within is not None)
                if not result and prove_within is not None and not exc.answered and not rate_limited:
                    result = self._look_for(landed, exc, sent_at, prove_within)
                if result:
                    self._log('the write had landed; not sending it again')
                    return result
                if not rate_limited:
                    attempt += 1
                    if attempt >= attempts:
                        raise TransportError('%s: a write did not land after %d attempts (%s)' % (
                            self.vendor, attempts, exc), vendor=self.vendor, status=exc.status)
                self._log('the write had not landed; sending it again')
                resent = True

    def _settle_conflict(self, landed, exc, resent):
        """A refusal that says the write's object is there already, decided by ``landed()`` (see :meth:`write`)."""
        self._log('the write was refused as already done (%s); re-reading the remote state' % exc)
        result = self._reread(landed, exc, False)
        if not result:
            raise ApiError('%s. A re-read does not show it as this task wants it (another run or someone else may have '
                           'made or changed it at the same time): look at it, then run the task again'
                           % str(exc).rstrip('. '), vendor=exc.vendor, code=exc.code, status=exc.status,
                           details=exc.details)
        if resent:
            self._log('the earlier send of this write had landed after all; not sending it again')
            return result
        self._log('it is there as wanted, made by someone else; not counted as this run\'s change')
        raise AlreadyDone(str(exc), result=result, vendor=exc.vendor, code=exc.code, status=exc.status)

    def _reread(self, landed, exc, costly):
        """``landed()``; a failure of the re-read names the write (it may have landed) and stops the write."""
        try:
            return landed()
        except DomainsecError as read_error:
            raise TransportError('%s; the re-read that would tell whether it landed failed too: %s; it was not sent '
                                 'again%s' % (exc, read_error, ' (it may have landed: look before you run again)'
                                              if costly else ''), vendor=self.vendor, status=exc.status)

    def _look_for(self, landed, exc, sent_at, window):
        """Re-read until ``window`` seconds after ``sent_at``; the write's result, or WriteNotProven."""
        deadline = sent_at + window
        interval = max(1.0, min(10.0, window / 6.0))
        while True:
            remaining = deadline - self.clock()
            if remaining <= 0:
                raise WriteNotProven('%s; the re-reads did not show it within %d s of sending it, and it may still land: '
                                     'it was not sent again' % (exc, window), vendor=self.vendor, status=exc.status,
                                     sent_at=sent_at)
            self._log('the write has not shown yet; looking again in %.1f s (until %d s after it was sent)'
                      % (min(interval, remaining), window))
            self.sleep(min(interval, remaining))
            result = self._reread(landed, exc, True)
            if result:
                return result

    def run_parallel(self, tasks, on_done=None):
        """Run independent ``tasks`` (callables, each one guarded write) on at most ``parallel_writes`` threads.

        Tasks start in plan order; the first failure stops new tasks from
        starting, lets those in flight finish, and is raised once they have.
        Each task's trace lines are kept apart and added to the trace in plan
        order, so the trace reads as if the writes had gone one after another.
        ``on_done(index, result)`` is called in plan order for every task that
        succeeded (also when another one failed). Returns the results in plan
        order. With ``parallel_writes`` 1 (or one task) the tasks run in turn
        on the calling thread.
        """
        tasks = list(tasks)
        if self.parallel_writes <= 1 or len(tasks) <= 1:
            results = []
            for index, task in enumerate(tasks):
                results.append(task())
                if on_done is not None:
                    on_done(index, results[-1])
            return results
        outcomes = [None] * len(tasks)  # (ok, value, trace) per task that ran
        lock = threading.Lock()
        state = dict(next=0, failed=False)

        def worker():
            while True:
                with lock:
                    if state['failed'] or state['next'] >= len(tasks):
                        return
                    index = state['next']
                    state['next'] += 1
                self._local.trace = []
                try:
                    outcomes[index] = (True, tasks[index](), self._local.trace)
                except BaseException as exc:  # pylint: disable=broad-exception-caught
                    outcomes[index] = (False, exc, self._local.trace)
                    with lock:
                        state['failed'] = True
                finally:
                    self._local.trace = None
        threads = [threading.Thread(target=worker) for dummy in range(min(self.parallel_writes, len(tasks)))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        error = None
        results = []
        for index, outcome in enumerate(outcomes):
            if outcome is None:
                continue
            ok, value, trace = outcome
            self.trace.extend(trace)
            if ok:
                results.append(value)
                if on_done is not None:
                    on_done(index, value)
            elif error is None:
                error = value
        if error is not None:
            raise error
        return results

    def close(self):
        self.session.close()
        if self.pacer is not None:
            self.pacer.close()


def _short_error(exc):
    text = str(exc)
    match = re.search(r"\(Caused by (.*)\)\)?$", text)
    return match.group(1) if match else text[:300]


def _request_not_sent(exc):
    """True when the request provably never reached the server."""
    if isinstance(exc, ConnectTimeout):
        return True
    text = repr(exc)
    return any(marker in text for marker in (
        'NewConnectionError', 'Connection refused', 'Name or service not known',
        'nodename nor servname', 'Failed to resolve', 'No route to host'))


def env_fallback_set(*names):
    """Ansible's ``env_fallback``, except that a variable set to the empty string counts as unset: a CI job or an AWX
    credential that exports an optional variable empty gives the option its default (or, for a required option, the
    usual "missing required arguments") instead of an empty value. Used by every option read from the environment."""
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    raise AnsibleFallbackNotFound


def transport_argument_spec():
    """The connection options every vendor doc fragment shares (see doc_fragments)."""
    return dict(
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path', fallback=(env_fallback_set, ['DOMAINSEC_CA_PATH'])),
        timeout=dict(type='int', default=30),
        retries=dict(type='int', default=3),
        rate_limit_wait=dict(type='int', default=120),
        parallel_writes=dict(type='int', default=4),
    )


def validate_transport_params(params):
    """Return an error message for bad transport options, or None."""
    if params.get('timeout') is not None and not 1 <= params['timeout'] <= 3600:
        return 'timeout must be between 1 and 3600 seconds, got %s' % params['timeout']
    if params.get('retries') is not None and not 0 <= params['retries'] <= 10:
        return 'retries must be between 0 and 10, got %s' % params['retries']
    if params.get('rate_limit_wait') is not None and not 0 <= params['rate_limit_wait'] <= 3600:
        return 'rate_limit_wait must be between 0 and 3600 seconds, got %s' % params['rate_limit_wait']
    if params.get('parallel_writes') is not None and not 1 <= params['parallel_writes'] <= 16:
        return 'parallel_writes must be between 1 and 16, got %s' % params['parallel_writes']
    return None
