# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The secret grep of the tests: every form a secret can take on the wire or in JSON.

Written out here, apart from ``http_transport.encoded_forms`` (what the collection masks), so that a form the
collection forgets is a form the tests still look for.
"""

import base64
import json
import re
from urllib.parse import quote, quote_plus


def wire_forms(secret):
    """``{form name: text}``: raw; URL-encoded with ``quote`` (nothing kept, ``/`` kept), ``quote_plus``, lower-case
    escapes; JSON-escaped (and with PHP's ``\\/``); base64 (with and without padding)."""
    escaped = json.dumps(secret)[1:-1]
    encoded = base64.b64encode(secret.encode('utf-8')).decode('ascii')
    forms = {'raw': secret, 'quote': quote(secret, safe=''), 'quote-keep-slash': quote(secret),
             'quote_plus': quote_plus(secret), 'json': escaped, 'json-php-slash': escaped.replace('/', '\\/'),
             'base64': encoded, 'base64-unpadded': encoded.rstrip('=')}
    forms['quote-lowercase'] = re.sub(r'%[0-9A-F]{2}', lambda match: match.group(0).lower(), forms['quote'])
    return forms


def leaked_forms(text, secrets):
    """The secrets found in ``text`` in any form: ``['abcd... (quote_plus)', ...]`` (never the whole value)."""
    found = []
    for secret in sorted(secrets):
        for name, form in sorted(wire_forms(secret).items()):
            if len(form) >= 4 and form in text:
                found.append('%s... (%s)' % (secret[:4], name))
                break
    return found
