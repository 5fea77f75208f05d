# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Verification of Hardenize event deliveries (webhook signatures).

Hardenize signs ``<t>;<body>`` with HMAC-SHA256 and the hook's secret, where
``t`` is the delivery time in milliseconds since the epoch, and sends
``X-Hardenize-Signature: t=<t>; hmac-sha256=<hex>``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import hmac
import re
import time

_HEX = re.compile(r'^[0-9a-fA-F]{64}$')


def parse_signature_header(header):
    """``t=...; hmac-sha256=...`` → (timestamp_ms, hex) or None when malformed."""
    if not isinstance(header, str):
        return None
    fields = {}
    for part in header.split(';'):
        if not part.strip():
            continue
        if '=' not in part:
            return None
        key, value = part.split('=', 1)
        fields[key.strip().lower()] = value.strip()
    timestamp, signature = fields.get('t'), fields.get('hmac-sha256')
    if not timestamp or not timestamp.isdigit() or not signature or not _HEX.match(signature):
        return None
    return int(timestamp), signature.lower()


def compute_signature(body, secret, timestamp_ms):
    """Hex HMAC-SHA256 of ``<timestamp_ms>;<body>`` keyed with ``secret``."""
    if isinstance(body, str):
        body = body.encode('utf-8')
    if isinstance(secret, str):
        secret = secret.encode('utf-8')
    return hmac.new(secret, str(timestamp_ms).encode('ascii') + b';' + body, hashlib.sha256).hexdigest()


def signature_valid(body, header, secret, max_age=300, now=None):
    """True when ``header`` is a valid signature of ``body`` made with ``secret`` at most ``max_age`` s ago.

    ``body`` must be the verbatim request body (str or bytes). ``max_age=0``
    disables the age check (not recommended: replays). A timestamp more than
    ``max_age`` in the future is rejected too (clock skew).
    """
    if body is None or not secret:
        return False
    parsed = parse_signature_header(header)
    if parsed is None:
        return False
    timestamp_ms, signature = parsed
    if max_age:
        now = time.time() if now is None else now
        if abs(now - timestamp_ms / 1000.0) > max_age:
            return False
    return hmac.compare_digest(compute_signature(body, secret, timestamp_ms), signature)
