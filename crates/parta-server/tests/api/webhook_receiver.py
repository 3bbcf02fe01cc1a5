"""A school's own system behind its webhook, for the webhook tests: an HTTPS server
that checks each delivery as a receiver should — the Parta-Signature (HMAC-SHA256 of
"<t>.<body>" with the secret the school was given; the time within five minutes) and
that each endpoint's deliveries come in order — and writes one JSON line per request:
{"path", "status", "event", "delivery", "signature_ok", "in_order", "body"}.

Paths choose the answer: /flaky/N/… answers 503 to its first N requests, then 200;
anything else 200. Secrets are read at each request from SECRETS (a JSON object: path
prefix → secret), so a test can give them as it makes webhooks.

Usage: webhook_receiver.py PORT CERT KEY LOG SECRETS
"""
import hashlib, hmac, json, ssl, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, cert, key, log_path, secrets_path = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
seen = {}        # path → requests so far
last_taken = {}  # path → the last delivery id answered 2xx


def secret_for(path):
    try:
        with open(secrets_path) as f:
            secrets = json.load(f)
    except (OSError, ValueError):
        return None
    return next((s for prefix, s in secrets.items() if path.startswith(prefix)), None)


def signature_ok(header, body, secret):
    try:
        parts = dict(p.split('=', 1) for p in header.split(','))
        t = int(parts['t'])
    except (KeyError, ValueError):
        return False
    if secret is None or abs(time.time() - t) > 300:
        return False
    expected = hmac.new(secret.encode(), f'{t}.'.encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get('v1', ''))


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('content-length', 0)))
        path = self.path
        seen[path] = seen.get(path, 0) + 1
        status = 200
        if path.startswith('/flaky/'):
            failures = int(path.split('/')[2])
            if seen[path] <= failures:
                status = 503
        delivery = int(self.headers.get('parta-delivery', '0'))
        in_order = delivery > last_taken.get(path, 0) or (status != 200)
        if status == 200:
            last_taken[path] = max(delivery, last_taken.get(path, 0))
        record = {
            'path': path, 'status': status, 'event': self.headers.get('parta-event'), 'delivery': delivery,
            'signature_ok': signature_ok(self.headers.get('parta-signature', ''), body, secret_for(path)),
            'in_order': in_order, 'body': json.loads(body or b'null'),
        }
        with open(log_path, 'a') as f:
            f.write(json.dumps(record, ensure_ascii=False) + '\n')
        self.send_response(status)
        self.send_header('content-length', '0')
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(('127.0.0.1', port), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
