# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start and stop the vendor emulators: one HTTPS server per app, one test CA, one world.

    from emulators import harness
    running = harness.start('/tmp/state')        # every app in APPS
    running.env()   # {'SECURITYSPACE_API_URL': ..., 'DOMAINSEC_CA_PATH': ..., ...}
    running.world.app('securityspace')           # the running app (None when not started)
    running.stop()

Every app of a harness shares one :class:`World` (``app.world``, set before
its server starts), so an emulator can ask another one what it holds, e.g.
the DNS records SecuritySpace has published. An app's ``companions`` are
started with it (``start(vendors=['hardenize'])`` also starts the webhook
receiver).
"""

import importlib
import os
import threading

import trustme

from .base import EmulatorServer, server_ssl_context

# App name -> "module:Class" (module relative to this package), imported on start.
APPS = {
    'securityspace': 'securityspace:SecuritySpaceApp',
    'hardenize': 'hardenize:HardenizeApp',
    'receiver': 'webhook_receiver:WebhookReceiverApp',  # the customer's webhook endpoint Hardenize delivers to
    'sigsci': 'sigsci:SigsciApp',
    'virusdie': 'virusdie:VirusdieApp',
    'cyberssl': 'cyberssl:CyberSSLApp',
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


def resolve(vendors=None):
    """The app names to start for ``vendors`` (list or comma-separated; default all), companions added, in order."""
    if isinstance(vendors, str):
        vendors = [v.strip() for v in vendors.split(',') if v.strip()]
    wanted = list(vendors or APPS)
    result = []
    while wanted:
        name = wanted.pop(0)
        if name in result:
            continue
        result.append(name)
        wanted.extend(app_class(name).companions)
    return result


class World(object):
    """The running apps of one harness, as they see each other: ``world.app(name)``."""

    def __init__(self):
        self._lock = threading.Lock()
        self._apps = {}

    def add(self, name, app):
        with self._lock:
            self._apps[name] = app

    def remove(self, name):
        with self._lock:
            self._apps.pop(name, None)

    def app(self, name):
        """The running app called ``name``, or None."""
        with self._lock:
            return self._apps.get(name)

    def names(self):
        with self._lock:
            return sorted(self._apps)


class Harness(object):
    """Running emulators: ``emulators`` (name -> app), ``urls``, ``admin_urls``, ``ca_path``, ``world``."""

    def __init__(self, state_dir, ca_path):
        self.state_dir = state_dir
        self.ca_path = ca_path
        self.emulators = {}
        self.urls = {}
        self.admin_urls = {}
        self.servers = {}
        self.world = World()

    @property
    def receiver(self):
        """The webhook receiver app (None when it was not started); kept for older callers."""
        return self.emulators.get('receiver')

    def env(self):
        """Environment variables for clients: every app's, the CA path, and each admin URL.

        ``EMULATOR_<NAME>_ADMIN`` is the app's ``/_emulator`` URL unless the app
        exports that variable itself (the receiver points it at ``/_receiver``).
        """
        result = {'DOMAINSEC_CA_PATH': self.ca_path}
        for name, app in self.emulators.items():
            result.update(app.env())
            result.setdefault('EMULATOR_%s_ADMIN' % name.upper(), self.admin_urls[name])
        return result

    def stop(self):
        for name, server in self.servers.items():
            self.world.remove(name)
            server.stop()
        self.servers = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def start(state_dir, vendors=None, host='127.0.0.1', ports=None):
    """Start the apps of ``vendors`` (default: all in APPS) and their companions; returns a Harness.

    ``ports`` maps app name -> port (0 or absent: any free port). The CA is
    written to ``<state_dir>/ca.pem``, request logs to ``<state_dir>/<name>.log``.
    """
    names = resolve(vendors)
    classes = dict((name, app_class(name)) for name in names)
    os.makedirs(state_dir, exist_ok=True)
    ca = trustme.CA(organization_name='domainsec emulator test CA')
    ca_path = os.path.join(os.path.abspath(state_dir), 'ca.pem')
    ca.cert_pem.write_to_path(ca_path)
    url_host = '127.0.0.1' if host in ('', '0.0.0.0') else host
    harness = Harness(state_dir, ca_path)
    try:
        for name in names:
            app = classes[name]()
            server = EmulatorServer((host, int((ports or {}).get(name) or 0)), app, server_ssl_context(ca),
                                    log_path=os.path.join(state_dir, '%s.log' % name))
            harness.servers[name] = server
            base = 'https://%s:%d' % (url_host, server.port)
            app.base_url = base
            app.ca_path = ca_path
            app.world = harness.world
            harness.emulators[name] = app
            harness.urls[name] = base
            harness.admin_urls[name] = base + '/_emulator'
            server.start()
            harness.world.add(name, app)
    except Exception:
        harness.stop()
        raise
    return harness
