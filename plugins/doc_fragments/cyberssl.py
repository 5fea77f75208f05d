# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # CyberSSL credentials and connection options, shared by every cyberssl_* module.
    DOCUMENTATION = r'''
options:
  api_key:
    description:
      - The CyberSSL API key (profile settings page). It is exchanged for a session token once per task; the token
        is masked in every output.
      - If not set, the value of the E(CYBERSSL_API_KEY) environment variable is used.
    type: str
    required: true
  sandbox:
    description:
      - Use the vendor's test API (C(https://api.cyberssl.com/sandbox/v1)) instead of the live one
        (C(https://api.cyberssl.com/v1)). Ignored when O(api_url) is set.
    type: bool
    default: false
  api_url:
    description:
      - Base URL of the API including the version path, for example C(https://api.cyberssl.com/v1); methods are
        appended (C(<api_url>/add_ssl_order)). Must be C(https://).
      - If not set, the value of the E(CYBERSSL_API_URL) environment variable is used; if neither is set, O(sandbox)
        picks the URL.
    type: str
notes:
  - Use C(module_defaults) with C(group/domainsec.onboard.cyberssl) to set the credentials once per play.
  - An environment variable named for an option is used only when it is set and not empty; an empty one counts as
    unset.
'''
