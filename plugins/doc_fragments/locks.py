# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The lock directory of plugins/module_utils/locks.py, for the modules that serialise runs on one controller.
    DOCUMENTATION = r'''
options:
  lock_dir:
    description:
      - Directory of the lock files that keep two runs of the same task on one controller from reading, deciding
        and writing at the same time (created with mode C(0700) when missing).
      - Runs see each other only when they use the same directory. AWX / Automation Controller gives every job a
        private temporary directory, so set this (or E(DOMAINSEC_LOCK_DIR)) to a persistent volume mounted into the
        execution environments of the jobs that must see each other's locks.
      - If not set, the value of the E(DOMAINSEC_LOCK_DIR) environment variable is used, else
        C(domainsec-onboard-locks) in the controller's temporary directory.
    type: path
'''
