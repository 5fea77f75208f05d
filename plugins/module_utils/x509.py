# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The few facts of X.509 objects the collection needs, read from their DER with the standard library only (the
modules must not need ``cryptography`` on the controller or in the EE):

* a certificate's serial and validity (:func:`certificate_summary`);
* the public key of a certificate, a CSR and an unencrypted private key (:func:`public_key`), so that a module can
  tell whether a certificate belongs to the key it has: a certificate is never written beside a key it does not match;
* whether a text holds a private key at all (:func:`holds_private_key`), so that one pasted after a CSR is refused.

Public keys are compared as ``(kind, value)``: ``('rsa', n, e)``, ``('ec', point)`` (the uncompressed point, which
also names the curve by its length), ``('ed25519', raw)``/``('ed448', raw)``. A key this reader cannot derive a public
key from (encrypted, an EC key stored without its public point) gives None: "cannot tell", never "matches".
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import re

_PEM = re.compile(r'-----BEGIN CERTIFICATE-----\s*(.+?)\s*-----END CERTIFICATE-----', re.S)
_ANY_PEM = re.compile(r'-----BEGIN ([A-Z0-9 ]+)-----\s*(.*?)\s*-----END \1-----', re.S)
# Where a private key starts, in any form: PEM (PKCS#1, SEC1, PKCS#8, encrypted PKCS#8, OpenSSH) or PuTTY's armour.
_PRIVATE_KEY_START = r'-----BEGIN (?:[A-Z0-9 ]+ )?PRIVATE KEY(?: BLOCK)?-----|PuTTY-User-Key-File-'
_PRIVATE_KEY = re.compile(_PRIVATE_KEY_START, re.I)
# A whole private key: to its END line, or to the end of the text (PuTTY's armour has no END line).
_PRIVATE_KEY_BLOCK = re.compile(r'(?:%s).*?(?:-----END [^-\n]+-----|\Z)' % _PRIVATE_KEY_START, re.I | re.S)

# DER of the algorithm object identifiers (the value bytes of the OID element).
OID_RSA = bytes(bytearray([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]))  # 1.2.840.113549.1.1.1
OID_EC = bytes(bytearray([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]))  # 1.2.840.10045.2.1
OID_ED25519 = bytes(bytearray([0x2b, 0x65, 0x70]))  # 1.3.101.112
OID_ED448 = bytes(bytearray([0x2b, 0x65, 0x71]))  # 1.3.101.113


class CertificateError(ValueError):
    """The text is not a PEM certificate this reader understands."""


def _tlv(data, pos):
    """(tag, value, next position) of the DER element at ``pos``."""
    if pos + 2 > len(data):
        raise CertificateError('truncated DER')
    tag, length = data[pos], data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7f
        if not 0 < count <= 4 or pos + count > len(data):
            raise CertificateError('bad DER length')
        length = int(binascii.hexlify(data[pos:pos + count]), 16)
        pos += count
    if pos + length > len(data):
        raise CertificateError('truncated DER')
    return tag, data[pos:pos + length], pos + length


def _time(tag, value):
    text = value.decode('ascii')
    if tag == 0x17:  # UTCTime YYMMDDHHMMSSZ: years 50-99 are 19xx (RFC 5280)
        year = int(text[:2])
        text = ('19' if year >= 50 else '20') + text
    elif tag != 0x18:  # GeneralizedTime YYYYMMDDHHMMSSZ
        raise CertificateError('bad validity time')
    if not re.match(r'^\d{14}Z$', text):
        raise CertificateError('bad validity time %r' % text)
    return '%s-%s-%sT%s:%s:%sZ' % (text[0:4], text[4:6], text[6:8], text[8:10], text[10:12], text[12:14])


def certificate_summary(pem):
    """``{serial, not_before, not_after}`` of the first certificate in ``pem``; the serial in the colon-separated
    upper-case hex form ``openssl x509 -serial`` and browsers show. Raises CertificateError."""
    match = _PEM.search(pem or '')
    if not match:
        raise CertificateError('no PEM certificate')
    try:
        der = bytearray(base64.b64decode(''.join(match.group(1).split())))
    except (TypeError, ValueError, binascii.Error):
        raise CertificateError('the PEM certificate is not base64')
    dummy, cert, dummy = _tlv(der, 0)
    dummy, tbs, dummy = _tlv(cert, 0)
    tag, value, pos = _tlv(tbs, 0)
    if tag == 0xa0:  # [0] version
        tag, value, pos = _tlv(tbs, pos)
    if tag != 0x02:
        raise CertificateError('no serial number')
    serial = binascii.hexlify(bytes(value)).decode('ascii').upper()
    serial = serial[2:] if serial.startswith('00') and len(serial) > 2 else serial
    dummy, dummy, pos = _tlv(tbs, pos)  # signature algorithm
    dummy, dummy, pos = _tlv(tbs, pos)  # issuer
    tag, validity, pos = _tlv(tbs, pos)
    tag1, before, after_pos = _tlv(validity, 0)
    tag2, after, dummy = _tlv(validity, after_pos)
    return {'serial': ':'.join(serial[i:i + 2] for i in range(0, len(serial), 2)),
            'not_before': _time(tag1, bytes(before)), 'not_after': _time(tag2, bytes(after))}


# -- public keys ------------------------------------------------------------------------------
def holds_private_key(text):
    """True when ``text`` contains a private key in any PEM (or PuTTY) form."""
    return bool(_PRIVATE_KEY.search(text or ''))


def private_key_blocks(text):
    """Every private key in ``text`` (see :func:`holds_private_key`), whole and line by line: what a module must mask
    in every output when one was pasted where it does not belong."""
    found = []
    for match in _PRIVATE_KEY_BLOCK.finditer(text or ''):
        found.append(match.group(0).strip())
        found.extend(line.strip() for line in match.group(0).splitlines() if len(line.strip()) >= 16)
    return found


def _pem_blocks(text):
    """``[(label, DER)]`` of the PEM blocks in ``text``; a block that is not base64 is skipped."""
    blocks = []
    for label, body in _ANY_PEM.findall(text or ''):
        if ':' in body.split('\n', 1)[0]:  # RFC 1421 headers: an encrypted traditional key
            blocks.append((label, None))
            continue
        try:
            blocks.append((label, bytes(bytearray(base64.b64decode(''.join(body.split()))))))
        except (TypeError, ValueError, binascii.Error):
            continue
    return blocks


def _children(data):
    """The elements ``[(tag, value)]`` inside a constructed DER value."""
    found, pos = [], 0
    while pos < len(data):
        tag, value, pos = _tlv(data, pos)
        found.append((tag, value))
    return found


def _integer(value):
    return int(binascii.hexlify(value), 16) if value else 0


def _bits(value):
    """The content of a BIT STRING without its unused-bits byte."""
    if not value or value[0] != 0:
        raise CertificateError('bad BIT STRING')
    return bytes(value[1:])


def _rsa_key(der):
    """``('rsa', n, e)`` of a DER RSAPublicKey or RSAPrivateKey (PKCS#1)."""
    items = _children(_tlv(der, 0)[1])
    if len(items) >= 9 and all(tag == 0x02 for tag, dummy in items[:3]):
        return ('rsa', _integer(items[1][1]), _integer(items[2][1]))  # RSAPrivateKey: version, n, e, d, ...
    if len(items) == 2 and all(tag == 0x02 for tag, dummy in items):
        return ('rsa', _integer(items[0][1]), _integer(items[1][1]))  # RSAPublicKey: n, e
    raise CertificateError('not an RSA key')


def _spki_key(spki):
    """The comparable public key of a SubjectPublicKeyInfo value (the SEQUENCE's content)."""
    items = _children(spki)
    if len(items) != 2 or items[0][0] != 0x30 or items[1][0] != 0x03:
        raise CertificateError('bad SubjectPublicKeyInfo')
    oid = bytes(_children(items[0][1])[0][1])
    key = _bits(items[1][1])
    if oid == OID_RSA:
        return _rsa_key(key)
    if oid == OID_EC:
        return ('ec', key)
    if oid == OID_ED25519:
        return ('ed25519', key)
    if oid == OID_ED448:
        return ('ed448', key)
    return ('other', oid, key)


def _sec1_key(der):
    """``('ec', point)`` of a SEC1 ECPrivateKey, or None when it does not carry its public point."""
    for tag, value in _children(_tlv(der, 0)[1]):
        if tag == 0xa1:  # [1] publicKey BIT STRING
            return ('ec', _bits(_tlv(value, 0)[1]))
    return None


def _pkcs8_key(der):
    """The public key of a PKCS#8 PrivateKeyInfo: RSA from its inner PKCS#1 key; EC and EdDSA from the optional public
    key of PKCS#8 v2 or, for EC, of the inner SEC1 key. None when neither carries it."""
    items = _children(_tlv(der, 0)[1])
    if len(items) < 3 or items[1][0] != 0x30 or items[2][0] != 0x04:
        raise CertificateError('bad PKCS#8 private key')
    oid = bytes(_children(items[1][1])[0][1])
    inner = bytes(items[2][1])
    if oid == OID_RSA:
        return _rsa_key(inner)
    kind = {OID_EC: 'ec', OID_ED25519: 'ed25519', OID_ED448: 'ed448'}.get(oid)
    public = [_bits(value) for tag, value in items[3:] if tag == 0x81]  # [1] IMPLICIT BIT STRING
    if kind and public:
        return (kind, public[0])
    return _sec1_key(inner) if oid == OID_EC else None


def public_key(pem):
    """The comparable public key of the first certificate, CSR or private key in ``pem`` (see the module docstring).

    None when ``pem`` holds a key this reader cannot open (encrypted, no public point); CertificateError when it holds
    none of these or a malformed one.
    """
    for label, der in _pem_blocks(pem):
        try:
            if label in ('CERTIFICATE', 'CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'):
                if der is None:
                    raise CertificateError('not base64')
                body = _children(_tlv(der, 0)[1])[0][1]  # tbsCertificate / certificationRequestInfo
                items = _children(body)
                if label == 'CERTIFICATE':
                    index = 6 if items[0][0] == 0xa0 else 5  # [0] version, serial, sig alg, issuer, validity, subject
                else:
                    index = 2  # version, subject, subjectPKInfo
                return _spki_key(items[index][1])
            if label in ('ENCRYPTED PRIVATE KEY',) or der is None:
                return None
            if label == 'RSA PRIVATE KEY':
                return _rsa_key(der)
            if label == 'EC PRIVATE KEY':
                return _sec1_key(der)
            if label == 'PRIVATE KEY':
                return _pkcs8_key(der)
        except (IndexError, ValueError) as exc:
            raise CertificateError('malformed %s (%s)' % (label.lower(), exc))
    raise CertificateError('no PEM certificate, certificate request or private key')


def same_key(first, second):
    """True or False when the public keys of two PEM texts (certificate, CSR, key) are known; None when either cannot
    be told (see :func:`public_key`)."""
    try:
        one, two = public_key(first), public_key(second)
    except CertificateError:
        return None
    if one is None or two is None:
        return None
    return one == two
