#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: certificate_files
short_description: Install a certificate beside its own private key on the host where it runs
version_added: 1.0.0
description:
  - Writes an issued certificate, its chain and the full chain on the host the task runs on (a web server), only
    beside the key the certificate belongs to. It talks to no vendor; the certificate comes from
    M(domainsec.onboard.cyberssl_order) (RV(domainsec.onboard.cyberssl_order#module:certificate) and
    RV(domainsec.onboard.cyberssl_order#module:chain)).
  - Uses the layout of M(domainsec.onboard.cyberssl_order) and the C(onboard_domain) role. When the certificate belongs
    to the key at O(private_key_path), the files whose content or attributes (mode, owner, group, SELinux context)
    differ are written, atomically. When it
    belongs to the key waiting at C(<private_key_path>.new) (a renewal with a new key), the key and files in place are
    kept as C(.previous), the new files are written and the new key takes the place of the old one, in that order.
  - When the certificate belongs to neither key, nothing is written and the task fails. The keys are only read
    (their public part is compared); a key never appears in a result, a diff or the log.
  - A key keeps mode C(0600) whatever O(mode); it gets O(owner), O(group) and the SELinux context. The key in place is
    not rewritten, and keeps its mode.
author:
  - domainsec.onboard contributors (@domainsec)
attributes:
  check_mode:
    support: full
    description: Reports the files that would be written; writes nothing.
  diff_mode:
    support: full
    description: The serial number and validity of the certificate at O(certificate_path) before and after, and the
      files that change. Never a key.
  platform:
    support: full
    platforms: posix
    description: Runs on the host that holds the key (a web server), with C(delegate_to) when the play's host is
      another.
extends_documentation_fragment:
  - ansible.builtin.files
  - domainsec.onboard.certificate_files
options:
  certificate:
    description: The certificate (PEM).
    type: str
    required: true
  chain:
    description: The intermediate chain (PEM). Without it, O(chain_path) is not written and the full chain is the
      certificate alone.
    type: str
    default: ''
  private_key_path:
    description:
      - The key of the certificate files (mode C(0600)), or the key in use while a new one waits at
        C(<private_key_path>.new).
      - In check mode a key that is not there yet (an earlier task in check mode did not make or copy it) gives a
        warning, and the files are reported as to be written.
    type: path
    required: true
  certificate_path:
    description: Where the certificate goes.
    type: path
    required: true
  chain_path:
    description: Where the chain goes.
    type: path
  fullchain_path:
    description: Where the certificate followed by the chain goes.
    type: path
  mode:
    description:
      - File mode of the certificate files and their C(.previous) copies, octal (for example V('0644')) or symbolic
        (for example V('u=rw,g=r,o=r')), as for M(ansible.builtin.copy).
      - A key written or moved into place gets C(0600) whatever this option; the key in place keeps its mode.
    type: raw
    default: '0644'
notes:
  - The directory of each path must exist.
  - O(owner), O(group), O(setype) and the other file options apply to every file the task manages, the key included.
seealso:
  - module: domainsec.onboard.cyberssl_order
  - module: community.crypto.openssl_privatekey
'''

EXAMPLES = r'''
# The key is made on the web server and never leaves it; the CSR made from it is what CyberSSL signs.
- name: Make the key on web1
  community.crypto.openssl_privatekey:
    path: "{{ tls_dir | default('/etc/ssl') }}/shop.example.com.key"
    type: RSA
    size: 2048
    mode: "0600"
  delegate_to: web1.example.com

- name: Make the CSR from it
  community.crypto.openssl_csr:
    path: "{{ tls_dir | default('/etc/ssl') }}/shop.example.com.csr"
    privatekey_path: "{{ tls_dir | default('/etc/ssl') }}/shop.example.com.key"
    common_name: shop.example.com
    subject_alt_name: [DNS:shop.example.com]
    return_content: true
  delegate_to: web1.example.com
  register: shop_csr

- name: Order the certificate with that CSR
  domainsec.onboard.cyberssl_order:
    primary_domain: shop.example.com
    product_id: 17
    csr: "{{ shop_csr.csr }}"
    dv_zones: [example.com]
    admin_contact: &contact
      first_name: Jane
      last_name: Doe
      phone: "+1.5555550100"
      title: Platform engineer
      email: hostmaster@example.com
  register: shop_order

- name: Publish the validation records
  domainsec.onboard.ssdns_record:
    domain: "{{ item.zone }}"
    type: "{{ item.type }}"
    name: "{{ item.name }}"
    value: "{{ item.value }}"
  loop: "{{ shop_order.dv_records }}"

- name: Wait for the certificate
  domainsec.onboard.cyberssl_order:
    primary_domain: shop.example.com
    product_id: 17
    csr: "{{ shop_csr.csr }}"
    admin_contact: *contact
    wait: true
  register: shop_order

# Usually with notify: a handler that reloads the web server (once per run, only when a file changed).
- name: Install it beside its key on web1
  domainsec.onboard.certificate_files:
    certificate: "{{ shop_order.certificate }}"
    chain: "{{ shop_order.chain }}"
    private_key_path: "{{ tls_dir | default('/etc/ssl') }}/shop.example.com.key"
    certificate_path: "{{ tls_dir | default('/etc/ssl') }}/shop.example.com.crt"
    chain_path: "{{ tls_dir | default('/etc/ssl') }}/shop.example.com.chain.pem"
    fullchain_path: "{{ tls_dir | default('/etc/ssl') }}/shop.example.com.fullchain.pem"
  delegate_to: web1.example.com
'''

RETURN = r'''
files_changed:
  description: The files written or whose attributes changed (or that would be), C(.previous) copies and a key moved
    into place included.
  returned: always
  type: list
  elements: str
  sample: [/etc/ssl/domainsec/shop.example.com.crt]
key_promoted:
  description: The certificate was for the key waiting at C(<private_key_path>.new), which took the place of the old
    key (or would, in check mode).
  returned: always
  type: bool
certificate_info:
  description: Serial number (colon-separated hex) and validity of the certificate.
  returned: always
  type: dict
  sample: {serial: "5D:0B:8E:21:3C:77:A9:10", not_before: "2026-11-25T00:00:00Z", not_after: "2027-11-26T00:00:00Z"}
backup_files:
  description: With O(backup), each file whose content was replaced and its backup.
  returned: when a backup was made
  type: dict
  sample: {/etc/ssl/shop.example.com.crt: "/etc/ssl/shop.example.com.crt.2811.2027-10-28@03:00:12~"}
'''

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.domainsec.onboard.plugins.module_utils import cert_files
from ansible_collections.domainsec.onboard.plugins.module_utils.file_writer import FileWriteError, FileWriter
from ansible_collections.domainsec.onboard.plugins.module_utils.x509 import CertificateError, certificate_summary


def summary(path):
    """The serial and validity of the certificate at ``path``, or None when there is none (or it cannot be read)."""
    try:
        text = cert_files.read_text(path)
        return certificate_summary(text) if text is not None else None
    except CertificateError:
        return None


def install(module):
    params = module.params
    try:
        info = certificate_summary(params['certificate'])
    except CertificateError as exc:
        module.fail_json(msg='certificate is not a PEM certificate (%s)' % exc)
    writer = FileWriter(module)
    try:
        writer.check()
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    keys = cert_files.KeyFiles(params['private_key_path'], secret=module.no_log_values.add)
    for option in ('certificate_path', 'chain_path', 'fullchain_path', 'private_key_path'):
        directory = os.path.dirname(os.path.abspath(params[option] or '/'))
        if params[option] and not os.path.isdir(directory):
            module.fail_json(msg='%s %s: the directory %s does not exist' % (option, params[option], directory))
    files = cert_files.certificate_files(dict(certificate=params['certificate_path'], chain=params['chain_path'],
                                              fullchain=params['fullchain_path']),
                                         params['certificate'], params['chain'])
    before = summary(params['certificate_path'])
    if not keys.has('current') and not keys.has('new'):
        problem = 'no key at private_key_path %s (nor %s%s)' % (keys.path, keys.path, cert_files.PENDING)
        if not module.check_mode:
            module.fail_json(msg=problem + ': a certificate is written only beside its key; nothing was written')
        module.warn(problem + ' (an earlier task in check mode may not have made it): the files would be written once '
                    'it is there')
        holder = 'current'
    else:
        holder = keys.holder(params['certificate'])
    if holder is None:
        module.fail_json(msg='the certificate (serial %s) belongs neither to the key at %s nor to %s%s: nothing was '
                             'written' % (info['serial'], keys.path, keys.path, cert_files.PENDING),
                         certificate_info=info, files_changed=[], key_promoted=False)
    if holder == 'unknown':
        module.warn('the key at %s cannot be compared with the certificate (encrypted, or a format this module does '
                    'not read): the files are written without that check' % keys.path)
    try:
        written = cert_files.place(writer, keys, holder, files)
    except FileWriteError as exc:
        module.fail_json(msg=str(exc), changed=bool(writer.diffs), files_changed=sorted(writer.diffs), key_promoted=False,
                         certificate_info=info)
    result = dict(changed=bool(written), files_changed=written, key_promoted=holder == 'new', certificate_info=info)
    if writer.backup_files:
        result['backup_files'] = writer.backup_files
    if module._diff:
        result['diff'] = dict(before=dict(certificate=before, files_changed=[]),
                              after=dict(certificate=info if written else before, files_changed=written))
    module.exit_json(**result)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            certificate=dict(type='str', required=True),
            chain=dict(type='str', default=''),
            private_key_path=dict(type='path', required=True, no_log=False),
            certificate_path=dict(type='path', required=True),
            chain_path=dict(type='path'),
            fullchain_path=dict(type='path'),
            mode=dict(type='raw', default='0644'),
            backup=dict(type='bool', default=False),
        ),
        add_file_common_args=True,
        supports_check_mode=True,
    )
    install(module)


if __name__ == '__main__':
    main()
