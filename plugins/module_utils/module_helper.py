# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every domainsec.onboard module does the same way: the end of a run.

* ``api_trace``: the redacted request/response trace of the run, returned at
  -vvv (the last few lines with every failure), so a user can see what was sent;
* vendor and transport errors become ``fail_json`` with the vendor's code;
* secrets learnt during the run (session tokens) are registered with Ansible's
  own ``no_log_values`` so they are masked even if some text carries them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError

TRACE_VERBOSITY = 3


def _with_trace(module, http, result, force=False):
    if http is not None:
        for secret in http.redactor._secrets:  # pylint: disable=protected-access
            module.no_log_values.add(secret)
        if getattr(module, '_verbosity', 0) >= TRACE_VERBOSITY:
            result['api_trace'] = [http.redactor.text(line) for line in http.trace]
        elif force and http.trace:
            result['api_trace'] = [http.redactor.text(line) for line in http.trace[-5:]]
    return result


def exit_module(module, http, **result):
    module.exit_json(**_with_trace(module, http, result))


def fail_module(module, http, error, **result):
    """Fail with a DomainsecError (or a plain message)."""
    if isinstance(error, DomainsecError):
        result.update(error.as_result())
    else:
        result['msg'] = str(error)
    if http is not None:
        result['msg'] = http.redactor.text(result['msg'])
    module.fail_json(**_with_trace(module, http, result, force=True))


def run_module(module, client_class, run, check=None, result=None):
    """The common body of every module: client, run, finish.

    ``client_class.from_params(module.params)`` builds the vendor client;
    ``run(client)`` returns the result; ``check(result)`` may return a
    message that fails the task with the result attached (a refused publish,
    a failed hook test, a risk level reached). ``result`` holds fields that
    are returned even when the run fails.
    """
    http = None
    result = dict(result or {})
    try:
        client = client_class.from_params(module.params)
        http = client.http
        result.update(run(client))
    except DomainsecError as exc:
        fail_module(module, http, exc, **result)
    problem = check(result) if check is not None else None
    if problem:
        fail_module(module, http, problem, **result)
    exit_module(module, http, **result)
