# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Virusdie credentials and connection options, shared by every virusdie_* module.
    DOCUMENTATION = r'''
options:
  api_key:
    description:
      - The Virusdie API key (C(client_api_key)), sent as the C(apikey) cookie.
      - If not set, the value of the E(VIRUSDIE_API_KEY) environment variable is used.
    type: str
    required: true
  mac_key:
    description:
      - The MAC key (C(client_mac_key)) of the API key. When set, every request carries the C(apimac) cookie, the
        HMAC-MD5 of the request's path and query exactly as sent. Leave it out for a key whose signature check is
        disabled.
      - If not set, the value of the E(VIRUSDIE_MAC_KEY) environment variable is used.
    type: str
  api_url:
    description:
      - Base URL of the API including C(/api); methods are appended (C(<api_url>/<method>/...)).
      - If not set, the value of the E(VIRUSDIE_API_URL) environment variable is used.
    type: str
    default: https://virusdie.com/api
notes:
  - Use C(module_defaults) with C(group/domainsec.onboard.virusdie) to set the credentials once per play.
  - An environment variable named for an option is used only when it is set and not empty; an empty one counts as
    unset.
'''
