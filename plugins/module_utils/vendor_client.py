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

The base gives every client the same :meth:`from_params` (validation of the
transport options, the HTTP transport with the client's auth, headers, hooks
and refused statuses), :meth:`wait_until` for every poll, and :meth:`close`.
See docs/architecture.md.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import threading
import time

from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import (
    REFUSED_STATUSES,
    DomainsecError,
    HttpClient,
    transport_argument_spec,
    validate_transport_params,
)


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
        self._token_lock = threading.RLock()  # parallel writes share one token
        self._local = threading.local()  # a parallel task's own ``done`` entries, merged in plan order

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
    def transport_kwargs(cls, params):
        """Extra HttpClient arguments (hooks, static headers) for this vendor."""
        return {}

    @classmethod
    def from_params(cls, params):
        """Build the client from option values (a module's ``params`` or a plugin's options)."""
        problem = validate_transport_params(params)
        url = cls.base_url(params) or ''
        if problem is None and not url.lower().startswith('https://'):
            problem = '%s must be an https:// URL, got %s' % (cls.API_URL_OPTION, url)
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

    def fetch_token(self):
        raise NotImplementedError('%s has no session token' % self.VENDOR)

    def forget_token(self, token=None):
        """Drop the token (expired or refused): the next use fetches a new one. With ``token``, only when it is
        still the current one (a parallel write may have fetched a new one already)."""
        with self._token_lock:
            if token is None or token == self._token:
                self._token = None

    # -- writes ---------------------------------------------------------------
    def guarded_write(self, send, landed=None, operation=None, what=None, prove_within=None):
        """Carry out a write that must not be duplicated and note it in ``done``.

        ``send()`` sends it (as a non-idempotent request); when its outcome is
        unknown, ``landed()`` re-reads before anything is sent again (see
        ``HttpClient.write``; ``prove_within`` for a write that costs money).
        ``operation`` and ``what`` name it in the report of a run that fails
        later.
        """
        answer = self.http.write(send, landed=landed, prove_within=prove_within)
        self.record_done(operation or 'write', what or operation or 'write')
        return answer

    # -- what the run changed -------------------------------------------------
    def record_done(self, operation, what):
        """Note a write that was carried out (or found to have landed): a failure later in the run reports it."""
        buffer = getattr(self._local, 'done', None)
        (buffer if buffer is not None else self.done).append(dict(operation=operation, what=what))

    def parallel(self, calls):
        """Run independent writes (callables) over the transport's bounded pool (``parallel_writes``).

        Results come back in plan order and ``done`` lists the writes in plan
        order too (also those carried out before a failure stopped the others);
        see ``HttpClient.run_parallel``. The token is fetched before the pool
        starts, so the writes share it.
        """
        calls = list(calls)
        if self.http.parallel_writes > 1 and len(calls) > 1 and type(self).fetch_token is not VendorClient.fetch_token:
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


def as_int(value):
    """A number in a vendor's answer (an int, or a string of digits as CyberSSL and Virusdie send them) as an int;
    None when it is missing or not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
