# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test-only action: one call to a vendor emulator's admin API (tests/emulators/base.py), made in the controller's
worker process.

The targets talk to the emulators' admin API (reset counters, read them, inject a fault, set a knob) several hundred
times per test run. Through ``ansible.builtin.uri`` each call is a module run in a new Python process (about 0.5
CPU-seconds, a sixth of the integration stage's CPU on two cores); here it is one HTTPS request (a few
milliseconds). What the targets test - the collection's modules - still runs as a real module.

Arguments:
  vendor  the emulator (securityspace, hardenize, cyberssl, virusdie, sigsci; default securityspace): its admin URL
          is the environment's EMULATOR_<VENDOR>_ADMIN, its CA bundle DOMAINSEC_CA_PATH (as the session fixture
          exports them)
  path    the admin endpoint: counters, reset, config, faults, state, expire, ...
  body    a JSON body; with one the request is a POST, without one a GET
  method  another method (DELETE faults/ drops the pending faults)
Returns ``json`` (the decoded answer, None when empty) and ``status``, like ``ansible.builtin.uri``; never changed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import ssl
import urllib.error
import urllib.request

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        vendor = str(args.get('vendor') or 'securityspace')
        path = str(args.get('path') or '').strip('/')
        body = args.get('body')
        method = str(args.get('method') or ('GET' if body is None else 'POST')).upper()
        base = os.environ.get('EMULATOR_%s_ADMIN' % vendor.upper())
        if not base or not path:
            result.update(failed=True, msg='emulator_admin: no EMULATOR_%s_ADMIN in the environment, or no path'
                          % vendor.upper())
            return result
        context = ssl.create_default_context(cafile=os.environ.get('DOMAINSEC_CA_PATH'))
        data = None if body is None else json.dumps(body).encode('utf-8')
        request = urllib.request.Request('%s/%s' % (base.rstrip('/'), path), data=data,
                                         method=method,
                                         headers={'Content-Type': 'application/json'})
        try:
            with urllib.request.urlopen(request, context=context, timeout=30) as answer:
                status, text = answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            result.update(failed=True, status=exc.code, msg='emulator_admin %s %s: HTTP %s %s'
                          % (vendor, path, exc.code, exc.read()[:500]))
            return result
        except (urllib.error.URLError, OSError) as exc:
            result.update(failed=True, msg='emulator_admin %s %s: %s' % (vendor, path, exc))
            return result
        result.update(changed=False, status=status, json=json.loads(text) if text else None)
        return result
