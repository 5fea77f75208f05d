# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Name rules every vendor shares, each defined once.

* :data:`MASK`: what a hidden value is shown as (secrets, webhook passwords);
* :func:`control_characters` / :func:`check_text`: no control or invisible
  formatting character reaches a vendor in a name, target or URL;
* :data:`LABEL` and :func:`is_hostname`: DNS label and owner-name syntax
  (the SecuritySpace record engine's relative names), matched against the
  whole text (``\\Z``, never ``$``, which also matches before a final newline);
* :func:`idna_ascii`: the IDNA 2008 / UTS 46 conversion of Unicode names;
* :func:`normalize_ip`: IP addresses and networks in canonical text;
* the one check of each kind of value the collection takes, used by every
  vendor's modules, clients and plugins (the rules: docs/user-guide.md, "Input
  rules"): :func:`check_name` (domain and host names, with or without a
  wildcard), :func:`check_email` (e-mail addresses), :func:`check_url` (URLs).
  Each returns the value in the form that is compared and sent, or raises
  ValueError naming the option and the expected form; :func:`lookalike_warning`
  is the warning for a name that mixes scripts.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re
import unicodedata
from urllib.parse import urlsplit

try:
    import idna as _idna  # IDNA 2008 (RFC 5891-5893); installed with requests, which every module needs
except ImportError:  # pragma: no cover - requests brings it
    _idna = None

MASK = '********'

# A DNS label: letters, digits, hyphen and underscore, no hyphen at either end (owner names such as _dmarc).
LABEL = re.compile(r'(?!-)[a-z0-9_-]{1,63}(?<!-)\Z')
# A host-name label (RFC 952/1123): letters, digits and hyphen, no hyphen at either end, no underscore.
HOST_LABEL = re.compile(r'(?!-)[a-z0-9-]{1,63}(?<!-)\Z')
# The local part of an e-mail address as the vendors take it: a dot-atom (RFC 5322), ASCII, no quoted form.
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")
MAX_NAME = 253  # a domain name in its ASCII form, without the trailing dot (RFC 1035)
MAX_EMAIL = 254  # RFC 5321's path limit less the angle brackets
MAX_LOCAL_PART = 64
MAX_URL = 2048
# Unicode categories IDNA 2008 can allow in a label (letters, marks, decimal digits), for when the idna package is
# missing; with it, its check_label decides (contextual rules and the bidi rule included).
_IDN_CATEGORIES = frozenset(['Ll', 'Lo', 'Lm', 'Mn', 'Mc', 'Nd'])

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
    encoded or is not valid under IDNA 2008 (controls, zero-width and
    direction-changing characters, symbols such as U+2603, a right-to-left label
    that breaks the bidi rule); the syntax of the result is for the caller to
    check (:func:`check_name`).
    """
    text = name or ''
    for stop in ('\u3002', '\uff0e', '\uff61'):
        text = text.replace(stop, '.')
    found = control_characters(text)
    if found:
        raise UnicodeError('%s is not allowed in a domain name' % found[0][1])
    text = unicodedata.normalize('NFC', unicodedata.normalize('NFKC', text).lower())
    labels = []
    for label in text.split('.'):
        if not label.isascii():
            _check_idn_label(label)
            label = 'xn--' + label.encode('punycode').decode('ascii')
        labels.append(label)
    return '.'.join(labels)


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
        if label.lower().startswith('xn--'):  # the punycode form of a label is the same look-alike
            try:
                label = label[4:].encode('ascii').decode('punycode')
            except (UnicodeError, ValueError):
                continue
        if label.isascii():
            continue
        found = scripts_of(label)
        if len(found) > 1:
            scripts = ', '.join(sorted(found))
            return ('%s: the label %r mixes scripts (%s); it looks like another name but is a different domain (%s). '
                    'Check that this is the domain you mean.' % (option, label, scripts, to_ascii(label)))
    return None


def _check_idn_label(label):
    """Raise UnicodeError when the (mapped, lowercase) Unicode ``label`` is not valid under IDNA 2008."""
    if _idna is not None:
        try:
            _idna.check_label(label)
        except (_idna.IDNAError, ValueError) as exc:
            raise UnicodeError('%r is not valid under IDNA 2008 (%s)' % (label, exc))
        return
    for char in label:  # pragma: no cover - the idna package comes with requests
        if not (char.isascii() and (char.isalnum() or char == '-')) and \
                unicodedata.category(char) not in _IDN_CATEGORIES:
            raise UnicodeError('U+%04X %s is not allowed in a domain name under IDNA 2008'
                               % (ord(char), unicodedata.name(char, '?')))


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


def shown(value, limit=80):
    """``repr(value)``, cut to about ``limit`` characters: what a message quotes of a value (never all of a huge one)."""
    text = repr(value)
    return text if len(text) <= limit else '%s...%s (%d characters)' % (text[:limit - 20], text[-8:], len(value))


def _is_ip(text):
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _punycode_problem(label):
    """Why the ASCII label ``xn--...`` is not the IDNA 2008 form of a Unicode label (None when it is)."""
    try:
        decoded = label[4:].encode('ascii').decode('punycode')
    except (UnicodeError, ValueError):
        return 'the label %r is not valid punycode' % label
    try:
        if not decoded or decoded.isascii() or idna_ascii(decoded) != label:
            return 'the label %r is not the IDNA 2008 form of a Unicode label' % label
    except UnicodeError as exc:
        return 'the label %s decodes to a label IDNA 2008 refuses: %s' % (shown(label), exc)
    return None


def name_problem(name, wildcard=False, single_label=False, underscore=False):
    """Why the ASCII, lowercase ``name`` (no trailing dot) breaks the rules of :func:`check_name`; None when valid."""
    if not name:
        return 'it is empty'
    if len(name) > MAX_NAME:
        return 'it has %d characters; a domain name has at most %d' % (len(name), MAX_NAME)
    labels = name.split('.')
    if wildcard and labels[0] == '*':
        labels = labels[1:]
        if len(labels) < 2:
            return "a wildcard covers the names under a domain of at least two labels (*.example.com)"
    if '*' in '.'.join(labels):
        return ("'*' may only be the whole first label of a wildcard (*.example.com)" if wildcard
                else 'a wildcard (*) is not accepted here')
    if len(labels) < 2 and not single_label:
        return 'it needs at least two labels (such as example.com)'
    pattern = LABEL if underscore else HOST_LABEL
    for label in labels:
        if not label:
            return 'it has an empty label (two dots in a row, or a dot at the start)'
        if not pattern.match(label):
            return ('the label %s is not valid (1 to 63 letters, digits%s and hyphens, no hyphen at either end)'
                    % (shown(label), ', underscores' if underscore else ''))
        if label.startswith('xn--'):
            problem = _punycode_problem(label)
            if problem:
                return problem
    if labels[-1].isdigit():
        return 'its last label %s is all digits, which no top-level domain is (an IP address is not a name)' % shown(labels[-1])
    return None


def _name_and_problem(text, wildcard=False, single_label=False, underscore=False):
    """``(ASCII name, None)``, or ``(None, why it is not a name)``, for the trimmed ``text``."""
    if _is_ip(text.strip('[]')):
        return None, 'it is an IP address, not a name'
    try:
        ascii_name = idna_ascii(text)
    except UnicodeError as exc:
        return None, 'it is not a valid internationalised name: %s' % exc
    if ascii_name.endswith('.') and not ascii_name.endswith('..'):
        ascii_name = ascii_name[:-1]  # the absolute form: one trailing dot
    problem = name_problem(ascii_name, wildcard=wildcard, single_label=single_label, underscore=underscore)
    return (None, problem) if problem else (ascii_name, None)


def check_name(value, option, wildcard=False, single_label=False, underscore=False):
    """A domain or host name in the form every vendor is sent and compared in: IDNA 2008 ASCII, lowercase, no
    trailing dot. ValueError names ``option`` when it is not one.

    The rules (docs/user-guide.md, "Input rules"): no control or invisible
    character (surrounding spaces are trimmed); Unicode labels converted by
    :func:`idna_ascii` and refused when IDNA 2008 refuses them; an ``xn--`` label
    must be the IDNA 2008 form of a Unicode label; one trailing dot (the
    absolute form) is dropped; labels of 1 to 63 letters, digits and hyphens, no
    hyphen at either end (``underscore``: underscores too, for DNS owner names);
    at most 253 characters; at least two labels unless ``single_label`` (a URL's
    host such as ``localhost``); a last label that is not all digits (no IP
    address, no ``a.b.123``); ``*`` only where ``wildcard`` allows it, as the
    whole first label of a name of at least three labels (``*.example.com``).
    A name that mixes scripts in a label is valid: see :func:`lookalike_warning`.
    """
    expected = 'a domain name such as example.com%s' % (' or *.example.com' if wildcard else '')
    if not isinstance(value, str):
        raise ValueError('%s must be %s, got %s' % (option, expected, shown(value)))
    check_text(value, option)
    name, problem = _name_and_problem(value.strip(' '), wildcard, single_label, underscore)
    if problem:
        raise ValueError('%s must be %s; %s is not: %s' % (option, expected, shown(value), problem))
    return name


def check_email(value, option):
    """An e-mail address as every vendor takes it: ``local@domain``, the local part a dot-atom (ASCII letters,
    digits and ``!#$%&'*+/=?^_`{|}~-``, dots between them), the domain as :func:`check_name` has it (IDNA 2008
    ASCII, lowercase). At most 254 characters, 64 in the local part. ValueError names ``option``."""
    expected = '%s must be an e-mail address such as name@example.com' % option
    if not isinstance(value, str):
        raise ValueError('%s, got %s' % (expected, shown(value)))
    check_text(value, option)
    local, at, domain = value.strip(' ').rpartition('@')
    problem = None
    if not at:
        problem = 'it has no @'
    elif not local:
        problem = 'it has nothing before the @'
    elif len(local) > MAX_LOCAL_PART or not _LOCAL_PART.match(local):
        problem = ('the part before the @ must be 1 to %d letters, digits or %s, with single dots between them'
                   % (MAX_LOCAL_PART, "!#$%&'*+/=?^_`{|}~-"))
    else:
        domain, why = _name_and_problem(domain)
        if why:
            problem = 'the part after the @ is not a domain name: %s' % why
        elif len(local) + 1 + len(domain) > MAX_EMAIL:
            problem = 'it has more than %d characters' % MAX_EMAIL
    if problem:
        raise ValueError('%s; %s is not: %s' % (expected, shown(value), problem))
    return '%s@%s' % (local, domain)


def check_url(value, option, schemes=('https',), credentials=False):
    """A URL, trimmed; ValueError names ``option`` when it is not one every vendor can use.

    The scheme is one of ``schemes`` (``https`` unless a vendor also takes
    ``http``: never ``javascript:``, ``data:``, ``file:``...), followed by
    ``//``; the host is a name (as :func:`check_name` has it, a single label
    such as ``localhost`` allowed) or an IP address (IPv6 in brackets, no zone
    index); the port 1 to 65535; no user name or password (``user:pass@``)
    unless ``credentials``; no space, backslash, control or invisible
    character; at most 2048 characters. The URL is returned as given, trimmed
    (the host's spelling is not changed). A password is masked in the message.
    """
    expected = '%s must be an %s URL' % (option, ' or '.join('%s://' % scheme for scheme in schemes))
    if not isinstance(value, str):
        raise ValueError('%s, got %s' % (expected, shown(value)))
    check_text(value, option)
    text = value.strip(' ')
    problem = None
    parts = host = port = None
    if len(text) > MAX_URL:
        problem = 'it has %d characters, at most %d are allowed' % (len(text), MAX_URL)
    elif any(char.isspace() or char == '\\' for char in text):
        problem = 'it holds a space or a backslash'
    else:
        try:
            parts = urlsplit(text)
            host = parts.hostname
            port = parts.port
        except ValueError as exc:
            problem = 'it cannot be read as a URL (%s)' % exc
    if problem is None:
        if parts.scheme.lower() not in schemes or not text[len(parts.scheme):].startswith('://'):
            problem = 'its scheme is not %s' % ' or '.join('%s://' % scheme for scheme in schemes)
        elif '@' in parts.netloc and not credentials:
            problem = 'it carries a user name or password (user:password@); give credentials in their own options'
        elif not host:
            problem = 'it has no host name'
        elif port == 0:
            problem = 'its port must be 1 to 65535'
        elif '%' in host:
            problem = 'its host carries an IPv6 zone index, which a remote server cannot use'
        elif not _is_ip(host):
            why = _name_and_problem(host, single_label=True)[1]
            if why:
                problem = 'its host %s is not a host name: %s' % (shown(host), why)
    if problem:
        raise ValueError('%s; %s is not: %s' % (expected, shown(mask_url_password(text)), problem))
    return text


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
