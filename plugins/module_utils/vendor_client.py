# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every vendor client shares: the base class a vendor plugs into.

A vendor client (``securityspace.py``, ``hardenize.py``, ...) derives from
:class:`VendorClient` and declares:

``VENDOR``          the vendor's name in messages;
``DOC_FRAGMENT``    the doc fragment that documents its connection options;
``OPTIONS``         the argument spec of those options (``no_log`` marks the
                    secrets, which are registered for redaction at once);
``API_URL_OPTION``  the option holding the base URL (must be https://);
``make_auth()``     the :class:`~http_transport.Auth` applied to every request;
``fetch_token()``   only for vendors with a session token: fetched lazily, on
                    first use of :attr:`token`, and registered as a secret the
                    moment it arrives;
named operations    one method per endpoint (``add_record``, ``create_hosts``);
                    modules call these and never a path.

A client derives from one of the two kinds of API the vendors have, which
own the request code (nothing of it is written in a vendor's file twice):

:class:`RpcClient`  every answer is a JSON envelope that says whether the
                    call succeeded (SecuritySpace, CyberSSL, Virusdie): the
                    vendor says how a call is sent (:meth:`RpcClient.send_call`)
                    and how its envelope reads; the base decodes it, fetches a
                    refused session token again once, waits out an envelope
                    that asks to wait, and raises the vendor's error;
:class:`RestClient` resources under a base path, JSON bodies, HTTP statuses
                    (Hardenize, Signal Sciences): the base checks the expected
                    statuses and decodes the error body; the vendor turns it
                    into its error (:meth:`RestClient.api_error`).

Both give a client the same vocabulary: :meth:`read` (one request that
changes nothing, retried by the transport) and :meth:`write` (one write that
must not be duplicated: re-read with ``landed`` before anything is sent
again, noted in ``done`` under the operation's name; a refusal that says it
is there already - a 409, an "already exists" code - is re-read with the same
``landed`` and, when the state is as wanted, noted in ``found`` instead of
failing). The base also gives
every client the same :meth:`from_params` (validation of the transport
options, the HTTP transport with the client's auth, headers, hooks and refused
statuses), :attr:`base` (the API base URL without a trailing slash),
:meth:`wait_until` for every poll, and :meth:`close`. See docs/architecture.md.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import threading
import time

from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import (
    REFUSED_STATUSES,
    AlreadyDone,
    ApiError,
    DomainsecError,
    HttpClient,
    TransportError,
    WriteOutcomeUnknown,
    transport_argument_spec,
    validate_transport_params,
)
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_url


class WaitTimeout(DomainsecError):
    """A poll did not see what it waited for before its deadline; ``last`` is the last value seen."""

    def __init__(self, msg, last=None, **kwargs):
        super(WaitTimeout, self).__init__(msg, **kwargs)
        self.last = last


class VendorClient(object):
    """Base of every vendor client (see the module docstring)."""

    VENDOR = None
    DOC_FRAGMENT = None
    OPTIONS = {}
    API_URL_OPTION = 'api_url'
    REFUSED_STATUSES = REFUSED_STATUSES  # statuses that prove a write was not processed (it may be re-sent as is)

    def __init__(self, http, params):
        self.http = http
        self.params = params
        self._token = None
        self.token_count = 0  # how often a token was fetched in this run
        self.clock = time.time
        self.done = []  # what the run's writes changed, in order: {'operation': ..., 'what': ...}
        self.found = []  # writes refused as already done that a re-read found as wanted: {'operation', 'what', 'answer'}
        self._token_lock = threading.RLock()  # parallel writes share one token
        self._local = threading.local()  # a parallel task's own ``done`` entries, merged in plan order
        self.base = (self.base_url(params) or '').rstrip('/') + self.base_path(params)  # no trailing slash

    # -- construction --------------------------------------------------------
    @classmethod
    def argument_spec(cls):
        """The vendor's connection options plus the shared transport options."""
        spec = copy.deepcopy(cls.OPTIONS)
        spec.update(transport_argument_spec())
        return spec

    @classmethod
    def secret_options(cls):
        return sorted(name for name, option in cls.OPTIONS.items() if option.get('no_log'))

    @classmethod
    def check_params(cls, params):
        """Vendor-specific checks of the connection options; return a message or None."""
        return None

    @classmethod
    def base_url(cls, params):
        """The API base URL for these options (``API_URL_OPTION``'s value unless the vendor derives it)."""
        return params.get(cls.API_URL_OPTION)

    @classmethod
    def base_path(cls, params):
        """The path every request of the client starts with, after the base URL (e.g. the organization's)."""
        return ''

    @classmethod
    def transport_kwargs(cls, params):
        """Extra HttpClient arguments (hooks, static headers) for this vendor."""
        return {}

    @classmethod
    def from_params(cls, params):
        """Build the client from option values (a module's ``params`` or a plugin's options)."""
        problem = validate_transport_params(params)
        if problem is None:
            try:  # https://, a host name or IP address, no credentials in it (they have their own options)
                check_url(cls.base_url(params) or '', cls.API_URL_OPTION)
            except ValueError as exc:
                problem = str(exc)
        if problem is None:
            problem = cls.check_params(params)
        if problem:
            raise DomainsecError(problem, vendor=cls.VENDOR)
        kwargs = dict(refused_statuses=cls.REFUSED_STATUSES)
        kwargs.update(cls.transport_kwargs(params))
        http = HttpClient(cls.VENDOR, timeout=params.get('timeout') or 30,
                          validate_certs=params.get('validate_certs', True), ca_path=params.get('ca_path'),
                          retries=params.get('retries', 3), rate_limit_wait=params.get('rate_limit_wait', 120),
                          parallel_writes=params.get('parallel_writes') or 1,
                          secrets=[params.get(name) for name in cls.secret_options()], **kwargs)
        client = cls(http, params)
        http.auth = client.make_auth()
        return client

    def make_auth(self):
        """The Auth applied to every request (None: the vendor has no per-request credentials)."""
        return None

    # -- session token -------------------------------------------------------
    @property
    def token(self):
        """The session token, fetched on first use and registered as a secret at once."""
        with self._token_lock:
            if self._token is None:
                token = self.fetch_token()
                self.http.add_secret(token)
                self.token_count += 1
                self._token = token
            return self._token

    def ensure_token(self):
        """Fetch the token now unless the run has one (before a request that carries it)."""
        return self.token

    @classmethod
    def has_token(cls):
        """Whether the vendor works with a session token (the client defines :meth:`fetch_token`)."""
        return cls.fetch_token is not VendorClient.fetch_token

    def fetch_token(self):
        raise NotImplementedError('%s has no session token' % self.VENDOR)

    def forget_token(self, token=None):
        """Drop the token (expired or refused): the next use fetches a new one. With ``token``, only when it is
        still the current one (a parallel write may have fetched a new one already)."""
        with self._token_lock:
            if token is None or token == self._token:
                self._token = None

    # -- requests: the one read path and the one write ------------------------
    def exchange(self, *request, **options):
        """Send one request of the client's kind and return its decoded answer (see RpcClient, RestClient)."""
        raise NotImplementedError('%s: a client derives from RpcClient or RestClient' % self.VENDOR)

    def read(self, *request, **options):
        """One request that changes nothing (the transport retries it as it sees fit); its decoded answer."""
        return self.exchange(*request, write=False, **options)

    def write(self, operation, *request, **options):
        """Carry out one write that must not be duplicated; its decoded answer.

        ``request`` and the other keyword arguments are those of :meth:`read`.
        ``landed`` (a callable): when the write's outcome is unknown, it re-reads the vendor's state before
        anything is sent again; a true value is taken as the write's answer (see ``HttpClient.write``).
        Without it, an unknown outcome is raised as it is (a write that must never be sent twice, like a hook test).
        ``prove_within`` (seconds): a write that costs money is sent again only when a re-read proves it did not
        land. The write is noted in ``done`` as ``operation`` (``what`` describes it in the report of a run that
        fails later); ``operation=None`` leaves that to the caller, whose noting depends on the answer.

        A refusal that says the write's object is there already (:meth:`is_conflict`, or the ``conflict`` given:
        a 409, an "already exists" code) is re-read with the same ``landed``: when it shows the wanted state, the
        write is done by someone else (another run at the same time). Its re-read is returned as the answer, and it is
        noted in ``found``, not in ``done``: run_module warns about it, and a run that found writes so and did
        nothing else (``done`` empty) reports ``changed: false``. When the re-read does not show the wanted state,
        the refusal fails the task.
        """
        landed = options.pop('landed', None)
        what = options.pop('what', None)
        prove_within = options.pop('prove_within', None)
        conflict = options.pop('conflict', self.is_conflict)
        try:
            answer = self.http.write(lambda: self.exchange(*request, write=True, **options), landed=landed,
                                     prove_within=prove_within, conflict=conflict)
        except AlreadyDone as found:
            self.record_found(operation, what or operation, found.msg)
            return found.result
        if operation is not None:
            self.record_done(operation, what or operation)
        return answer

    def is_conflict(self, error):
        """Whether ``error`` (an ApiError of a write) says that what the write makes is there already (see the
        protocol bases)."""
        return False

    # -- what the run changed -------------------------------------------------
    def record_done(self, operation, what):
        """Note a write that was carried out (or found to have landed): a failure later in the run reports it."""
        buffer = getattr(self._local, 'done', None)
        (buffer if buffer is not None else self.done).append(dict(operation=operation, what=what))

    def record_found(self, operation, what, answer):
        """Note a write that the vendor refused as done already and that a re-read found as wanted (not this run's
        change; see :meth:`write`)."""
        self.found.append(dict(operation=operation, what=what, answer=answer))

    def found_only(self):
        """Whether the run's writes were found done by someone else and none changed anything itself (nothing in
        ``done``, which notes every write that changed something)."""
        return bool(self.found) and not self.done

    def parallel(self, calls):
        """Run independent writes (callables) over the transport's bounded pool (``parallel_writes``).

        Results come back in plan order and ``done`` lists the writes in plan
        order too (also those carried out before a failure stopped the others);
        see ``HttpClient.run_parallel``. The token is fetched before the pool
        starts, so the writes share it.
        """
        calls = list(calls)
        if self.http.parallel_writes > 1 and len(calls) > 1 and self.has_token():
            self.ensure_token()
        entries = [None] * len(calls)

        def wrap(index, call):
            def task():
                self._local.done = []
                try:
                    return call()
                finally:
                    entries[index] = self._local.done
                    self._local.done = None
            return task
        if self.http.parallel_writes <= 1 or len(calls) <= 1:
            return self.http.run_parallel(calls)
        try:
            return self.http.run_parallel([wrap(i, c) for i, c in enumerate(calls)])
        finally:
            for entry in entries:
                self.done.extend(entry or [])

    def done_count(self, operation):
        return sum(1 for entry in self.done if entry['operation'] == operation)

    # -- polling ---------------------------------------------------------------
    def wait_until(self, check, timeout, interval, what='the operation'):
        """Call ``check()`` until it returns a true value, and return that value.

        Polls every ``interval`` seconds up to the deadline (the last sleep is
        cut short so the last check happens at the deadline, not one interval
        before it). On timeout raises :class:`WaitTimeout` with the last value.
        """
        deadline = self.clock() + timeout
        while True:
            value = check()
            if value:
                return value
            remaining = deadline - self.clock()
            if remaining <= 0:
                raise WaitTimeout('%s: %s did not finish within %d seconds' % (self.VENDOR, what, timeout),
                                  vendor=self.VENDOR, last=value)
            self.http.sleep(min(interval, remaining))

    # -- end of run --------------------------------------------------------------
    def close(self):
        """Close the HTTP session (called at the end of every module run)."""
        self.http.close()


class RpcClient(VendorClient):
    """An API whose every answer is a JSON envelope that says whether the call succeeded.

    A vendor declares how a call goes out (:meth:`send_call`: URL, verb, where the parameters go) and how its
    envelope reads (:meth:`is_envelope`, :meth:`succeeded`, :meth:`result`, :meth:`error_code`,
    :meth:`wait_asked`, :meth:`api_error`); ``SESSION_ERRORS`` are the error codes that mean the session token was
    refused. The vendor refuses such a call before doing anything, so repeating it once with a new token, even a
    write, cannot duplicate it. A call is ``read(method, params, ...)`` or ``write(operation, method, params, ...)``.
    """

    SESSION_ERRORS = frozenset()
    # The vendor's error codes that refuse a write because what it makes is there already ("already exists"): such a
    # refusal is re-read (see VendorClient.write).
    CONFLICT_ERRORS = frozenset()

    def is_conflict(self, error):
        code = error.code if isinstance(error, ApiError) else None
        return isinstance(code, (str, int)) and code in self.CONFLICT_ERRORS

    def send_call(self, method, params, write, **options):
        """Send the call; the transport's Response."""
        raise NotImplementedError

    def is_envelope(self, response, answer):
        """Whether the decoded ``answer`` is an envelope of the vendor's (anything else is a failed attempt)."""
        return response.status == 200 and isinstance(answer, dict)

    def succeeded(self, answer):
        raise NotImplementedError

    def result(self, answer):
        """What a successful call returns (by default the whole envelope)."""
        return answer

    def error_code(self, answer):
        return answer.get('error')

    def wait_asked(self, answer):
        """Seconds the envelope asks the client to wait before sending the call again (None: it does not)."""
        return None

    def api_error(self, method, answer, **options):
        """The vendor's ApiError for an envelope that reports a failure."""
        raise NotImplementedError

    def not_an_envelope(self, method, response, write):
        """A reply that is no envelope: a failed read, or a write whose outcome is unknown (the server answered, so
        it is done with the request: a re-read tells)."""
        body = self.http.redactor.text((response.body or b'').decode('utf-8', 'replace'))[:200]
        message = '%s answered %s with no envelope of its API (HTTP %d): %s' % (
            self.VENDOR, method, response.status, body or 'an empty body')
        if write:
            return WriteOutcomeUnknown(message, vendor=self.VENDOR, status=response.status, answered=True)
        return TransportError(message, vendor=self.VENDOR, status=response.status)

    def envelope(self, method, response, write):
        """The decoded envelope of ``response``; raises :meth:`not_an_envelope` when it is none."""
        try:
            answer = response.json()
        except ValueError:  # the transport already retried a read; only reached for odd statuses
            answer = None
        if not self.is_envelope(response, answer):
            raise self.not_an_envelope(method, response, write)
        return answer

    def exchange(self, method, params=None, write=False, allow_errors=False, **options):
        """Send the call and return :meth:`result` of its envelope; ``allow_errors`` returns a failure's envelope
        instead of raising it (a call whose failure carries a report, like a publish with validation errors)."""
        if isinstance(params, dict):  # a parameter left out is one not sent
            params = dict((k, v) for k, v in params.items() if v is not None)
        refreshed = False
        limited = 0
        while True:
            used = self.ensure_token() if self.has_token() else None  # fetched before the call that carries it
            answer = self.envelope(method, self.send_call(method, params, write, **options), write)
            if self.succeeded(answer):
                return self.result(answer)
            code = self.error_code(answer)
            if isinstance(code, (str, int)) and code in self.SESSION_ERRORS and not refreshed:
                refreshed = True
                self.forget_token(used)  # unless a parallel write has fetched a new one already
                continue
            wait = self.wait_asked(answer)
            if wait and self.http.rate_limit_pause(limited, wait):
                limited += 1
                continue
            if allow_errors:
                return answer
            raise self.api_error(method, answer, **options)


class RestClient(VendorClient):
    """An API of resources under :attr:`base`: JSON bodies, HTTP statuses, an error body.

    A request is ``read(path, params=..., ...)`` (a GET) or ``write(operation, method, path, body=..., ...)``;
    ``expected`` lists the statuses of success (a read 200, a write 200, 201 or 204 unless it says otherwise).
    Any other status raises :meth:`api_error`, which the vendor writes from :meth:`error_body`. A write refused with
    409 Conflict (what it makes is there already) is re-read before it counts as a failure (VendorClient.write).
    """

    def is_conflict(self, error):
        return isinstance(error, ApiError) and error.status == 409

    def exchange(self, method, path=None, body=None, params=None, headers=None, expected=None, write=False,
                 trace_body=True, refused_statuses=None):
        """One request; its decoded JSON body ({} when it has none). ``read(path)`` is ``exchange('GET', path)``."""
        return self.decode(self.respond(method, path, body=body, params=params, headers=headers, expected=expected,
                                        write=write, trace_body=trace_body, refused_statuses=refused_statuses))

    def read(self, path, **options):
        return self.exchange('GET', path, write=False, **options)

    def respond(self, method, path, body=None, params=None, headers=None, expected=None, write=False,
                trace_body=True, refused_statuses=None):
        """One request; the Response itself (for a read that needs its headers, like a paged list)."""
        if expected is None:
            expected = (200, 201, 204) if write else (200,)
        response = self.http.request(method, self.base + path, json_body=body, params=params, headers=headers,
                                     idempotent=not write, expect_json=True, trace_body=trace_body,
                                     refused_statuses=refused_statuses)
        if response.status not in expected:
            raise self.api_error('%s %s' % (method, path), response, trace_body)
        return response

    @staticmethod
    def decode(response):
        return (response.json() or {}) if response.body else {}

    def error_body(self, response, trace_body=True):
        """The error answer: ``(its JSON object or None, its text redacted and cut to 200 characters)``; the text
        is empty when ``trace_body`` is false (an answer that may carry keys)."""
        try:
            data = response.json()
        except ValueError:
            data = None
        text = ''
        if trace_body and response.body:
            text = self.http.redactor.text(response.body.decode('utf-8', 'replace'))[:200]
        return (data if isinstance(data, dict) else None), text

    def api_error(self, what, response, trace_body=True):
        """The vendor's ApiError for an answer with a status not expected."""
        raise NotImplementedError


def as_int(value):
    """A number in a vendor's answer (an int, or a string of digits as CyberSSL and Virusdie send them) as an int;
    None when it is missing or not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
