# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Verification of Hardenize event deliveries (webhook signatures).

Hardenize signs ``<t>;<body>`` with HMAC-SHA256 and the hook's secret, where
``t`` is the delivery time in milliseconds since the epoch, and sends
``X-Hardenize-Signature: t=<t>; hmac-sha256=<hex>``.

:func:`signature_valid` (the ``hardenize_signature_valid`` filter) answers
true or false for one secret; :func:`verify_signature` (the
``hardenize_webhook`` event source) accepts several secrets during a rotation
and says why a delivery was refused and how old its signature is.
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


def verify_signature(body, header, secrets, max_age=300, now=None):
    """Check a delivery against one or several secrets (secret rotation); ``(reason, age)``.

    ``reason`` is ``''`` when ``header`` is a valid signature of ``body`` made
    with any of ``secrets`` (a string or a list of strings) at most ``max_age``
    seconds away from now, else one of ``'no secret'``, ``'missing body'``, ``'missing signature'``,
    ``'malformed signature'``, ``'stale signature'`` (older or newer than
    ``max_age``) and ``'signature mismatch'``. ``age`` is ``now - t`` in
    seconds, or None when the header could not be parsed. Same rules as
    :func:`signature_valid`: ``max_age=0`` disables the age check, and every
    secret is compared in constant time (all of them, whether one matched or not).
    """
    if isinstance(secrets, (str, bytes)):
        secrets = [secrets]
    secrets = [secret for secret in (secrets or []) if secret]
    if not secrets:
        return 'no secret', None
    if body is None:
        return 'missing body', None
    if header is None or (isinstance(header, str) and not header.strip()):
        return 'missing signature', None
    parsed = parse_signature_header(header)
    if parsed is None:
        return 'malformed signature', None
    timestamp_ms, signature = parsed
    now = time.time() if now is None else now
    age = now - timestamp_ms / 1000.0
    if max_age and abs(age) > max_age:
        return 'stale signature', age
    matched = False
    for secret in secrets:
        if hmac.compare_digest(compute_signature(body, secret, timestamp_ms), signature):
            matched = True
    return ('' if matched else 'signature mismatch'), age
