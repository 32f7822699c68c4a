"""The TLS certificate of the SMTP service: configured, or self-signed."""

import datetime
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings


def certificate_files() -> tuple[Path, Path]:
    """The (certificate, key) PEM files, generating a self-signed pair if unset."""
    if settings.SES_SMTP_CERT_FILE and settings.SES_SMTP_KEY_FILE:
        return Path(settings.SES_SMTP_CERT_FILE), Path(settings.SES_SMTP_KEY_FILE)
    folder = Path(settings.VAR_DIR) / "smtp-tls"
    cert, key = folder / "cert.pem", folder / "key.pem"
    if not (cert.exists() and key.exists()):
        folder.mkdir(parents=True, exist_ok=True)
        _write_self_signed(cert, key, settings.SES_SMTP_HOSTNAME)
    return cert, key


def _write_self_signed(cert_path: Path, key_path: Path, hostname: str) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=825))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), False)
        .sign(key, hashes.SHA256())
    )
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def server_context() -> ssl.SSLContext:
    cert, key = certificate_files()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context
