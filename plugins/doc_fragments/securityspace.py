# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # SecuritySpace credentials and connection options, shared by every ss* module.
    DOCUMENTATION = r'''
options:
  api_key:
    description:
      - The SecuritySpace API key, sent on every call.
      - If not set, the value of the E(SECURITYSPACE_API_KEY) environment variable is used.
    type: str
    required: true
  userid:
    description:
      - The SecuritySpace account user id used to obtain a session token.
      - If not set, the value of the E(SECURITYSPACE_USERID) environment variable is used.
    type: str
    required: true
  password:
    description:
      - The SecuritySpace account password.
      - If not set, the value of the E(SECURITYSPACE_PASSWORD) environment variable is used.
    type: str
    required: true
  api_url:
    description:
      - Base URL of the SecuritySpace API; endpoints are C(<api_url>/<endpoint>.php).
      - Must be C(https://); the vendor refuses plain HTTP.
      - If not set, the value of the E(SECURITYSPACE_API_URL) environment variable is used.
    type: str
    default: https://secure1.securityspace.com/api
notes:
  - The module authenticates at most once per run (one C(auth.php) call) and re-authenticates once when the
    session token expired during the run.
  - Use C(module_defaults) with C(group/domainsec.onboard.securityspace) to set the credentials once per play.
  - An environment variable named for an option is used only when it is set and not empty; an empty one counts as
    unset.
'''
