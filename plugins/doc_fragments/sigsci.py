# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Signal Sciences credentials and connection options, shared by every sigsci_* module.
    DOCUMENTATION = r'''
options:
  email:
    description:
      - E-mail address of the Signal Sciences user the API access token belongs to (sent as C(x-api-user)).
      - If not set, the value of the E(SIGSCI_EMAIL) environment variable is used.
    type: str
    required: true
  api_token:
    description:
      - A personal API access token of that user (sent as C(x-api-token)); create one under My Profile, API Access
        Tokens.
      - If not set, the value of the E(SIGSCI_TOKEN) environment variable is used.
    type: str
    required: true
  corp:
    description:
      - The corp's short name (the first path segment after C(/corps/) in the console's URLs).
      - If not set, the value of the E(SIGSCI_CORP) environment variable is used.
    type: str
    required: true
  api_url:
    description:
      - Base URL of the API including C(/api/v0); requests go to C(<api_url>/corps/<corp>/...).
      - If not set, the value of the E(SIGSCI_API_URL) environment variable is used.
    type: str
    default: https://dashboard.signalsciences.net/api/v0
notes:
  - A refused token (HTTP 401) or a user without the rights (HTTP 403) fails with "the credentials were refused",
    never with "not found".
  - Use C(module_defaults) with C(group/domainsec.onboard.sigsci) to set the credentials once per play.
  - An environment variable named for an option is used only when it is set and not empty; an empty one counts as
    unset.
'''
