# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Attributes every _info module shares: it only reads.
    INFO_MODULE = r'''
attributes:
  check_mode:
    support: full
    description: The module only reads; it runs the same in check mode.
  diff_mode:
    support: none
    description: The module only reads; there is nothing to diff.
'''
