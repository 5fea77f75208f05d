#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: virusdie_syncfile
short_description: Download the Virusdie synchronization file
version_added: 1.0.0
description:
  - Downloads the account's synchronization file (C(syncfile_get)), which Virusdie needs in a site's web root to scan
    it, to O(dest) on the controller - so a play can copy it into the web root with M(ansible.builtin.copy) and then
    scan with M(domainsec.onboard.virusdie_site).
  - The file carries the account's keys. Its content never appears in a result, a diff or the trace.
  - Idempotent by checksum - the file is only written (atomically) when its content differs; its mode, owner, group
    and SELinux context are set when they differ. A new file is readable by its owner only until its mode is set.
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.virusdie
  - domainsec.onboard.transport
  - ansible.builtin.files
attributes:
  check_mode:
    support: full
    description: Downloads the file (a read) and reports whether it would be written; writes nothing.
  diff_mode:
    support: partial
    description:
      - The content is a secret, so the diff shows the file's path, SHA-1 checksum and size before and after, never
        the content, and the mode, owner, group or SELinux context that change.
options:
  dest:
    description:
      - Where to put the file. When it is an existing directory, the file is written inside it under the name
        Virusdie gives (C(vdconnect-<id>.php)).
      - Its directory must exist; otherwise the task fails before any request, also in check mode.
    type: path
    required: true
  mode:
    description:
      - Permissions of the file, as for M(ansible.builtin.copy), for example V('0640') or V('u=rw,g=r,o=').
      - The file carries the account's API keys, so a mode that gives the group or others write permission (V('0660'),
        V('0777'), V('g+w')) fails before any request; one that lets others read it (V('0644')) gives a warning. A
        symbolic mode counts from the file's current mode, or from a new file's; when O(dest) is a directory the file's
        name is known only from the answer, so an existing file there is checked again before it is written.
    type: raw
    default: '0600'
  backup:
    description:
      - Before the content of the file is replaced, keep the old file as a timestamped backup beside it
        (C(<dest>.<pid>.<date>@<time>~)), as M(ansible.builtin.copy) does; the backup is in RV(backup_file). It carries
        the account's old keys, with the old file's mode.
      - No backup is made when only attributes change, nor in check mode.
    type: bool
    default: false
notes:
  - "Requests per run: 1 (C(syncfile_get))."
'''

EXAMPLES = r'''
- name: Fetch the sync file
  domainsec.onboard.virusdie_syncfile:
    dest: "{{ virusdie_dir | default('/srv/virusdie') }}/"
  register: syncfile

- name: Put it in the shop's web root
  ansible.builtin.copy:
    src: "{{ syncfile.path }}"
    dest: "{{ shop_web_root | default('/var/www/shop') }}/{{ syncfile.filename }}"
    mode: "0640"
  delegate_to: web1.example.com

- name: Scan the shop
  domainsec.onboard.virusdie_site:
    domains: [shop.example.com]
    scan: true
'''

RETURN = r'''
path:
  description: The file written (or that would be written).
  returned: success
  type: str
  sample: /srv/virusdie/vdconnect-12345678.php
filename:
  description: The name Virusdie gives the file; the name it must have in the web root.
  returned: success
  type: str
  sample: vdconnect-12345678.php
checksum:
  description: SHA-1 of the file's content (as ansible.builtin.copy reports it).
  returned: success
  type: str
size:
  description: Size in bytes.
  returned: success
  type: int
backup_file:
  description: With O(backup), the backup of the file whose content was replaced.
  returned: when a backup was made
  type: str
  sample: /srv/virusdie/vdconnect-12345678.php.2811.2027-10-28@03:00:12~
api_trace:
  description: Redacted trace of every HTTP request of the run (the file's content is never in it).
  returned: with -vvv or on failure
  type: list
  elements: str
'''

import hashlib
import os
import stat

from ansible_collections.domainsec.onboard.plugins.module_utils import virusdie as vd
from ansible_collections.domainsec.onboard.plugins.module_utils.file_writer import FileWriteError, FileWriter
from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module


def check_sync_file_mode(module, path):
    """Refuse a mode that lets the group or others write the sync file (it carries the account's keys, and the web
    server runs it); warn when others may read it. ``path``: the file, or None while its name is not known yet."""
    mode = FileWriter(module).resulting_mode(path)
    if mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise ValueError('mode: %s would let %s write the sync file%s, which carries the account\'s API keys and is run '
                         'by the web server; give it no group or other write permission, such as 0600 or 0640'
                         % (oct(mode)[2:].zfill(4), 'the group and others' if mode & stat.S_IWGRP and mode & stat.S_IWOTH
                            else 'the group' if mode & stat.S_IWGRP else 'others', ' ' + path if path else ''))
    if mode & stat.S_IROTH:
        return ('mode: %s lets every user of the host read the sync file%s, which carries the account\'s API keys; '
                '0600 or 0640 (and the web server\'s group) keeps them to the owner'
                % (oct(mode)[2:].zfill(4), ' ' + path if path else ''))
    return None


def main():
    spec = vd.VirusdieClient.argument_spec()
    spec.update(dest=dict(type='path', required=True), mode=dict(type='raw', default='0600'),
                backup=dict(type='bool', default=False))
    module = new_module(argument_spec=spec, supports_check_mode=True, add_file_common_args=True)
    dest = module.params['dest']
    try:
        FileWriter(module).check()
        warning = check_sync_file_mode(module, None if os.path.isdir(dest) else dest)
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    if warning:
        module.warn(warning)
    if not os.path.isdir(dest) and not os.path.isdir(os.path.dirname(dest) or '.'):
        module.fail_json(msg='dest: the directory %s does not exist' % (os.path.dirname(dest) or '.'))
    run_module(module, vd.VirusdieClient, lambda client: run(module, client, warned=bool(warning)))


def run(module, client, warned=False):
    dest = module.params['dest']
    filename, content = client.syncfile()
    path = os.path.join(dest, filename) if os.path.isdir(dest) else dest
    if path != dest and os.path.isfile(path):
        # Only now is the file known: a symbolic mode counts from its current mode. Checked before it is written.
        try:
            warning = check_sync_file_mode(module, path)
        except ValueError as exc:
            raise DomainsecError(str(exc), vendor=vd.VENDOR)
        if warning and not warned:
            module.warn(warning)
    checksum = hashlib.sha1(content).hexdigest()
    before = dict(path=path, state='absent')
    if os.path.isfile(path):
        with open(path, 'rb') as handle:
            old = handle.read()
        before = dict(path=path, state='file', checksum=hashlib.sha1(old).hexdigest(), size=len(old))
    result = dict(path=path, filename=filename, checksum=checksum, size=len(content))
    writer = FileWriter(module)
    try:
        changed = writer.write(path, content)
    except FileWriteError as exc:
        raise DomainsecError(str(exc), vendor=vd.VENDOR)
    if writer.backup_files.get(path):
        result['backup_file'] = writer.backup_files[path]
    if module._diff:
        after = dict(path=path, state='file', checksum=checksum, size=len(content))
        attributes = writer.diffs.get(path, dict(before={}, after={}))  # mode, owner, group, secontext: never content
        before.update((key, value) for key, value in attributes['before'].items() if key != 'state')
        after.update((key, value) for key, value in attributes['after'].items() if key != 'state')
        result['diff'] = dict(before=before, after=after)
    result['changed'] = changed
    return result


if __name__ == '__main__':
    main()
