# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A real AnsibleModule with Ansible's common file arguments, for the unit tests of code that writes files."""

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args


def file_module(params=None, check_mode=False, diff=False):
    """An AnsibleModule (``add_file_common_args``, ``backup``, check mode as asked) whose params are then updated with
    ``params`` (any option a module under test reads, file options included)."""
    with patch_module_args(dict(_ansible_check_mode=check_mode, _ansible_diff=diff)):
        module = AnsibleModule(argument_spec=dict(backup=dict(type='bool', default=False)), add_file_common_args=True,
                               supports_check_mode=True)
    module.params.update(params or {})
    module.warnings = []
    module.warn = module.warnings.append
    return module
