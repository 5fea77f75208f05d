# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every unit test gets a lock directory of its own (DOMAINSEC_LOCK_DIR): the shared pacing of the Hardenize and
Virusdie clients (plugins/module_utils/pacing.py) keeps its state there, and a refusal scripted by one test must not
hold the next one, nor a test run of another checkout on this machine."""

import pytest


@pytest.fixture(autouse=True)
def own_lock_dir(tmp_path_factory, monkeypatch):
    monkeypatch.setenv('DOMAINSEC_LOCK_DIR', str(tmp_path_factory.mktemp('locks')))
