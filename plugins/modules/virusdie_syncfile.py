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
version_added: 0.2.0
description:
  - Downloads the account's synchronization file (C(syncfile_get)), which Virusdie needs in a site's web root to scan
    it, to O(dest) on the controller - so a play can copy it into the web root with M(ansible.builtin.copy) and then
    scan with M(domainsec.onboard.virusdie_site).
  - The file carries the account's keys. Its content never appears in a result, a diff or the trace.
  - Idempotent by checksum - the file is only written when its content differs; the file's mode is set when given.
author:
  - domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.virusdie
  - domainsec.onboard.transport
attributes:
  check_mode:
    support: full
    description: Downloads the file (a read) and reports whether it would be written; writes nothing.
  diff_mode:
    support: partial
    description:
      - The content is a secret, so the diff shows the file's path, SHA-1 checksum and size before and after, never
        the content. A change of mode alone is not in the diff.
options:
  dest:
    description:
      - Where to put the file. When it is an existing directory, the file is written inside it under the name
        Virusdie gives (C(vdconnect-<id>.php)).
      - Its directory must exist; otherwise the task fails before any request, also in check mode.
    type: path
    required: true
  mode:
    description: Permissions of the file, as for M(ansible.builtin.copy), for example V('0640').
    type: raw
    default: '0600'
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
api_trace:
  description: Redacted trace of every HTTP request of the run (the file's content is never in it).
  returned: with -vvv or on failure
  type: list
  elements: str
'''

import hashlib
import os
import tempfile

from ansible_collections.domainsec.onboard.plugins.module_utils import virusdie as vd
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module


def main():
    spec = vd.VirusdieClient.argument_spec()
    spec.update(dest=dict(type='path', required=True), mode=dict(type='raw', default='0600'))
    module = new_module(argument_spec=spec, supports_check_mode=True)
    dest = module.params['dest']
    if not os.path.isdir(dest) and not os.path.isdir(os.path.dirname(dest) or '.'):
        module.fail_json(msg='dest: the directory %s does not exist' % (os.path.dirname(dest) or '.'))
    run_module(module, vd.VirusdieClient, lambda client: run(module, client))


def run(module, client):
    dest = module.params['dest']
    filename, content = client.syncfile()
    path = os.path.join(dest, filename) if os.path.isdir(dest) else dest
    checksum = hashlib.sha1(content).hexdigest()
    current = None
    if os.path.isfile(path):
        with open(path, 'rb') as handle:
            current = hashlib.sha1(handle.read()).hexdigest()
    changed = current != checksum
    result = dict(path=path, filename=filename, checksum=checksum, size=len(content))
    if module._diff:
        before = dict(path=path, state='absent')
        if current is not None:
            before = dict(path=path, state='file', checksum=current, size=os.path.getsize(path))
        result['diff'] = dict(before=before, after=dict(path=path, state='file', checksum=checksum, size=len(content)))
    if not module.check_mode:
        if changed:
            handle, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or '.', prefix='.virusdie-')
            with os.fdopen(handle, 'wb') as out:
                out.write(content)
            os.chmod(tmp, 0o600)
            module.atomic_move(tmp, path)
        file_args = module.load_file_common_arguments(dict(path=path, mode=module.params['mode']))
        changed = module.set_fs_attributes_if_different(file_args, changed)
    result['changed'] = changed
    return result


if __name__ == '__main__':
    main()
