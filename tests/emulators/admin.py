# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Talk to running emulators' admin APIs, from the environment serve.py exported (env.sh).

    python tests/emulators/admin.py config VENDOR '{"knob": value}'   # POST /_emulator/config (receiver: /_receiver/config)
    python tests/emulators/admin.py reset-counters                   # every vendor's request counters to zero
    python tests/emulators/admin.py writes [--expect-zero]           # requests and writes per vendor since the reset

``writes`` prints one line per vendor; with ``--expect-zero`` it exits 1 when any vendor received a write.

``admin_url``, ``session`` and ``call`` are also what the integration targets' ``emulator_admin`` action
(tests/integration/targets/setup_emulator/action_plugins/) calls; they raise ``AdminError``.
"""

import argparse
import json
import os
import sys

import requests

VENDORS = ('securityspace', 'cyberssl', 'hardenize', 'virusdie', 'sigsci')


class AdminError(Exception):
    """An admin call that could not be made or was refused."""


def admin_url(vendor):
    """The admin base URL of ``vendor`` (the receiver's is its own /_receiver API, where its config lives)."""
    url = os.environ.get('EMULATOR_%s_ADMIN' % vendor.upper())
    if not url:
        raise AdminError('EMULATOR_%s_ADMIN is not set: source the env.sh that serve.py wrote' % vendor.upper())
    return url.rstrip('/')


def session():
    http = requests.Session()
    http.trust_env = False
    http.verify = os.environ.get('DOMAINSEC_CA_PATH') or True
    return http


def call(http, method, url, body=None, timeout=10):
    """One admin request; the decoded JSON answer (None when empty)."""
    try:
        answer = http.request(method, url, json=body, timeout=timeout)
    except requests.RequestException as exc:
        raise AdminError('%s %s: %s' % (method, url, exc))
    if answer.status_code >= 400:
        raise AdminError('%s %s -> %s %s' % (method, url, answer.status_code, answer.text.strip()[:500]))
    return answer.json() if answer.content else None


def main(argv=None):
    parser = argparse.ArgumentParser(description='Admin calls to the running vendor emulators.')
    commands = parser.add_subparsers(dest='command', required=True)
    config = commands.add_parser('config', help='set knobs of one emulator')
    config.add_argument('vendor', choices=VENDORS + ('receiver',))
    config.add_argument('values', help='a JSON object')
    commands.add_parser('reset-counters', help='request counters of every vendor to zero')
    writes = commands.add_parser('writes', help='requests and writes per vendor')
    writes.add_argument('--expect-zero', action='store_true', help='exit 1 when any vendor received a write')
    args = parser.parse_args(argv)
    try:
        return run(args, session())
    except AdminError as exc:
        raise SystemExit(str(exc))


def run(args, http):
    if args.command == 'config':
        call(http, 'POST', admin_url(args.vendor) + '/config', json.loads(args.values))
        return 0
    if args.command == 'reset-counters':
        for vendor in VENDORS:
            call(http, 'POST', admin_url(vendor) + '/reset', {'counters_only': True})
        return 0
    total_writes = 0
    for vendor in VENDORS:
        counters = call(http, 'GET', admin_url(vendor) + '/counters')
        total_writes += counters['writes']
        print('  %-14s %3d requests, %2d writes' % (vendor, counters['total'], counters['writes']))
    return 1 if args.expect_zero and total_writes else 0


if __name__ == '__main__':
    sys.exit(main())
