# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one table of hostile values, per kind of value the collection takes.

Each kind lists ``(label, value)`` pairs that every checker and every module
taking that kind must refuse before any request (``HOSTILE``), the values they
must accept (``GOOD``), and look-alikes: valid, but warned about (``LOOKALIKE``).
``tests/unit/plugins/test_hostile_values.py`` runs them against the checkers of
``plugins/module_utils/names.py`` and against every module that takes the kind;
``tests/unit/plugins/inventory/test_hostile_inventory_values.py`` against the
inventory plugins. The rules are written down in docs/user-guide.md, "Input rules".
"""

NAME = 'name'  # a domain or host name, no wildcard
WILDCARD = 'wildcard'  # a certificate's name: a domain name or *.domain
EMAIL = 'email'
URL = 'url'

# What a domain name (with or without a wildcard) must never be.
_NAME_COMMON = [
    ('empty', ''),
    ('spaces only', '   '),
    ('inner space', 'exa mple.com'),
    ('trailing newline', 'example.com\n'),
    ('CR LF header injection', 'example.com\r\nX-Injected: 1'),
    ('NUL', 'exa\x00mple.com'),
    ('tab', 'example\t.com'),
    ('DEL', 'example\x7f.com'),
    ('zero-width space', 'exa\u200bmple.com'),
    ('zero-width joiner', 'exa\u200dmple.com'),
    ('bidi override', 'pay\u202elap.com'),
    ('line separator', 'example\u2028.com'),
    ('numeric TLD', 'example.123'),
    ('all-digit name', '1.2.3'),
    ('IPv4 address', '192.0.2.1'),
    ('IPv6 address', '2001:db8::1'),
    ('over-long label', 'x' * 64 + '.example.com'),
    ('over-long name', ('a' * 63 + '.') * 4 + 'com'),
    ('huge value', 'a' * 100000 + '.com'),
    ('double dot', 'a..example.com'),
    ('leading dot', '.example.com'),
    ('two trailing dots', 'example.com..'),
    ('leading hyphen', '-shop.example.com'),
    ('trailing hyphen', 'shop-.example.com'),
    ('underscore', 'shop_1.example.com'),
    ('single label', 'localhost'),
    ('star inside', 'www.*.example.com'),
    ('star glued to a label', '*example.com'),
    ('IDNA 2008 refuses a symbol', '\u2603.example.com'),
    ('IDNA 2008 refuses an emoji in punycode', 'xn--ls8h.example.com'),
    ('punycode that does not decode', 'xn--zz.example.com'),
    ('punycode of a control character', 'xn--a.example.com'),
    ('right-to-left label breaking the bidi rule', '\u0645\u062b\u0627\u06441a.example'),
    ('slash', 'example.com/path'),
    ('at sign', 'user@example.com'),
    ('port', 'example.com:443'),
    ('URL', 'https://example.com/'),
]

HOSTILE = {
    NAME: _NAME_COMMON + [
        ('wildcard where none is taken', '*.example.com'),
    ],
    WILDCARD: _NAME_COMMON + [
        ('wildcard on a top-level domain', '*.com'),
        ('double star', '**.example.com'),
        ('two wildcards', '*.*.example.com'),
        ('star alone', '*'),
    ],
    EMAIL: [
        ('empty', ''),
        ('spaces only', '   '),
        ('no at sign', 'name'),
        ('no local part', '@example.com'),
        ('no domain', 'name@'),
        ('two at signs', 'name@@example.com'),
        ('inner space', 'na me@example.com'),
        ('trailing newline', 'name@example.com\n'),
        ('CR LF header injection', 'name@example.com\r\nBcc: x@example.org'),
        ('NUL', 'name\x00@example.com'),
        ('zero-width space', 'name@exa\u200bmple.com'),
        ('bidi override', 'name@pay\u202elap.com'),
        ('numeric TLD', 'name@example.123'),
        ('IP address domain', 'name@192.0.2.1'),
        ('address literal', 'name@[192.0.2.1]'),
        ('single-label domain', 'name@localhost'),
        ('leading dot', '.name@example.com'),
        ('double dot', 'na..me@example.com'),
        ('trailing dot in the local part', 'name.@example.com'),
        ('non-ASCII local part', 'n\u00e4me@example.com'),
        ('leading hyphen in the domain', 'name@-example.com'),
        ('double dot in the domain', 'name@example..com'),
        ('underscore in the domain', 'name@ex_ample.com'),
        ('wildcard domain', 'name@*.example.com'),
        ('over-long local part', 'x' * 65 + '@example.com'),
        ('over-long address (valid parts, 257 characters)', 'x' * 64 + '@' + ('a' * 62 + '.') * 3 + 'com'),
        ('huge value', 'a' * 100000 + '@example.com'),
        ('quoted local part', '"quoted name"@example.com'),
        ('two addresses', 'name@example.com, other@example.com'),
        ('mailto URL', 'mailto:name@example.com'),
        ('IDNA 2008 refuses a symbol', 'name@\u2603.example'),
    ],
    URL: [
        ('empty', ''),
        ('spaces only', '   '),
        ('no scheme', 'example.com/x'),
        ('scheme-relative', '//example.com/x'),
        ('javascript', 'javascript:alert(1)'),
        ('javascript with slashes', 'javascript://example.com/%0aalert(1)'),
        ('data', 'data:text/html,<script>alert(1)</script>'),
        ('file', 'file:///etc/passwd'),
        ('ftp', 'ftp://example.com/x'),
        ('no slashes', 'https:example.com'),
        ('no host', 'https:///x'),
        ('scheme only', 'https://'),
        ('space in the host', 'https://exa mple.com/'),
        ('space in the path', 'https://example.com/a b'),
        ('trailing newline', 'https://example.com/x\n'),
        ('CR LF header injection', 'https://example.com/x\r\nX-Injected: 1'),
        ('zero-width space', 'https://exa\u200bmple.com/'),
        ('bidi override', 'https://\u202eexample.com/'),
        ('numeric TLD', 'https://example.123/'),
        ('all-digit host that is no IP', 'https://1.2.3/'),
        ('double dot', 'https://a..example.com/'),
        ('leading hyphen', 'https://-a.example.com/'),
        ('wildcard host', 'https://*.example.com/'),
        ('underscore in the host', 'https://ex_ample.com/'),
        ('port out of range', 'https://example.com:99999/'),
        ('port zero', 'https://example.com:0/'),
        ('port not a number', 'https://example.com:port/'),
        ('IPv6 zone index', 'https://[fe80::1%25eth0]/'),
        ('backslash trick', 'https://example.com\\@evil.example/'),
        ('IDNA 2008 refuses a symbol', 'https://\u2603.example/'),
        ('over-long URL', 'https://example.com/' + 'a' * 3000),
    ],
}

# Hostile unless the option takes them (see CREDENTIALS_OK / HTTP_OK in the module table).
URL_CREDENTIALS = [
    ('user and password', 'https://user:pass@example.com/x'),
    ('user name', 'https://user@example.com/x'),
]
URL_HTTP = [
    ('plain http', 'http://example.com/x'),
]

GOOD = {
    NAME: ['example.com', 'Shop.Example.COM.', 'b\u00fccher.example', 'xn--bcher-kva.example',
           '\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com', 'stra\u00dfe.de'],
    WILDCARD: ['example.com', '*.example.com', '*.b\u00fccher.example', 'WWW.Example.com.'],
    EMAIL: ['name@example.com', 'First.Last+tag@Example.COM', 'owner@b\u00fccher.example', "o'brien@example.org"],
    URL: ['https://example.com/x', 'https://hooks.example.com:8443/a?b=c#d', 'https://[2001:db8::1]/x',
          'https://192.0.2.1/x', 'https://b\u00fccher.example/x', 'https://localhost:8443/api'],
}

# Valid names that look like another one: accepted, with a warning naming the option.
LOOKALIKE = 'p\u0430ypal.com'  # a Cyrillic а among Latin letters
