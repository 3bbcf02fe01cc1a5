"""A push service and the browser behind it, for the push tests: an HTTPS server that
takes pushes as a push service would, checks each request's VAPID token (RFC 8292)
against the server's key, and decrypts the payload as a browser does (RFC 8291, with
PyPI's http_ece and cryptography, not Parta's code). Each request is written as one
JSON line to the log. Paths choose the answer: /gone/… 410, /flaky/… 503 once then 201,
anything else 201.

A GET is an API that takes its request in the query (an SMS gateway's): logged as
{"method": "GET", "path": …}; /down/… answers 503, anything else 200.

Usage: push_receiver.py PORT CERT KEY LOG SUBSCRIPTION_OUT
SUBSCRIPTION_OUT receives the browser's keys: {"p256dh": …, "auth": …} (base64url); given
an existing one, the service starts again as the same browser.
"""
import base64, json, os, ssl, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

port, cert, key, log_path, subscription_out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]


def b64d(text):
    return base64.urlsafe_b64decode(text + '=' * (-len(text) % 4))


def b64e(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode()


# The browser's keys: made once, and the same when the service comes back up.
if os.path.exists(subscription_out):
    with open(subscription_out) as f:
        kept = json.load(f)
    browser_key = serialization.load_der_private_key(b64d(kept['private']), password=None)
    auth_secret = b64d(kept['auth'])
else:
    browser_key = ec.generate_private_key(ec.SECP256R1())
    auth_secret = os.urandom(16)
public = browser_key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
private = browser_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
with open(subscription_out + '.tmp', 'w') as f:
    json.dump({'p256dh': b64e(public), 'auth': b64e(auth_secret), 'private': b64e(private)}, f)
os.replace(subscription_out + '.tmp', subscription_out)

flaky_seen = set()


def check_vapid(header):
    """The token's claims and whether its signature verifies with the key it names."""
    if not header or not header.startswith('vapid '):
        return None, False, None
    parts = dict(p.strip().split('=', 1) for p in header[len('vapid '):].split(','))
    token, k = parts.get('t', ''), parts.get('k', '')
    head, claims, signature = token.split('.')
    raw = b64d(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], 'big'), int.from_bytes(raw[32:], 'big'))
    server_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64d(k))
    try:
        server_key.verify(der, f'{head}.{claims}'.encode(), ec.ECDSA(hashes.SHA256()))
        verified = json.loads(b64d(head)) == {'typ': 'JWT', 'alg': 'ES256'}
    except InvalidSignature:
        verified = False
    return json.loads(b64d(claims)), verified, k


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        status = 503 if self.path.startswith('/down/') else 200
        with open(log_path, 'a') as f:
            f.write(json.dumps({'method': 'GET', 'path': self.path, 'status': status}, ensure_ascii=False) + '\n')
        self.send_response(status)
        self.send_header('content-length', '0')
        self.end_headers()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('content-length', '0')))
        claims, verified, k = check_vapid(self.headers.get('authorization'))
        entry = {
            'path': self.path,
            'at': time.time(),
            'ttl': self.headers.get('ttl'),
            'urgency': self.headers.get('urgency'),
            'topic': self.headers.get('topic'),
            'encoding': self.headers.get('content-encoding'),
            'claims': claims,
            'vapid_verified': verified,
            'vapid_key': k,
        }
        try:
            plain = http_ece.decrypt(body, private_key=browser_key, auth_secret=auth_secret, version='aes128gcm')
            entry['payload'] = json.loads(plain.decode('utf-8'))
        except Exception as error:  # a payload a browser could not read is recorded as such
            entry['error'] = repr(error)
        if self.path.startswith('/gone/'):
            status = 410
        elif self.path.startswith('/flaky/') and self.path not in flaky_seen:
            flaky_seen.add(self.path)
            status = 503
        else:
            status = 201
        entry['status'] = status
        with open(log_path, 'a') as f:
            f.write(json.dumps(entry, ensure_ascii=False) + '\n')
        self.send_response(status)
        if status == 503:
            self.send_header('retry-after', '1')
        self.send_header('content-length', '0')
        self.end_headers()


server = ThreadingHTTPServer(('127.0.0.1', port), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
