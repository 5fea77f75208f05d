# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Name rules every vendor shares, each defined once.

* :data:`MASK`: what a hidden value is shown as (secrets, webhook passwords);
* :func:`control_characters` / :func:`check_text`: no control or invisible
  formatting character reaches a vendor in a name, target or URL;
* :data:`LABEL` and :func:`is_hostname`: DNS label and host-name syntax,
  matched against the whole text (``\\Z``, never ``$``, which also matches
  before a final newline);
* :func:`idna_ascii`: the IDNA 2008 / UTS 46 conversion of Unicode names;
* :func:`normalize_ip`: IP addresses and networks in canonical text.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re
import unicodedata

MASK = '********'

# An e-mail address as the vendors take it: a dot-atom local part and a domain of two or more labels (ASCII; an IDN
# domain is converted with to_ascii first). One pattern for every module (SecuritySpace, Virusdie, Signal Sciences,
# CyberSSL).
EMAIL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@([A-Za-z0-9-]+\.)+[A-Za-z]{2,63}\Z")
# A DNS label: letters, digits, hyphen and underscore, no hyphen at either end.
LABEL = re.compile(r'(?!-)[a-z0-9_-]{1,63}(?<!-)\Z')

# Unicode categories that never belong in a name, a target, a URL or a record value:
# controls (Cc: NUL, CR, LF, TAB, DEL...), format characters (Cf: zero-width space
# U+200B, the bidi overrides U+202E...), line and paragraph separators.
_REFUSED_CATEGORIES = frozenset(['Cc', 'Cf', 'Zl', 'Zp'])


def control_characters(text):
    """The refused characters of ``text`` as ``[(index, 'U+XXXX NAME')]``."""
    found = []
    for index, char in enumerate(text or ''):
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            found.append((index, 'U+%04X %s' % (ord(char), unicodedata.name(char, 'control character'))))
    return found


def check_text(value, option):
    """Raise ValueError naming ``option`` when ``value`` holds a control or invisible formatting character."""
    if not isinstance(value, str):
        return value
    found = control_characters(value)
    if found:
        index, what = found[0]
        raise ValueError('%s must not contain control or invisible formatting characters; found %s at position %d '
                         'of %r' % (option, what, index, value))
    return value


_URL_PASSWORD = re.compile(r'(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/?#@\s]*:)(?P<password>[^@/?#\s]+)@')


def mask_url_password(text):
    """``https://user:pass@host/`` -> ``https://user:********@host/``, wherever a URL with a password appears."""
    if not isinstance(text, str) or '@' not in text:
        return text
    return _URL_PASSWORD.sub(lambda m: '%s%s@' % (m.group('head'), MASK), text)


def idna_ascii(name):
    """A domain name in its ASCII (punycode) form, the way registries and browsers (IDNA 2008) convert it.

    UTS 46 mapping for the common cases: the ideographic full stops separate
    labels, compatibility forms (full-width letters, ligatures) fold to plain
    letters (NFKC), then lowercase - without the transitional mapping, so ß and
    ς are kept (``straße.de`` is ``xn--strae-oqa.de``; Python's ``idna`` codec,
    IDNA 2003, would give ``strasse.de``, another domain). Each non-ASCII label
    becomes ``xn--`` + punycode. Raises UnicodeError when a label cannot be
    encoded or holds a character IDNA 2008 disallows (controls, zero-width and
    direction-changing characters); the syntax of the result is for the caller
    to check.
    """
    text = name or ''
    for stop in ('\u3002', '\uff0e', '\uff61'):
        text = text.replace(stop, '.')
    found = control_characters(text)
    if found:
        raise UnicodeError('%s is not allowed in a domain name' % found[0][1])
    text = unicodedata.normalize('NFC', unicodedata.normalize('NFKC', text).lower())
    return '.'.join(label if label.isascii() else 'xn--' + label.encode('punycode').decode('ascii')
                    for label in text.split('.'))


def scripts_of(label):
    """The Unicode scripts of the letters of ``label`` (the first word of each letter's name: LATIN, CYRILLIC...)."""
    found = set()
    for char in label:
        if char.isalpha():
            name = unicodedata.name(char, '')
            if name:
                found.add(name.split(' ')[0])
    return found


def lookalike_warning(name, option):
    """A warning for a name with a label that mixes scripts (``pаypal`` with a Cyrillic а), or None.

    Such a label is valid IDNA but a classic look-alike of another domain.
    """
    for label in (name or '').split('.'):
        if label.isascii():
            continue
        found = scripts_of(label)
        if len(found) > 1:
            scripts = ', '.join(sorted(found))
            return ('%s: the label %r mixes scripts (%s); it looks like another name but is a different domain (%s). '
                    'Check that this is the domain you mean.' % (option, label, scripts, to_ascii(label)))
    return None


def to_ascii(name):
    """:func:`idna_ascii`, or the name unchanged when it cannot be converted (its syntax check then fails)."""
    try:
        return idna_ascii(name)
    except UnicodeError:
        return name


def is_hostname(name, allow_wildcard=False):
    """True for a syntactically valid (absolute or relative) host name without trailing dot."""
    if not name or len(name) > 253:
        return False
    labels = name.split('.')
    for index, label in enumerate(labels):
        if allow_wildcard and index == 0 and label == '*':
            continue
        if not LABEL.match(label):
            return False
    return True


def normalize_ip(value, option, network=False):
    """An IP address (or network) in its canonical text; ValueError names ``option``.

    A scoped IPv6 address (``fe80::1%eth0``) is refused: a zone index means
    nothing to a name server or a vendor on the other side of the network.
    """
    text = (value or '').strip() if isinstance(value, str) else value
    if isinstance(text, str) and '%' in text:
        raise ValueError('%s: %r carries an IPv6 zone index (%%...), which no DNS record or remote server can use'
                         % (option, value))
    try:
        if network:
            return str(ipaddress.ip_network(text, strict=False))
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise ValueError('%s: %r is not an IP address%s' % (option, value, ' or network' if network else ''))
