# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The ownership and backup of the certificate files (plugins/module_utils/cert_files.py, written with
    # file_writer.FileWriter), for the modules that write them: cyberssl_order and certificate_files.
    DOCUMENTATION = r'''
options:
  owner:
    description:
      - Owner of the certificate files, their C(.previous) copies and the key at O(private_key_path), as for
        M(ansible.builtin.copy). Not set, a file keeps its owner, and a new one belongs to the user the module runs as.
    type: str
  group:
    description:
      - Group of the certificate files, their C(.previous) copies and the key. Not set, as for O(owner).
    type: str
  backup:
    description:
      - Before the content of a certificate file (or of a C(.previous) copy) is replaced, keep the old file as a
        timestamped backup beside it (C(<file>.<pid>.<date>@<time>~)), as M(ansible.builtin.copy) does. The backups
        made are in RV(backup_files).
      - No backup is made of a key (a key that is replaced stays as C(<private_key_path>.previous)), nor when only
        attributes change, nor in check mode.
    type: bool
    default: false
'''
