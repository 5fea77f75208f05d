# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make a key and a CSR for the integration target: make_csr.py KEY_PATH CSR_PATH COMMON_NAME [SAN ...].

An existing key is kept (its CSR is made again), so the target can run twice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def main(key_path, csr_path, common_name, *sans):
    if os.path.exists(key_path):
        with open(key_path, 'rb') as handle:
            key = serialization.load_pem_private_key(handle.read(), password=None)
    else:
        key = ec.generate_private_key(ec.SECP256R1())
        with os.fdopen(os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'wb') as handle:
            handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    names = [common_name] + [s for s in sans if s != common_name]
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
           .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
           .sign(key, hashes.SHA256()))
    with open(csr_path, 'wb') as handle:
        handle.write(csr.public_bytes(serialization.Encoding.PEM))


if __name__ == '__main__':
    main(*sys.argv[1:])
