# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Transport options of plugins/module_utils/http_transport.py, shared by every vendor. Every module and plugin that
    # talks HTTP extends this fragment, so their one Python requirement (requests) is listed once, here.
    DOCUMENTATION = r'''
requirements:
  - requests >= 2.25 (the Python library, on the host that runs the module or plugin - usually the controller)
options:
  validate_certs:
    description:
      - Verify the server's TLS certificate. Only switch this off for a test service you control.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file with the CA certificate(s) to trust instead of the system store, for a private CA or a
        local emulator.
      - If not set, the value of the E(DOMAINSEC_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Read timeout of each HTTP request, in seconds (1-3600). The connect timeout is 10 seconds.
    type: int
    default: 30
  retries:
    description:
      - How many times a failed request is retried (0-10), with exponential backoff and jitter, on connection
        errors and HTTP 429, 502, 503 and 504 (C(Retry-After) is honoured).
      - A write whose outcome is unknown is never re-sent blindly; the module first re-reads the remote state
        and only sends the write again when it did not land.
    type: int
    default: 3
  rate_limit_wait:
    description:
      - How many seconds in total (0-3600) a module run may spend waiting out HTTP 429 (rate limited) answers to
        requests that are safe to repeat, honouring C(Retry-After) plus jitter. Such waits do not use up O(retries);
        once the budget is spent, 429 counts as a failed attempt like any other.
    type: int
    default: 120
  parallel_writes:
    description:
      - How many independent writes of one task (records added or deleted, per-site or per-member changes) may be
        in flight at once (1-16); C(1) sends them one after another.
      - Every guarantee holds as with one at a time - a write whose outcome is unknown is re-read before it is sent
        again, 429 answers are waited out within O(rate_limit_wait), the trace and the result keep the order of the
        plan, and the first failure stops new writes and the failure names the writes that were done.
    type: int
    default: 4
'''
