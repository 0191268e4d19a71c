#!/usr/bin/python3
"""An HTTPS server on loopback serving Mozilla autoconfig files for the
test domains of tests/rig/autoconfig-net.sh: good ones, and a bad XML, a
slow one, a redirect to http:, a file too big, a certificate for the wrong
name (chosen by SNI)."""

import argparse
import http.server
import ssl
import threading
import time

CONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="{domain}">
    <domain>{domain}</domain>
    <displayName>{name}</displayName>
    <incomingServer type="imap">
      <hostname>imap.{domain}</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <authentication>password-cleartext</authentication>
      <username>%EMAILADDRESS%</username>
    </incomingServer>
{outgoing}
  </emailProvider>
</clientConfig>
"""

def outgoing(host, port, socket_type, auths, user):
    lines = ['    <outgoingServer type="smtp">',
             f'      <hostname>{host}</hostname>',
             f'      <port>{port}</port>',
             f'      <socketType>{socket_type}</socketType>']
    lines += [f'      <authentication>{a}</authentication>' for a in auths]
    lines += [f'      <username>{user}</username>', '    </outgoingServer>']
    return "\n".join(lines)

def config(domain, name, *servers):
    return CONFIG.format(domain=domain, name=name, outgoing="\n".join(servers)).encode()

FILES = {
    ("autoconfig.good.test", "/mail/config-v1.1.xml"):
        config("good.test", "Good Mail",
               outgoing("smtp.good.test", 465, "SSL", ["password-cleartext"], "%EMAILADDRESS%")),
    ("wellknown.test", "/.well-known/autoconfig/mail/config-v1.1.xml"):
        config("wellknown.test", "Well Known",
               outgoing("smtp.wellknown.test", 587, "STARTTLS", ["password-cleartext"], "%EMAILLOCALPART%")),
    ("autoconfig.outside.test", "/mail/config-v1.1.xml"):
        config("outside.test", "Hosted Mail",
               outgoing("smtp.provider.example", 587, "STARTTLS", ["password-cleartext"], "%EMAILADDRESS%")),
    ("autoconfig.oauth.test", "/mail/config-v1.1.xml"):
        config("oauth.test", "OAuth Mail",
               outgoing("plain.oauth.test", 25, "plain", ["password-cleartext"], "%EMAILADDRESS%"),
               outgoing("smtp.oauth.test", 587, "STARTTLS", ["NTLM", "OAuth2", "password-cleartext"],
                        "%EMAILADDRESS%")),
    ("autoconfig.badxml.test", "/mail/config-v1.1.xml"):
        b'<clientConfig version="1.1"><emailProvider><outgoingServer type="smtp">'
        b'<hostname>smtp.badxml.test</hostname></emailProvider></clientConfig>',
}


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send_body(self, body, content_length=True):
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        if content_length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0]
        path = self.path.split("?")[0]
        with self.server.log_lock:
            with open(self.server.log_path, "a") as log:
                log.write(f"{host} {self.path}\n")
        if (host, path) in FILES:
            self.send_body(FILES[(host, path)])
        elif host == "autoconfig.slow.test":
            time.sleep(60)
            self.send_body(FILES[("autoconfig.good.test", "/mail/config-v1.1.xml")])
        elif host == "autoconfig.redirect.test":
            self.send_response(301)
            self.send_header("Location", "http://redirect.test/mail/config-v1.1.xml")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif host == "autoconfig.redirect-ok.test":
            self.send_response(302)
            self.send_header("Location", "https://wellknown.test/.well-known/autoconfig/mail/config-v1.1.xml")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif host == "autoconfig.big.test":
            # No Content-Length: the client must stop reading by itself.
            padding = b"<!-- " + b"x" * (400 * 1024) + b" -->"
            self.send_body(FILES[("autoconfig.good.test", "/mail/config-v1.1.xml")] + padding,
                           content_length=False)
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=443)
    parser.add_argument("--ready", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()

    good = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    good.load_cert_chain(f"{args.dir}/good.pem", f"{args.dir}/good.key")
    other = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    other.load_cert_chain(f"{args.dir}/other.pem", f"{args.dir}/other.key")

    def pick(sock, server_name, _context):
        if server_name == "autoconfig.wrongname.test":
            sock.context = other

    good.sni_callback = pick
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.log_path = args.log
    server.log_lock = threading.Lock()
    open(args.log, "w").close()
    server.socket = good.wrap_socket(server.socket, server_side=True)
    open(args.ready, "w").close()
    server.serve_forever()


if __name__ == "__main__":
    main()
