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
Returns ``json`` (the decoded answer, None when empty), like ``ansible.builtin.uri``; never changed. The request is
made by tests/emulators/admin.py (``call``), the admin client scripts/demo.sh uses too.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import os

from ansible.plugins.action import ActionBase

# tests/emulators/admin.py: the one client of the emulators' admin API outside pytest (also scripts/demo.sh's)
_ADMIN_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..', 'emulators', 'admin.py')
_SPEC = importlib.util.spec_from_file_location('domainsec_emulators_admin', _ADMIN_PATH)
admin = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(admin)


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
        if not path:
            result.update(failed=True, msg='emulator_admin: no path')
            return result
        try:
            answer = admin.call(admin.session(), method, '%s/%s' % (admin.admin_url(vendor), path), body, timeout=30)
        except admin.AdminError as exc:
            result.update(failed=True, msg='emulator_admin %s %s: %s' % (vendor, path, exc))
            return result
        result.update(changed=False, json=answer)
        return result
