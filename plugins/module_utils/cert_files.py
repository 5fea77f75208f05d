# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A certificate's files and its key on disk, kept so that a certificate is never written beside a key it does not
belong to.

The layout (``private_key_path`` and the certificate paths of ``cyberssl_order``; the ``onboard_domain`` role uses
the same names):

``<key>``            the key of the certificate files;
``<key>.new``        a new key whose certificate is not issued yet (a renewal with a fresh key, a key made by the
                     vendor while another one is in use); the certificate files still belong to ``<key>``;
``<file>.previous``  the key and certificate files as they were before the last change of key, kept until the next
                     one (a way back if the new certificate has to be taken out again).

When the certificate for ``<key>.new`` is issued, :meth:`KeyFiles.promote` keeps the old files as ``.previous``,
writes the new certificate files and moves ``<key>.new`` to ``<key>``, in that order: a run that dies in between
leaves ``<key>.new`` in place, and the next run promotes it again.

Every file is written through :class:`~ansible_collections.domainsec.onboard.plugins.module_utils.file_writer.FileWriter`
(the collection's one file writer: atomic, the module's file arguments, check mode, backups). A key is written as a
``secret`` (mode 0600 whatever the ``mode`` option, no backup); a key this module did not write keeps its mode, and
gets only the owner, group and SELinux context asked for.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.domainsec.onboard.plugins.module_utils.file_writer import read_bytes
from ansible_collections.domainsec.onboard.plugins.module_utils.x509 import same_key

PENDING = '.new'
PREVIOUS = '.previous'


def read_text(path):
    """The file's text, or None when there is no file at ``path``."""
    content = read_bytes(path)
    return None if content is None else content.decode('utf-8', 'replace')


class KeyFiles(object):
    """The keys at ``path`` (the key of the certificate files) and ``path.new`` (a key waiting for its certificate).

    ``secret(text)`` is called with every key text read or written (a module registers it as a no-log value).
    """

    def __init__(self, path, secret=lambda text: None):
        self.path = path
        self.new_path = path + PENDING if path else None
        self.secret = secret
        self.pem = {}
        self.reload()

    def reload(self):
        for which, where in (('current', self.path), ('new', self.new_path)):
            text = read_text(where)
            if text is not None and text.strip():
                self.secret(text.strip())
            self.pem[which] = text if text and text.strip() else None

    def has(self, which='current'):
        return self.pem.get(which) is not None

    def holder(self, pem):
        """Which key file holds the key of ``pem`` (a certificate or CSR): ``'current'``, ``'new'``, None when
        neither does, ``'unknown'`` when a key there cannot be compared (encrypted, no public part)."""
        unknown = False
        for which in ('current', 'new'):
            if self.pem.get(which) is None:
                continue
            match = same_key(self.pem[which], pem)
            if match:
                return which
            if match is None:
                unknown = True
        return 'unknown' if unknown else None

    def store(self, writer, key):
        """Write a new key with ``writer`` (a secret: mode 0600): to ``path`` when no key is there yet, else to
        ``path.new`` (the key in place still belongs to the certificate files). Returns the path written."""
        self.secret(key.strip())
        target = self.new_path if self.has('current') else self.path
        writer.write(target, key.strip() + '\n', secret=True)
        self.reload()
        return target

    def promote(self, writer, certificate_files):
        """The certificate of ``path.new`` is issued: keep the key and the certificate files in place as
        ``.previous``, write ``certificate_files`` (``{path: content}``) and move ``path.new`` to ``path``, all with
        ``writer``. Returns the paths written (in check mode: that would be; nothing is written)."""
        written = []
        for path in [self.path] + sorted(certificate_files):
            old = read_bytes(path)
            if old is not None and writer.write(path + PREVIOUS, old, secret=path == self.path):
                written.append(path + PREVIOUS)
        for path, content in sorted(certificate_files.items()):
            if writer.write(path, content):
                written.append(path)
        writer.move(self.new_path, self.path, secret=True)
        written.append(self.path)
        if not writer.check_mode:
            self.reload()
        return written


def certificate_files(paths, certificate, chain):
    """``{path: content}`` of the certificate files: ``paths`` maps ``certificate``, ``chain`` and ``fullchain`` to a
    path (or None, not written)."""
    leaf, chain = (certificate or '').strip(), (chain or '').strip()
    if not leaf:
        return {}
    files = {}
    for which, content in (('certificate', leaf), ('chain', chain),
                           ('fullchain', '\n'.join(part for part in (leaf, chain) if part))):
        if paths.get(which) and content:
            files[paths[which]] = content + '\n'
    return files


def place(writer, keys, holder, files):
    """Put the certificate ``files`` (``{path: content}``) beside their key with ``writer``: nothing when the
    certificate is for neither key (``holder`` None), the promotion of ``<key>.new`` when it is for that key, else the
    files whose content or attributes differ, and the owner, group and SELinux context of the key in place (its mode
    is left alone). Returns the paths written (or that would be, in check mode)."""
    if holder is None:
        return []
    if holder == 'new':
        return keys.promote(writer, files)
    written = [path for path, content in sorted(files.items()) if writer.write(path, content)]
    if keys.path and keys.has('current') and writer.set_attributes(keys.path, keep_mode=True):
        written.append(keys.path)
    return written
