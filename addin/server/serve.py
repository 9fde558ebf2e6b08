"""``ofsted-tracker serve``: the add-in's server over HTTPS on this computer, for development and for trying it out.

The certificate: ``--certfile``/``--keyfile`` if given; else mkcert's files in ``--cert-dir`` (``mkcert -install``
then ``mkcert localhost 127.0.0.1 ::1`` there makes ``localhost+2.pem`` and ``localhost+2-key.pem``, the names
xlwings-server's own ``certs/`` folder uses; mkcert's root is trusted by the OS, so Excel accepts it); else a
self-signed leaf certificate for localhost, 127.0.0.1 and ::1 made once with ``cryptography`` and kept in
``--cert-dir`` (Excel accepts it only once it is trusted: trust that one certificate, never as a root
authority, or use mkcert). It is not a CA (``CA:FALSE``), so its key can sign nothing else.
It refuses to listen on anything but this computer unless Entra ID sign-in is on.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from pathlib import Path

from ofsted_tracker.addin.server import LICENCE_HELP, LOCAL_HOSTS
from ofsted_tracker.workbook.errors import UnusableInput

MKCERT = ("localhost+2.pem", "localhost+2-key.pem")
SELF_SIGNED = ("ofsted-tracker-dev.pem", "ofsted-tracker-dev-key.pem")


def self_signed(cert: Path, key: Path, days: int = 90) -> None:
    """Write a self-signed leaf certificate for localhost, 127.0.0.1 and ::1, and its key (readable by you only).

    A server certificate only: ``CA:FALSE``, key usage digital signature and key encipherment, extended key
    usage server authentication (macOS wants it), valid for ``days`` (short: make a new one by deleting it).
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "ofsted-tracker development (localhost)")]
    )
    now = dt.datetime.now(dt.UTC)
    alt = x509.SubjectAlternativeName(
        [
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1")),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(alt, critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(private.public_key()), critical=False
        )
        .sign(private, hashes.SHA256())
    )
    cert.parent.mkdir(parents=True, exist_ok=True)
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key.chmod(0o600)
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def certificate(
    cert_dir: Path, certfile: Path | None = None, keyfile: Path | None = None
) -> tuple[Path, Path, str]:
    """The certificate and key to serve with, and a sentence saying where they came from."""
    if certfile or keyfile:
        if not (certfile and keyfile and certfile.is_file() and keyfile.is_file()):
            raise UnusableInput("Give both --certfile and --keyfile, as existing PEM files.")
        return certfile, keyfile, f"certificate {certfile}"
    for cert_name, key_name in (MKCERT, SELF_SIGNED):
        cert, key = cert_dir / cert_name, cert_dir / key_name
        if cert.is_file() and key.is_file():
            return cert, key, f"certificate {cert}"
    cert, key = (cert_dir / name for name in SELF_SIGNED)
    self_signed(cert, key)
    return (
        cert,
        key,
        (
            f"made a self-signed certificate {cert}: trust this one certificate (not as a root "
            "authority), or use mkcert, before Excel will load the add-in"
        ),
    )


def check_host(host: str, auth_providers: list[str] | None) -> None:
    """Refuse a host other than this computer unless Entra ID sign-in is on."""
    if host not in LOCAL_HOSTS and "entraid" not in (auth_providers or []):
        raise UnusableInput(
            f"Refusing to listen on {host}: without sign-in the server answers only this computer. Turn on Entra ID "
            "sign-in first (XLWINGS_AUTH_PROVIDERS='[\"entraid\"]', XLWINGS_AUTH_ENTRAID_CLIENT_ID and "
            "XLWINGS_AUTH_ENTRAID_TENANT_ID; see 'For IT' in the README), or use --host 127.0.0.1."
        )


def run(
    host: str, port: int, cert_dir: Path, certfile: Path | None = None, keyfile: Path | None = None
) -> None:
    """Start the server (blocks until stopped with Ctrl+C)."""
    if not os.environ.get("XLWINGS_LICENSE_KEY"):
        raise UnusableInput(LICENCE_HELP)
    shown = f"[{host}]" if ":" in host else host
    if not os.environ.get(
        "XLWINGS_HOSTNAME"
    ):  # the manifest names the address served, never a request's Host
        os.environ["XLWINGS_HOSTNAME"] = f"{shown}:{port}"
    try:
        import uvicorn

        from ofsted_tracker.addin.server.app import (  # defers xlwings Server (an optional extra)
            app,
            settings,
        )
    except ImportError as exc:
        raise UnusableInput(
            f"The server is not installed ({exc.name} is missing): "
            "pip install 'ofsted-tracker[server]'"
        ) from None
    except SystemExit as exc:  # an incomplete configuration: its one line
        raise UnusableInput(str(exc.code)) from None
    check_host(host, settings.auth_providers)
    cert, key, origin = certificate(cert_dir, certfile, keyfile)
    print(
        f"Improvement Plan add-in on https://{shown}:{port}/ ({origin}).\n"
        f"Manifest: https://{shown}:{port}/manifest.xml  Task pane: https://{shown}:{port}/taskpane.html\n"
        "xlwings Server: PolyForm Noncommercial 1.0.0 or a commercial xlwings licence. Ctrl+C stops it.",
        flush=True,
    )
    uvicorn.run(
        app, host=host, port=port, ssl_certfile=str(cert), ssl_keyfile=str(key), log_level="warning"
    )
