# -*- coding: utf-8 -*-
"""module_utils/x509.py: the serial and validity read from DER agree with cryptography's reading."""

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ansible_collections.domainsec.onboard.plugins.module_utils.x509 import CertificateError, certificate_summary


def make_cert(serial, not_before, not_after):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, u'example.com')])
    cert = x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(
        serial).not_valid_before(not_before).not_valid_after(not_after).sign(key, hashes.SHA256())
    return cert.public_bytes(serialization.Encoding.PEM).decode('ascii')


@pytest.mark.parametrize('serial', [1, 0x7f, 0x80, 0xff00, x509.random_serial_number()])
def test_serial_and_validity(serial):
    before = datetime.datetime(2026, 11, 25, 10, 0, 0)
    after = datetime.datetime(2051, 1, 2, 3, 4, 5)  # after 2049: GeneralizedTime
    summary = certificate_summary('text before\n' + make_cert(serial, before, after) + 'chain after')
    hexed = '%X' % serial
    hexed = ('0' + hexed) if len(hexed) % 2 else hexed
    assert summary == {'serial': ':'.join(hexed[i:i + 2] for i in range(0, len(hexed), 2)),
                       'not_before': '2026-11-25T10:00:00Z', 'not_after': '2051-01-02T03:04:05Z'}


def test_utc_time_of_the_last_century():
    summary = certificate_summary(make_cert(5, datetime.datetime(1999, 12, 31, 23, 59, 59), datetime.datetime(2030, 1, 1)))
    assert summary['not_before'] == '1999-12-31T23:59:59Z' and summary['not_after'] == '2030-01-01T00:00:00Z'


@pytest.mark.parametrize('text', ['', 'no pem', '-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----',
                                  '-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----'])
def test_not_a_certificate(text):
    with pytest.raises(CertificateError):
        certificate_summary(text)
