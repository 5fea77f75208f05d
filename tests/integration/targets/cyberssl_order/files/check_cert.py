# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check certificate files for the integration target, with cryptography.

check_cert.py CERT KEY FULLCHAIN DOMAIN [DOMAIN ...] prints a JSON report and exits 1 unless the certificate's
public key is the key's, the certificate names every DOMAIN (subject alternative names), the full chain starts with
the certificate and its second certificate signed it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import sys

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization


def main(cert_path, key_path, fullchain_path, *domains):
    with open(cert_path, 'rb') as handle:
        cert = x509.load_pem_x509_certificate(handle.read())
    with open(key_path, 'rb') as handle:
        key = serialization.load_pem_private_key(handle.read(), password=None)
    with open(fullchain_path, 'rb') as handle:
        blocks = re.findall(rb'-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----', handle.read(), re.S)
    chain = [x509.load_pem_x509_certificate(block) for block in blocks]
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    same_key = cert.public_key().public_bytes(serialization.Encoding.DER, spki) == \
        key.public_key().public_bytes(serialization.Encoding.DER, spki)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    signed = False
    if len(chain) >= 2:
        try:
            cert.verify_directly_issued_by(chain[1])
            signed = True
        except (ValueError, TypeError, InvalidSignature):
            signed = False
    report = dict(same_key=same_key, names=sorted(names), missing=sorted(set(domains) - set(names)),
                  chain_starts_with_cert=bool(chain) and chain[0] == cert, signed_by_chain=signed,
                  not_after=cert.not_valid_after_utc.strftime('%Y-%m-%d'))
    print(json.dumps(report))
    ok = same_key and not report['missing'] and report['chain_starts_with_cert'] and signed
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
