# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The few facts of an X.509 certificate the collection reports (serial, validity), read from its DER with the
standard library only: the modules must not need ``cryptography`` on the controller or in the EE."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import re

_PEM = re.compile(r'-----BEGIN CERTIFICATE-----\s*(.+?)\s*-----END CERTIFICATE-----', re.S)


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
