"""Certificates and a time-stamp authority for bench/third-party-corpus.py,
made the way C2PA vendors have them: a root CA, an intermediate CA and a leaf
signer per vendor, and an RFC 3161 authority answering on 127.0.0.1 through
`openssl ts -reply` (as tests/e2e/tsa.rs does for the test suite).

Keys are fresh on every build (nothing secret is committed); what the bench
measures, the shape of the chains and the manifests, is fixed.
"""
import datetime
import http.server
import pathlib
import subprocess
import tempfile
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = datetime.datetime.now(datetime.timezone.utc)


def rsa_key(bits):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def ec_key(curve):
    return ec.generate_private_key(curve)


def _name(cn, org):
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


def _hash_for(key):
    # An issuer signs with the digest matching its strength, as CAs do.
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.key_size >= 384:
        return hashes.SHA384()
    return hashes.SHA256()


def certificate(cn, org, key, issuer=None, ca=False, eku=None, years=5):
    """A certificate for `key`, issued by `issuer` = (cert, key) or self-signed.

    A CA gets keyCertSign; a leaf gets what C2PA's certificate profile asks
    of a signer (digitalSignature, critical; an EKU; not a CA; AKI and SKI).
    """
    subject = _name(cn, org)
    issuer_cert, issuer_key = issuer if issuer else (None, key)
    b = (x509.CertificateBuilder()
         .subject_name(subject)
         .issuer_name(issuer_cert.subject if issuer_cert else subject)
         .public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(NOW - datetime.timedelta(days=30))
         .not_valid_after(NOW + datetime.timedelta(days=365 * years))
         # An intermediate may issue only leaves (path length 0), as vendors' do.
         .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca and issuer else None),
                        critical=True)
         .add_extension(x509.KeyUsage(
             digital_signature=not ca, content_commitment=False, key_encipherment=False,
             data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
             encipher_only=False, decipher_only=False), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                        critical=False))
    if issuer_cert:
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key())
        b = b.add_extension(aki, critical=False)
    if eku:
        # A time-stamping EKU must be critical (RFC 3161); C2PA signers'
        # EKUs are not, as in vendors' certificates.
        b = b.add_extension(x509.ExtendedKeyUsage(eku),
                            critical=ExtendedKeyUsageOID.TIME_STAMPING in eku)
    return b.sign(issuer_key, _hash_for(issuer_key))


def pem(*items):
    out = b""
    for it in items:
        if isinstance(it, x509.Certificate):
            out += it.public_bytes(serialization.Encoding.PEM)
        else:
            out += it.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    return out


class Vendor:
    """Root CA -> intermediate CA -> leaf signer, and the c2pa algorithm."""

    def __init__(self, org, alg, root_key, inter_key, leaf_key, eku):
        self.org, self.alg = org, alg
        self.root = certificate(f"{org} Root CA", org, root_key, ca=True, years=20)
        self.inter = certificate(f"{org} Issuing CA", org, inter_key, (self.root, root_key),
                                 ca=True, years=10)
        self.leaf = certificate(f"{org} C2PA Signer", org, leaf_key, (self.inter, inter_key),
                                eku=[eku], years=2)
        self.key = leaf_key

    def chain_pem(self):
        # What the signer embeds: leaf then intermediate; the root is the anchor.
        return pem(self.leaf, self.inter)

    def key_pem(self):
        return pem(self.key)


def vendors():
    camera = Vendor("Aqtau Optics", "es256", ec_key(ec.SECP384R1()), ec_key(ec.SECP384R1()),
                    ec_key(ec.SECP256R1()), ExtendedKeyUsageOID.EMAIL_PROTECTION)
    # Editing software: RSA 4096 CAs and an RSA 3072 signer, PS256. Both
    # signers use emailProtection: c2pa 0.91 (c2pa-python 0.38.1) refuses
    # documentSigning (RFC 9336) when it verifies after signing.
    editor = Vendor("Steppe Imaging Software", "ps256", rsa_key(4096), rsa_key(4096),
                    rsa_key(3072), ExtendedKeyUsageOID.EMAIL_PROTECTION)
    return camera, editor


TS_CONFIG = """[tsa]
default_tsa = tsa1
[tsa1]
dir = {d}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/chain.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


class TimeStampAuthority:
    """An RFC 3161 authority on a free loopback port, for the corpus build:
    RSA like the public TSAs vendors use (RSA 4096 root and intermediate,
    RSA 3072 signer with the critical timeStamping EKU)."""

    def __init__(self):
        self._dir = tempfile.TemporaryDirectory(prefix="tsa-")
        d = pathlib.Path(self._dir.name)
        root_key, inter_key, tsa_key = rsa_key(4096), rsa_key(4096), rsa_key(3072)
        org = "Kazakh Time Stamping"
        self.root = certificate(f"{org} Root", org, root_key, ca=True, years=20)
        inter = certificate(f"{org} CA", org, inter_key, (self.root, root_key), ca=True, years=10)
        tsa = certificate(f"{org} TSA 1", org, tsa_key, (inter, inter_key),
                          eku=[ExtendedKeyUsageOID.TIME_STAMPING], years=5)
        (d / "tsa.pem").write_bytes(pem(tsa))
        (d / "tsa.key").write_bytes(pem(tsa_key))
        (d / "chain.pem").write_bytes(pem(inter))
        (d / "serial").write_text("01\n")
        (d / "ts.cnf").write_text(TS_CONFIG.format(d=d))
        self.hits = 0
        authority = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                query = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                authority.hits += 1
                q, r = d / f"q{authority.hits}.tsq", d / f"r{authority.hits}.tsr"
                q.write_bytes(query)
                done = subprocess.run(
                    ["openssl", "ts", "-reply", "-config", d / "ts.cnf",
                     "-queryfile", q, "-out", r], capture_output=True)
                body = r.read_bytes() if done.returncode == 0 and r.exists() else done.stderr
                self.send_response(200 if done.returncode == 0 else 500)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        # One request at a time: openssl's serial file is not safe to share.
        self._server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/tsa"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self):
        self._server.shutdown()
        self._server.server_close()
        self._dir.cleanup()
