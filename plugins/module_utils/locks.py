# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Locks shared by every run on one controller.

Two runs of the same task on one machine (two forks, two playbooks, ``async``)
must not both read, decide and write: a CyberSSL order would be bought twice,
records added to a zone twice. :func:`controller_lock` is an exclusive
``flock`` on a file named after the scope and key, in the lock directory
(the option ``lock_dir``, else ``DOMAINSEC_LOCK_DIR``, else the controller's
temporary directory); it is released when the run ends, even when it dies.
It reaches every run that sees the same directory: the jobs of one AWX
controller share it when ``DOMAINSEC_LOCK_DIR`` names a persistent volume
mounted into their execution environments. It does not reach other machines:
see docs/architecture.md.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import errno
import hashlib
import os
import tempfile
import time

from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError, env_fallback_set

try:
    import fcntl
    HAS_FCNTL = True
except ImportError:  # pragma: no cover (not POSIX)
    HAS_FCNTL = False


LOCK_DIR_ENV = 'DOMAINSEC_LOCK_DIR'


def lock_directory(directory=None):
    """The directory of the locks: ``directory`` (the ``lock_dir`` option), else ``$DOMAINSEC_LOCK_DIR``, else
    ``domainsec-onboard-locks`` in the controller's temporary directory."""
    return directory or os.environ.get(LOCK_DIR_ENV) or os.path.join(tempfile.gettempdir(), 'domainsec-onboard-locks')


def state_key(*parts):
    """The name a lock or state file takes for ``parts`` (a key, or a base URL and an account): sha256 of the parts
    joined by newlines, cut to 32 hex digits - never the key itself, which may be a secret."""
    return hashlib.sha256('\n'.join(str(part) for part in parts).encode('utf-8')).hexdigest()[:32]


def make_lock_directory(directory=None):
    """The lock directory (:func:`lock_directory`), made with mode 0700 when missing (another run may make it at the
    same moment); OSError when it cannot be made."""
    directory = lock_directory(directory)
    try:
        os.makedirs(directory, mode=0o700)
    except OSError as exc:
        if exc.errno != errno.EEXIST:
            raise
    return directory


def try_flock(fd):
    """Take the exclusive ``flock`` of ``fd`` without waiting: True, or False when another holds it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (IOError, OSError) as exc:
        if exc.errno not in (errno.EAGAIN, errno.EACCES):
            raise
        return False
    return True


def lock_argument_spec():
    """The ``lock_dir`` option of the modules that lock (doc fragment ``domainsec.onboard.locks``)."""
    return dict(lock_dir=dict(type='path', fallback=(env_fallback_set, [LOCK_DIR_ENV])))


@contextlib.contextmanager
def controller_lock(key, timeout=600, directory=None, sleep=time.sleep, scope='cyberssl', vendor='CyberSSL'):
    """Hold the exclusive lock ``<scope>-<sha256(key)>`` for the ``with`` block; yields the lock file's path.

    Waits up to ``timeout`` seconds for another run to release it, then fails naming the lock file.
    """
    if not HAS_FCNTL:  # pragma: no cover
        yield None
        return
    try:
        directory = make_lock_directory(directory)
    except OSError as exc:
        raise DomainsecError('lock_dir (or %s): cannot create the lock directory %s: %s'
                             % (LOCK_DIR_ENV, lock_directory(directory), exc.strerror), vendor=vendor)
    path = os.path.join(directory, '%s-%s.lock' % (scope, state_key(key)))
    try:
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise DomainsecError('lock_dir (or %s): cannot open the lock file %s: %s' % (LOCK_DIR_ENV, path, exc.strerror),
                             vendor=vendor)
    try:
        deadline = time.time() + timeout
        while not try_flock(handle):
            if time.time() >= deadline:
                raise DomainsecError('another run on this controller has held the lock %s for more than %d seconds'
                                     % (path, timeout), vendor=vendor)
            sleep(0.2)
        yield path
    finally:
        os.close(handle)  # closing releases the flock
