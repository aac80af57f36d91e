"""A broker reached over TLS, for the tests of Kafka TLS (tests/integration/test_kafka_tls.py).

Tansu 0.6 cannot serve TLS from its command line (its `--cert` and `--key` flags refuse each
other), so a second embedded Tansu sits behind a TLS terminator run here: clients do a real TLS
handshake against a certificate signed by a CA made for the run, and the broker advertises the
terminator's address, so every connection a client opens (bootstrap, group coordinator, partition
leader) is TLS.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import ipaddress
import ssl
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tools.dev.broker import EmbeddedBroker
from tools.dev.processes import free_port


@dataclass(frozen=True)
class TlsBroker:
    bootstrap: str
    ca_file: Path
    client_cert: Path  # signed by the same CA, for a broker that requires one
    client_key: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _leaf(
    ca: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    name: str,
    usage: x509.ObjectIdentifier,
    names: list[x509.GeneralName],
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(ca_key, hashes.SHA256()), key


def make_ca_and_server_cert(
    folder: Path, extra_names: Sequence[str] = ()
) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1, localhost and `extra_names`: (ca, cert, key)
    files. A client certificate from the same CA is left beside them (client.pem, client.key)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("warmlink test CA"))
        .issuer_name(_name("warmlink test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    names += [x509.DNSName(name) for name in extra_names]
    server, server_key = _leaf(ca, ca_key, "localhost", ExtendedKeyUsageOID.SERVER_AUTH, names)
    client, client_key = _leaf(ca, ca_key, "warmlink-svc", ExtendedKeyUsageOID.CLIENT_AUTH, [])
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    for stem, cert, key in (("server", server, server_key), ("client", client, client_key)):
        (folder / f"{stem}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        (folder / f"{stem}.key").write_bytes(_pem(key))
    return folder / "ca.pem", folder / "server.pem", folder / "server.key"


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        writer.close()


class _Terminator:
    """Accepts TLS on `port` and forwards the plaintext to the broker, in a thread of its own."""

    def __init__(self, port: int, origin_port: int, context: ssl.SSLContext) -> None:
        self.port, self.origin_port, self.context = port, origin_port, context
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tls-terminator", daemon=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            origin_reader, origin_writer = await asyncio.open_connection(
                "127.0.0.1", self.origin_port
            )
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, origin_writer), _pipe(origin_reader, writer))

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", self.port, ssl=self.context)
        )
        self._ready.set()
        self.loop.run_forever()
        server.close()

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(10)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


@contextlib.contextmanager
def tls_broker(folder: Path, *, client_cert_required: bool = False) -> Iterator[TlsBroker]:
    """`client_cert_required`: mutual TLS, a client must present a certificate the CA signed."""
    ca_file, cert_file, key_file = make_ca_and_server_cert(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    if client_cert_required:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(ca_file)
    tls_port = free_port()
    broker = EmbeddedBroker(free_port(), folder / "broker.log", advertised_port=tls_port)
    terminator = _Terminator(tls_port, broker.port, context)
    broker.start()
    terminator.start()
    try:
        yield TlsBroker(
            f"127.0.0.1:{tls_port}", ca_file, folder / "client.pem", folder / "client.key"
        )
    finally:
        terminator.stop()
        broker.stop()
