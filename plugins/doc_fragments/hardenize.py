# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # Hardenize credentials and connection options, shared by every hardenize_* module.
    DOCUMENTATION = r'''
options:
  api_user:
    description:
      - User name of the Hardenize service account (HTTP Basic authentication).
      - If not set, the value of the E(HARDENIZE_API_USER) environment variable is used.
    type: str
    required: true
  api_password:
    description:
      - Password of the Hardenize service account.
      - If not set, the value of the E(HARDENIZE_API_PASSWORD) environment variable is used.
    type: str
    required: true
  org:
    description:
      - The organization label, the last segment of the account's URL (for example V(feistyduck)).
      - If not set, the value of the E(HARDENIZE_ORG) environment variable is used.
    type: str
    required: true
  api_url:
    description:
      - Base URL of the Hardenize API; requests go to C(<api_url>/v1/org/<org>/).
      - If not set, the value of the E(HARDENIZE_API_URL) environment variable is used.
    type: str
    default: https://api.hardenize.com
notes:
  - The API allows about one request per second with a burst allowance, and five concurrent requests. The modules read
    the C(X-Request-Allowance) header of every answer and slow down before the allowance runs out; a C(429) answer is
    waited out (C(Retry-After)) and retried, a write only after the module re-read the state to make sure it had not
    landed.
  - Use C(module_defaults) with C(group/domainsec.onboard.hardenize) to set the credentials once per play.
  - An environment variable named for an option is used only when it is set and not empty; an empty one counts as
    unset.
'''
