# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start and stop the vendor emulators: one HTTPS server per vendor, one test CA.

    from emulators import harness
    running = harness.start('/tmp/state')        # every vendor in APPS
    running.env()   # {'SECURITYSPACE_API_URL': ..., 'DOMAINSEC_CA_PATH': ..., ...}
    running.stop()
"""

import importlib
import os

import trustme

from .base import EmulatorServer, server_ssl_context

# Vendor name -> "module:Class" (module relative to this package), imported on start.
APPS = {
    'securityspace': 'securityspace:SecuritySpaceApp',
    'hardenize': 'hardenize:HardenizeApp',
}


def app_class(vendor):
    """The app class registered for ``vendor``; import errors propagate with the vendor named."""
    if vendor not in APPS:
        raise ValueError('unknown emulator %r; known: %s' % (vendor, ', '.join(sorted(APPS))))
    module_name, class_name = APPS[vendor].split(':')
    try:
        module = importlib.import_module('.' + module_name, __package__)
    except ImportError as exc:
        raise ImportError('cannot import the %s emulator (%s): %s' % (vendor, APPS[vendor], exc)) from exc
    return getattr(module, class_name)


class Harness(object):
    """Running emulators: ``emulators`` (name -> app), ``urls``, ``admin_urls``, ``ca_path``."""

    def __init__(self, state_dir, ca_path):
        self.state_dir = state_dir
        self.ca_path = ca_path
        self.emulators = {}
        self.urls = {}
        self.admin_urls = {}
        self.servers = {}
        self.extra_env = {}  # companions' variables (the webhook receiver's)
        self.receiver = None  # the webhook receiver app, started with the hardenize emulator

    def env(self):
        """Environment variables for clients: every app's, the CA path, and each admin URL."""
        result = {'DOMAINSEC_CA_PATH': self.ca_path}
        for name, app in self.emulators.items():
            result.update(app.env())
            result['EMULATOR_%s_ADMIN' % name.upper()] = self.admin_urls[name]
        result.update(self.extra_env)
        return result

    def stop(self):
        for server in self.servers.values():
            server.stop()
        self.servers = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def start(state_dir, vendors=None, host='127.0.0.1', ports=None):
    """Start the emulators of ``vendors`` (default: all in APPS); returns a Harness.

    ``ports`` maps vendor -> port (0 or absent: any free port). The CA is
    written to ``<state_dir>/ca.pem``, request logs to ``<state_dir>/<vendor>.log``.
    """
    if isinstance(vendors, str):
        vendors = [v.strip() for v in vendors.split(',') if v.strip()]
    vendors = list(vendors or APPS)
    classes = dict((vendor, app_class(vendor)) for vendor in vendors)
    os.makedirs(state_dir, exist_ok=True)
    ca = trustme.CA(organization_name='domainsec emulator test CA')
    ca_path = os.path.join(os.path.abspath(state_dir), 'ca.pem')
    ca.cert_pem.write_to_path(ca_path)
    url_host = '127.0.0.1' if host in ('', '0.0.0.0') else host
    harness = Harness(state_dir, ca_path)
    try:
        for vendor in vendors:
            app = classes[vendor]()
            server = EmulatorServer((host, int((ports or {}).get(vendor) or 0)), app, server_ssl_context(ca),
                                    log_path=os.path.join(state_dir, '%s.log' % vendor))
            harness.servers[vendor] = server
            base = 'https://%s:%d' % (url_host, server.port)
            app.base_url = base
            app.ca_path = ca_path
            harness.emulators[vendor] = app
            harness.urls[vendor] = base
            harness.admin_urls[vendor] = base + '/_emulator'
            server.start()
        if 'hardenize' in harness.emulators:
            _start_receiver(harness, ca, host, url_host, int((ports or {}).get('receiver') or 0))
    except Exception:
        harness.stop()
        raise
    return harness


def _start_receiver(harness, ca, host, url_host, port):
    """The webhook receiver Hardenize event hooks deliver to (see webhook_receiver.py)."""
    from .webhook_receiver import WebhookReceiverApp

    app = WebhookReceiverApp()
    server = EmulatorServer((host, port), app, server_ssl_context(ca),
                            log_path=os.path.join(harness.state_dir, 'receiver.log'))
    harness.servers['receiver'] = server
    app.base_url = harness.urls['receiver'] = 'https://%s:%d' % (url_host, server.port)
    harness.receiver = app
    harness.extra_env.update(app.env())
    server.start()
