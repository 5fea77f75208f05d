# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run the vendor emulators in the foreground until SIGINT/SIGTERM.

    python tests/emulators/serve.py [--state-dir DIR] [--vendors a,b] [--port-base N] [--host H]

Prints ``export VAR='value'`` lines (also written to ``<state-dir>/env.sh``)
for ``eval``; the process id goes to ``<state-dir>/emulators.pid``.
"""

import argparse
import importlib
import os
import signal
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def shell_quote(value):
    return "'%s'" % value.replace("'", "'\"'\"'")


def main(argv=None):
    parser = argparse.ArgumentParser(description='Run the domainsec vendor API emulators.')
    parser.add_argument('--state-dir', default=os.path.join(ROOT, 'build', 'emulators'),
                        help='where ca.pem, env.sh, emulators.pid and the request logs go (default: %(default)s)')
    parser.add_argument('--vendors', default=None,
                        help='comma-separated emulators (default: all); companions are added (hardenize: receiver)')
    parser.add_argument('--port-base', type=int, default=0,
                        help='first port; emulators get consecutive ports (default: any free port)')
    parser.add_argument('--host', default='127.0.0.1', help='address to bind (default: %(default)s)')
    args = parser.parse_args(argv)

    sys.path.insert(0, os.path.dirname(HERE))
    try:
        harness = importlib.import_module('emulators.harness')
    except ImportError as exc:
        parser.exit(2, 'cannot start the emulators: %s (install requirements-dev.txt into this Python)\n' % exc)
    try:
        vendors = harness.resolve(args.vendors)  # companions included (hardenize brings the webhook receiver)
    except ValueError as exc:
        parser.exit(2, '%s\n' % exc)
    ports = dict((v, args.port_base + i) for i, v in enumerate(vendors)) if args.port_base else None

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *dummy: stop.set())

    running = harness.start(args.state_dir, vendors=vendors, host=args.host, ports=ports)
    pid_path = os.path.join(args.state_dir, 'emulators.pid')
    try:
        lines = ['export %s=%s' % (name, shell_quote(value)) for name, value in sorted(running.env().items())]
        with open(os.path.join(args.state_dir, 'env.sh'), 'w', encoding='utf-8') as handle:
            handle.write('\n'.join(lines) + '\n')
        with open(pid_path, 'w', encoding='utf-8') as handle:
            handle.write('%d\n' % os.getpid())
        sys.stdout.write('\n'.join(lines) + '\n')
        sys.stdout.write('# emulators running (%s); state in %s; stop with Ctrl-C or kill %d\n'
                         % (', '.join('%s=%s' % item for item in sorted(running.urls.items())), args.state_dir, os.getpid()))
        sys.stdout.flush()
        while not stop.wait(1):
            pass
    finally:
        running.stop()
        if os.path.exists(pid_path):
            os.remove(pid_path)
    return 0


if __name__ == '__main__':
    sys.exit(main())
