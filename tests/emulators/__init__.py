# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Local HTTPS emulators of the vendor APIs (see base.py for how to add one).

Imported as the top-level package ``emulators`` (``tests/`` on sys.path).
"""
