#!/usr/bin/env python3
"""A small HTTP/1.1 peer for port/posix/test_https_client.c (not a pytest
module): python's http.server over TLS (the Debian python3 ssl module),
keep-alive, chunked bodies, the ACME header fields, and a few broken
answers. Writes the port it listens on to --port-file, then serves until
killed. Idle kept-alive connections are closed after --idle seconds."""
import argparse
import http.server
import socketserver
import ssl


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "peer"
    sys_version = ""

    def log_message(self, *args):
        pass

    def acme_headers(self, length):
        self.send_header("Replay-Nonce", "nonce-%d" % self.server.count)
        self.send_header("Location", "https://ca.test/acct/1")
        self.send_header("Content-Type", "application/json")
        self.send_header("Link", '<https://ca.test/dir>;rel="index"')
        self.send_header("Link", '<https://ca.test/up1>; rel="up", <https://ca.test/alt>; rel=alternate')
        self.send_header("Link", '<https://ca.test/up2>;rel=up')
        self.send_header("Retry-After", "7")
        self.send_header("Content-Length", str(length))

    def do_HEAD(self):
        self.server.count += 1
        self.send_response(200)
        self.acme_headers(5)
        self.end_headers()

    def do_GET(self):
        self.server.count += 1
        if self.path == "/cl":
            self.send_response(200)
            self.acme_headers(5)
            self.end_headers()
            self.wfile.write(b"hello")
        elif self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"first,", b"second,", b"x" * 3000):
                self.wfile.write(b"%x;ext=1\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\nX-Trailer: ignored\r\n\r\n")
        elif self.path == "/big":
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"y" * 100000)
        elif self.path == "/close":
            self.send_response(200)
            self.send_header("Content-Length", "3")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"bye")
            self.close_connection = True
        elif self.path == "/bad":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
                             b"Content-Length: 2\r\n\r\nab")
            self.close_connection = True
        elif self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "https://elsewhere.test/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def do_POST(self):
        self.server.count += 1
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        self.send_response(201)
        self.send_header("Content-Type", self.headers.get("Content-Type", "none"))
        self.send_header("X-UA", self.headers.get("User-Agent", "none"))
        self.send_header("X-Accept", self.headers.get("Accept", "none"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    count = 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--idle", type=float, default=1.0)
    a = ap.parse_args()
    Handler.timeout = a.idle
    srv = Server(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_cert_chain(a.cert, a.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
