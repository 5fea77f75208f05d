# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How every domainsec.onboard module starts and ends a run.

* :func:`new_module`: the AnsibleModule, with the shared input check that no
  control or invisible formatting character reaches a vendor in any option,
  and credentials found inside URLs registered as no-log values (so Ansible's
  own echo of the arguments at -vvv masks them too);
* :func:`run_module`: builds the vendor client, runs the module's body,
  closes the session, and ends the run;
* ``api_trace``: the redacted request/response trace of the run, returned at
  -vvv (the last few lines with every failure), so a user can see what was sent;
* vendor and transport errors become ``fail_json`` with the vendor's code;
* secrets learnt during the run (session tokens, derived headers) are
  registered with Ansible's own ``no_log_values`` so they are masked even if
  some text carries them; the transport's warnings are shown once per task.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import traceback
from urllib.parse import urlsplit

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_text, lookalike_warning, mask_url_password

TRACE_VERBOSITY = 3
_LINE_BREAKS = re.compile(r'[\r\n\t]')


def _walk(spec, params, prefix, multiline):
    """Yield ``(option path, value, no_log, lines)`` for every string in ``params``, following nested options;
    ``lines`` is true for the options named in ``multiline`` (at any depth)."""
    for name, option in (spec or {}).items():
        value = (params or {}).get(name)
        path = '%s%s' % (prefix, name)
        if value is None:
            continue
        no_log = bool(option.get('no_log'))
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            where = '%s[%d]' % (path, index) if isinstance(value, list) else path
            if isinstance(item, dict) and option.get('options'):
                yield from _walk(option['options'], item, where + '.', multiline)
            elif isinstance(item, str):
                yield where, item, no_log, name in multiline


def url_password(value):
    """The password part of a URL (``https://user:pass@host/``), or None."""
    if '://' not in value or '@' not in value:
        return None
    try:
        return urlsplit(value.strip()).password
    except ValueError:
        return None


def new_module(argument_spec, multiline=(), **kwargs):
    """An AnsibleModule whose string options were checked before anything else.

    Every string option (nested ones included) must be free of control and
    invisible formatting characters, except the ``no_log`` ones; the options
    named in ``multiline`` (PEM blocks, TXT data in zone-file form) may hold
    line breaks and tabs, nothing else. A password inside a URL option is
    registered as a no-log value.
    """
    module = AnsibleModule(argument_spec=argument_spec, **kwargs)
    for where, value, no_log, lines in _walk(argument_spec, module.params, '', set(multiline)):
        if no_log:
            continue
        password = url_password(value)
        if password:
            module.no_log_values.add(password)
        try:
            check_text(_LINE_BREAKS.sub(' ', value) if lines else value, where)
        except ValueError as exc:
            module.fail_json(msg=str(exc))
    return module


def warn_lookalikes(module, names, option):
    """Warn once per name whose labels mix scripts (a look-alike of another domain)."""
    for name in names:
        warning = lookalike_warning(name, option)
        if warning:
            module.warn(warning)


def _with_trace(module, http, result, force=False):
    if http is not None:
        for secret in http.redactor._secrets:  # pylint: disable=protected-access
            module.no_log_values.add(secret)
        if getattr(module, '_verbosity', 0) >= TRACE_VERBOSITY:
            result['api_trace'] = [http.redactor.text(line) for line in http.trace]
        elif force and http.trace:
            result['api_trace'] = [http.redactor.text(line) for line in http.trace[-5:]]
    return result


def _close(client):
    if client is not None:
        client.close()


def exit_module(module, client, **result):
    _close(client)
    module.exit_json(**_with_trace(module, client.http if client else None, result))


def partial_work(client, partial=None):
    """What the run changed before it failed, as a sentence (None when it changed nothing).

    ``partial(done)`` may phrase it for the module ("9 of 20 records added,
    zone not published"); by default the changes are listed.
    """
    done = getattr(client, 'done', None) if client is not None else None
    if not done:
        return None
    sentence = partial(done) if partial is not None else None
    if not sentence:
        listed = '; '.join(entry['what'] for entry in done[:5])
        sentence = '%d change(s) made (%s%s)' % (len(done), listed, '; ...' if len(done) > 5 else '')
    return sentence


def fail_module(module, client, error, partial=None, **result):
    """Fail with a DomainsecError (or a plain message), saying what the run had already changed."""
    http = client.http if client is not None else None
    if isinstance(error, DomainsecError):
        result.update(error.as_result())
    else:
        result['msg'] = str(error)
    work = partial_work(client, partial)
    if work:
        result['changed'] = True
        result['done'] = [entry['what'] for entry in client.done]
        result['msg'] = '%s. Done before this failure: %s; a re-run picks up from there.' % (
            result['msg'].rstrip('. '), work)
    # Redacted here, not only by Ansible's no_log values: a password inside a URL that no option holds is masked too.
    # The traceback run_module hands over (returned with ANSIBLE_DISPLAY_TRACEBACK) carries the same text.
    redact = http.redactor.text if http is not None else mask_url_password
    result['msg'] = redact(result['msg'])
    if isinstance(result.get('exception'), str):
        result['exception'] = redact(result['exception'])
    _close(client)
    module.fail_json(**_with_trace(module, http, result, force=True))


def one_of_many(client, failures, name, work):
    """``work()`` for one object of a module that handles many (``ssdns_zones``, ``sigsci_sites``): its result; or,
    when it raises a DomainsecError, ``{changed, failed, msg, done}`` for it (``done``: what the run had changed
    for that object before it failed), the message noted in ``failures[name]``, so that the other objects go on.
    What the whole run changed is said once, by :func:`fail_module`, when the task fails."""
    done_before = len(client.done)
    try:
        return work()
    except DomainsecError as exc:
        done = [entry['what'] for entry in client.done[done_before:]]
        failures[name] = client.http.redactor.text(str(exc).rstrip('. '))
        return dict(changed=bool(done), failed=True, msg=failures[name], done=done)


def failed_of_many(failures, count, what):
    """The message a module that handles many objects fails with when some failed (None when none did)."""
    if not failures:
        return None
    reasons = '; '.join('%s: %s' % item for item in sorted(failures.items()))
    if count == 1:
        return reasons
    return '%d of the %d %s failed: %s' % (len(failures), count, what, reasons)


def found_done(module, client, result):
    """Warn about each write the vendor refused as done already that a re-read found as wanted (``client.found``:
    another run made it at the same time); a real run whose every write was found so changed nothing itself, and
    reports ``changed: false`` (as ``ansible.builtin.file`` does for a directory another process made first)."""
    for entry in client.found:
        module.warn(client.http.redactor.text(
            'Found done by someone else, not by this run: %s. %s refused it as done already (%s), and a re-read shows '
            'it as this task wants it (another run at the same time?)' % (entry['what'], client.VENDOR, entry['answer'])))
    if not module.check_mode and client.found_only():
        result['changed'] = False


def run_module(module, client_class, run, check=None, result=None, partial=None):
    """The common body of every module: client, run, finish.

    ``client_class.from_params(module.params)`` builds the vendor client;
    ``run(client)`` returns the result; ``check(result)`` may return a
    message that fails the task with the result attached (a refused publish,
    a failed hook test, a risk level reached). ``result`` holds fields that
    are returned even when the run fails; ``run`` may fill it in as it goes
    (it is the same dict). A write found done by someone else is warned about
    (:func:`found_done`). A failure says what the run had already changed
    (``partial(client.done)`` may phrase it) and reports ``changed: true``
    when it changed anything. An unexpected exception becomes a one-line
    failure naming its cause, the traceback in ``exception``. The client's
    session is closed at the end of every run.
    """
    client = None
    result = {} if result is None else result
    try:
        client = client_class.from_params(module.params)
        for warning in client.http.warnings:
            module.warn(warning)
        result.update(run(client))
        found_done(module, client, result)
    except DomainsecError as exc:
        fail_module(module, client, exc, partial=partial, **result)
    except Exception as exc:  # pylint: disable=broad-exception-caught
        vendor = getattr(client_class, 'VENDOR', None) or 'the vendor'
        fail_module(module, client, '%s: unexpected error (%s: %s); please report it with the output of -vvv'
                    % (vendor, type(exc).__name__, exc), partial=partial, exception=traceback.format_exc(), **result)
    problem = check(result) if check is not None else None
    if problem:
        fail_module(module, client, problem, partial=partial, **result)
    exit_module(module, client, **result)
