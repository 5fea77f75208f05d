# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one way a module of this collection writes a file on the host it runs on.

:class:`FileWriter` writes a file's content atomically and gives it Ansible's common file arguments - ``mode``,
``owner``, ``group``, the SELinux context (``seuser``, ``serole``, ``setype``, ``selevel``), ``attributes`` and
``unsafe_writes`` - plus ``backup``, with Ansible's own machinery: ``module.load_file_common_arguments()``,
``module.set_fs_attributes_if_different()``, ``module.atomic_move()`` and ``module.backup_local()`` (the way
ansible.builtin.copy and community.crypto's ``write_file`` do it). A module that writes files builds its
AnsibleModule with ``add_file_common_args=True`` (and a ``backup`` option where it offers one) and calls
:meth:`FileWriter.write` for each file.

Why a module_utils file of its own, and not a part of ``cert_files``: writing a file is not about certificates.
``virusdie_syncfile`` writes a sync file with it, ``cyberssl_order`` and ``certificate_files`` write certificate and
key files with it (through ``cert_files``, which keeps what is about certificates: which key a certificate belongs to,
the ``.new``/``.previous`` layout), and the next module that writes a file uses it too. One concern, one file.

What it guarantees:

* decide, then do: :meth:`FileWriter.write` compares the content and the attributes, and in check mode reports
  what would change and writes nothing - the same code decides in both modes, so the prediction is the run;
* idempotent: nothing is written, and ``False`` is returned, when the content and the attributes are as wanted;
* atomic: the content goes to a temporary file in the destination's directory, which ``atomic_move`` renames over the
  destination; a failure removes the temporary file. An existing file gets its wanted attributes first, so the new
  content lands with them (``atomic_move`` carries the old file's attributes over); a new file is created with mode
  ``0600`` (a private umask around ``atomic_move``) and then given its attributes, so a secret is never readable by
  others, not even for a moment;
* secrets: a ``secret`` file (a private key) gets mode ``0600`` whatever the ``mode`` option, and never a backup (a
  replaced key is kept by its module as ``.previous``; a backup would be one more copy of it). Content is never
  returned, logged or put into a diff: :attr:`FileWriter.diffs` holds attributes and the state only;
* ``backup``: a timestamped copy (``module.backup_local``) of a file whose content is replaced, in
  :attr:`FileWriter.backup_files`; never in check mode, never for a change of attributes alone.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import grp
import os
import pwd
import stat
import tempfile

from ansible.module_utils.common.text.converters import to_bytes

SECRET_MODE = 0o600
PRIVATE_UMASK = 0o077


class FileWriteError(Exception):
    """A file could not be written; the message names the file and the cause, never the content."""


def read_bytes(path):
    """The file's content, or None when there is no file at ``path``."""
    if not path or not os.path.isfile(path):
        return None
    with open(path, 'rb') as handle:
        return handle.read()


@contextlib.contextmanager
def private_umask():
    """The umask ``0077`` for the ``with`` block: a file created in it is readable by its owner only."""
    previous = os.umask(PRIVATE_UMASK)
    try:
        yield previous
    finally:
        os.umask(previous)


def current_umask():
    umask = os.umask(PRIVATE_UMASK)
    os.umask(umask)
    return umask


class _Stat(object):
    """Enough of an ``os.stat`` result for ``AnsibleModule._symbolic_mode_to_octal``."""

    def __init__(self, mode):
        self.st_mode = stat.S_IFREG | mode


class FileWriter(object):
    """Writes files for ``module`` with its file arguments (``mode``, ``owner``, ``group``, SELinux, ``attributes``,
    ``unsafe_writes``, ``backup``).

    ``mode`` and ``backup`` default to the module's options of those names. After the writes,
    :attr:`backup_files` maps each file that was backed up to its backup, and :attr:`diffs` maps each file that
    changed (or would) to ``{'before': ..., 'after': ...}`` with its state (``absent``/``file``) and the attributes
    that change (``mode``, ``owner``, ``group``, ``secontext``, ``attributes``, as Ansible reports them).
    """

    def __init__(self, module, mode=None, backup=None):
        self.module = module
        params = module.params
        self.mode = params.get('mode') if mode is None else mode
        self.backup = bool(params.get('backup')) if backup is None else backup
        self.backup_files = {}
        self.diffs = {}

    @property
    def check_mode(self):
        return bool(self.module.check_mode)

    # -- input --------------------------------------------------------------------------------------------------------

    def check(self):
        """Raise ValueError naming the option when ``mode``, ``owner`` or ``group`` cannot be applied on this host: a
        module calls it before its first request, so that a bad value fails before anything is done."""
        params = self.module.params
        mode = self.mode
        if mode is not None:
            problem = "mode must be an octal file mode such as '0644' or a symbolic one such as 'u=rw,g=r,o=r', got %r"
            if isinstance(mode, int):
                if mode != stat.S_IMODE(mode) or mode < 0:
                    raise ValueError(problem % (mode,))
            else:
                try:
                    octal = int(str(mode), 8)
                except ValueError:
                    try:
                        self.module._symbolic_mode_to_octal(_Stat(0o644), str(mode))  # pylint: disable=protected-access
                    except Exception:  # pylint: disable=broad-exception-caught
                        raise ValueError(problem % (mode,))
                else:
                    if octal != stat.S_IMODE(octal):
                        raise ValueError(problem % (mode,))
        for option, lookup in (('owner', pwd.getpwnam), ('group', grp.getgrnam)):
            name = params.get(option)
            if name is None or str(name).isdigit():
                continue
            try:
                lookup(name)
            except KeyError:
                raise ValueError('%s: there is no %s %r on this host' % (option, 'user' if option == 'owner' else
                                                                         'group', name))

    def resulting_mode(self, path):
        """The permission bits ``path`` has after a write with the ``mode`` option: a symbolic mode counts from the
        file's current mode when it exists, else from a new file's (see :meth:`_mode_of_new_file`)."""
        if path and os.path.isfile(path):
            current = stat.S_IMODE(os.stat(path).st_mode)
            return current if self.mode is None else self._mode_from(self.mode, current)
        return self._mode_of_new_file(self.mode)

    def file_args(self, path, secret=False, keep_mode=False):
        """The file arguments for ``path``: the module's, with ``mode`` 0600 for a ``secret`` and none (the mode is
        left as it is) with ``keep_mode``."""
        params = dict(self.module.params)
        params['mode'] = None if keep_mode else (SECRET_MODE if secret else self.mode)
        return self.module.load_file_common_arguments(params, path=path)

    # -- the writes ---------------------------------------------------------------------------------------------------

    def write(self, path, content, secret=False):
        """Make ``path`` hold ``content`` (bytes, or text written as UTF-8) with the file arguments. Returns True when
        the content or an attribute changed (in check mode: would change; nothing is written)."""
        wanted = to_bytes(content, errors='surrogate_or_strict')
        args = self.file_args(path, secret=secret)
        exists = os.path.lexists(path)
        if exists and not os.path.isfile(path):
            raise FileWriteError('%s is not a regular file' % path)
        content_changed = not exists or read_bytes(path) != wanted
        diff = dict(before=dict(state='file' if exists else 'absent'), after=dict(state='file'))
        try:
            if content_changed and exists and self.backup and not secret and not self.check_mode:
                self.backup_files[path] = self.module.backup_local(path)
            attributes_changed = False
            if exists:
                # check mode: the prediction; else the attributes set before the content, which then lands with them
                attributes_changed = self.module.set_fs_attributes_if_different(args, False, diff)
            if content_changed and not self.check_mode:
                if not exists:
                    args['mode'] = self._mode_of_new_file(args['mode'])
                self._replace(path, wanted)
                attributes_changed = self.module.set_fs_attributes_if_different(args, attributes_changed)
        except FileWriteError:
            raise
        except Exception as exc:  # pylint: disable=broad-exception-caught
            raise FileWriteError('could not write %s: %s' % (path, exc))
        if content_changed or attributes_changed:
            self.diffs[path] = diff
        return content_changed or attributes_changed

    def set_attributes(self, path, secret=False, keep_mode=False):
        """Give the existing file ``path`` the file arguments (``secret``: mode 0600; ``keep_mode``: its mode left
        alone), its content untouched. Returns True when an attribute changed (or would, in check mode); False when
        there is no file."""
        if not os.path.isfile(path):
            return False
        diff = dict(before=dict(state='file'), after=dict(state='file'))
        try:
            changed = self.module.set_fs_attributes_if_different(self.file_args(path, secret, keep_mode), False, diff)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            raise FileWriteError('could not set the attributes of %s: %s' % (path, exc))
        if changed:
            self.diffs[path] = diff
        return changed

    def move(self, source, path, secret=False):
        """Move the file ``source`` onto ``path`` (``atomic_move``: atomic, SELinux context of the file it replaces)
        and give it the file arguments. Returns True (in check mode nothing is moved)."""
        if self.check_mode:
            return True
        try:
            with private_umask():
                self.module.atomic_move(os.path.abspath(source), os.path.abspath(path),
                                        unsafe_writes=bool(self.module.params.get('unsafe_writes')))
            self.module.set_fs_attributes_if_different(self.file_args(path, secret=secret), False)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            raise FileWriteError('could not move %s to %s: %s' % (source, path, exc))
        self.diffs[path] = dict(before=dict(state='file'), after=dict(state='file'))
        return True

    def _mode_of_new_file(self, mode):
        """A symbolic mode of a new file counts from the mode the umask gives it (as for ansible.builtin.copy), not
        from the 0600 it is created with; no mode at all means that umask's mode."""
        umask_mode = 0o666 & ~current_umask()
        return umask_mode if mode is None else self._mode_from(mode, umask_mode)

    def _mode_from(self, mode, base):
        """``mode`` (a number, octal text or a symbolic mode counted from the bits ``base``) as permission bits."""
        if isinstance(mode, int):
            return mode
        try:
            return int(str(mode), 8)
        except ValueError:
            return self.module._symbolic_mode_to_octal(_Stat(base), str(mode))  # pylint: disable=protected-access

    def _replace(self, path, content):
        """``content`` into a temporary file beside ``path``, renamed over it by ``atomic_move``; the temporary file
        is removed when anything fails."""
        directory = os.path.dirname(os.path.abspath(path))
        handle, temporary = tempfile.mkstemp(dir=directory, prefix='.%s.' % os.path.basename(path), suffix='.tmp')
        try:
            with os.fdopen(handle, 'wb') as stream:
                stream.write(content)
            with private_umask():
                self.module.atomic_move(temporary, os.path.abspath(path),
                                        unsafe_writes=bool(self.module.params.get('unsafe_writes')))
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
