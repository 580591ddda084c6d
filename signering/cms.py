"""The signature a service gets: a detached CMS SignedData (RFC 5652) made from a signature that a
citizen's card computed, CAdES-style with the signing certificate bound by signingCertificateV2
(RFC 5035). `openssl cms -verify -binary -inform DER -content <document>` accepts it.

The card signs only a digest, so the signed attributes are built first (`signed_attributes`), the
card signs `digest_to_sign(...)`, and `signed_data` wraps the result."""

import hashlib
from datetime import datetime

from asn1crypto import cms, tsp, x509
from cryptography import x509 as crypto_x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

# What the card agent produces: ECDSA P-256 over a SHA-256 digest, as raw r||s.
P256_COORDINATE_BYTES = 32


class BadSignature(ValueError):
    """The signature is not the certificate's key's signature over these signed attributes."""


def _signing_certificate_v2(certificate: x509.Certificate) -> tsp.SigningCertificateV2:
    # hashAlgorithm is sha256, the DEFAULT, and so left out of the DER.
    cert_id = tsp.ESSCertIDv2(
        {
            "hash_algorithm": {"algorithm": "sha256"},
            "cert_hash": hashlib.sha256(certificate.dump()).digest(),
            "issuer_serial": {
                "issuer": [x509.GeneralName(name="directory_name", value=certificate.issuer)],
                "serial_number": certificate.serial_number,
            },
        }
    )
    return tsp.SigningCertificateV2({"certs": [cert_id]})


def signed_attributes(document_sha256: bytes, certificate_der: bytes, *, signing_time: datetime) -> bytes:
    """The DER of the signed attributes as a SET OF Attribute (DER-sorted): contentType id-data,
    signingTime, messageDigest and signingCertificateV2 for the certificate."""
    certificate = x509.Certificate.load(certificate_der)
    attributes = cms.CMSAttributes(
        [
            {"type": "content_type", "values": ["data"]},
            {"type": "signing_time", "values": [cms.Time({"utc_time": signing_time})]},
            {"type": "message_digest", "values": [document_sha256]},
            {"type": "signing_certificate_v2", "values": [_signing_certificate_v2(certificate)]},
        ]
    )
    return attributes.dump(force=True)


def digest_to_sign(signed_attributes_der: bytes) -> bytes:
    """What the card signs: SHA-256 over the signed attributes' DER (RFC 5652 section 5.4)."""
    return hashlib.sha256(signed_attributes_der).digest()


def verify_card_signature(
    raw_signature: bytes, *, signed_attributes_der: bytes, certificate_der: bytes
) -> bytes:
    """Check a raw r||s ECDSA P-256 signature over the signed attributes with the certificate's key;
    returns it DER-encoded (ECDSA-Sig-Value), as CMS carries it. Raises BadSignature."""
    public_key = crypto_x509.load_der_x509_certificate(certificate_der).public_key()
    if not (isinstance(public_key, ec.EllipticCurvePublicKey) and isinstance(public_key.curve, ec.SECP256R1)):
        raise BadSignature("The certificate's key is not an ECDSA P-256 key.")
    if len(raw_signature) != 2 * P256_COORDINATE_BYTES:
        raise BadSignature("The signature is not 64 bytes of r and s.")
    r = int.from_bytes(raw_signature[:P256_COORDINATE_BYTES], "big")
    s = int.from_bytes(raw_signature[P256_COORDINATE_BYTES:], "big")
    der_signature = encode_dss_signature(r, s)
    try:
        public_key.verify(der_signature, signed_attributes_der, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise BadSignature("The signature does not match the signed attributes.") from None
    return der_signature


def signed_data(*, signed_attributes_der: bytes, certificate_der: bytes, der_signature: bytes) -> bytes:
    """The detached SignedData in a ContentInfo, DER: version 1, sha256, id-data without eContent,
    the signer's certificate, one SignerInfo (issuerAndSerialNumber, ecdsa-with-SHA256)."""
    certificate = x509.Certificate.load(certificate_der)
    sha256 = {"algorithm": "sha256", "parameters": None}  # parameters absent (RFC 5754)
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                name="issuer_and_serial_number",
                value={"issuer": certificate.issuer, "serial_number": certificate.serial_number},
            ),
            "digest_algorithm": sha256,
            # The exact bytes the card signed, re-tagged [0] IMPLICIT.
            "signed_attrs": cms.CMSAttributes.load(signed_attributes_der),
            "signature_algorithm": {"algorithm": "sha256_ecdsa"},
            "signature": der_signature,
        }
    )
    content = cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [sha256],
            "encap_content_info": {"content_type": "data"},
            "certificates": [cms.CertificateChoices(name="certificate", value=certificate)],
            "signer_infos": [signer_info],
        }
    )
    return cms.ContentInfo({"content_type": "signed_data", "content": content}).dump()
