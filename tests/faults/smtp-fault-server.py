#!/usr/bin/python3
"""A scripted, misbehaving SMTP submission server for Postier's fault tests.

It behaves like a small, correct server (greeting, EHLO, STARTTLS, AUTH
PLAIN/LOGIN, MAIL, RCPT, DATA, QUIT, with PIPELINING) except where the plan
given as JSON says otherwise. Steps: greeting, ehlo, starttls, auth, mail,
mail (or mail1, mail2, … for the
n-th transaction), rcpt1, rcpt2, …, data, dot (the reply after the final dot), quit. Actions
for a step:
  "close"     disconnect instead of answering
  "stall"     never answer (and stop reading)
  "garbage"   answer with bytes that are not an SMTP reply
  "overlong"  answer with a reply line of 100,000 bytes
  "inject"    (starttls only) send "220" and a forged reply in one write,
              in the clear, right before the handshake
  "absent"    (starttls only) do not offer STARTTLS
  "NNN text"  answer this (lines separated by "\\n")
Other plan keys: "mode" ("starttls" or "tls"), "cert" ("good", "expired",
"wronghost", "selfsigned"), "pipelining" (bool), "size" (SIZE limit),
"datastall" (stop reading in the middle of the message data),
"handshake" ("close" to drop the connection instead of the TLS handshake),
"savedata" (a file to write the DATA bytes to, exactly as received),
"dsn" (announce DSN), "smtputf8" (false: do not announce it), "oauth"
(announce XOAUTH2 and OAUTHBEARER; the token "good-token" is accepted),
"tls_max" ("1.1": offer nothing newer than TLS 1.1), "family" ("ipv6":
listen on ::1 instead of 127.0.0.1), "stall_ipv6" (also hold the same
port on ::1 with a full backlog, so a connection there never completes).
"handshake" may also be "stall" (answer 220 to STARTTLS, then nothing).
"dot_delay" (seconds to think before answering the final dot).
"chunking" (announce CHUNKING: BDAT n [LAST] is read as n octets, logged
as "[bdat N]" or "[bdat N last]", and answered per step "bdat", by
default 250, or 554 when the sender or every recipient was refused).

Also logged: "[sni NAME]" (or "[sni none]") at each TLS handshake, and
"[pipelined N]" at each MAIL, N being the commands that came with it in
the same read (RCPT TO and DATA when the client pipelines).

The first line on stdout is "PORT <n>"; the server serves one connection
then exits. Every command line received is appended to --log, with AUTH
payloads as they came (the test checks what was or was not sent).
"""
import argparse
import base64
import json
import os
import socket
import ssl
import sys
import time
import warnings

# TLS 1.0 and 1.1 are deprecated, which is why a test offers them.
warnings.filterwarnings("ignore", category=DeprecationWarning)

CERTS = {
    "good": ("POSTIER_TEST_CERT", "POSTIER_TEST_KEY"),
    "expired": ("POSTIER_TEST_CERT_EXPIRED", "POSTIER_TEST_KEY_EXPIRED"),
    "wronghost": ("POSTIER_TEST_CERT_WRONGHOST", "POSTIER_TEST_KEY_WRONGHOST"),
    "selfsigned": ("POSTIER_TEST_CERT_SELFSIGNED", "POSTIER_TEST_KEY_SELFSIGNED"),
}


class Closed(Exception):
    pass


class Connection:
    def __init__(self, sock, log):
        self.sock = sock
        self.buffer = b""
        self.log = log

    def readline(self):
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Closed()
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.rstrip(b"\r")

    def read_data(self, stall_after=None, save=None):
        """Reads message data up to the final dot; returns its size. With
        SAVE, the bytes as they came (dot-stuffed, before the final dot)
        are written to that file."""
        size = 0
        out = open(save, "wb") if save else None
        while True:
            end = self.buffer.find(b"\r\n.\r\n")
            if self.buffer.startswith(b".\r\n") and size == 0:
                self.buffer = self.buffer[3:]
                return 0
            if end >= 0:
                size += end + 2
                if out:
                    out.write(self.buffer[:end + 2])
                    out.close()
                self.buffer = self.buffer[end + 5:]
                return size
            keep = self.buffer[-4:]
            size += len(self.buffer) - len(keep)
            if out:
                out.write(self.buffer[:len(self.buffer) - len(keep)])
            self.buffer = keep
            if stall_after is not None and size >= stall_after:
                stall()
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Closed()
            self.buffer += chunk

    def read_exact(self, size, save=None):
        """Reads SIZE octets of BDAT data (no dot-stuffing)."""
        while len(self.buffer) < size:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Closed()
            self.buffer += chunk
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        if save:
            with open(save, "ab") as out:
                out.write(data)

    def send(self, data):
        self.sock.sendall(data)

    def record(self, line):
        with open(self.log, "ab") as f:
            f.write(line + b"\n")


def stall():
    time.sleep(120)
    raise Closed()


def act(conn, plan, step, default):
    """Answers STEP per the plan; returns False if the connection is over."""
    action = plan.get(step, default)
    if action == "close":
        conn.sock.close()
        raise Closed()
    if action == "stall":
        stall()
    if action == "garbage":
        conn.send(b"\x00\xffHTTP/1.1 400 Bad Request\r\n\r\n<html>")
        return
    if action == "overlong":
        conn.send(b"250-" + b"x" * 100000 + b"\r\n250 ok\r\n")
        return
    conn.send(action.replace("\n", "\r\n").encode() + b"\r\n")


def ehlo_reply(plan, secure):
    lines = ["250-fault.test greets you"]
    if plan.get("pipelining", True):
        lines.append("250-PIPELINING")
    lines.append("250-SIZE %d" % plan.get("size", 10485760))
    lines.append("250-8BITMIME")
    lines.append("250-ENHANCEDSTATUSCODES")
    if not secure and plan.get("mode", "starttls") == "starttls" and plan.get("starttls") != "absent":
        lines.append("250-STARTTLS")
    if secure:
        lines.append("250-AUTH PLAIN LOGIN" + (" XOAUTH2 OAUTHBEARER" if plan.get("oauth") else ""))
    if plan.get("dsn"):
        lines.append("250-DSN")
    if plan.get("chunking"):
        lines.append("250-CHUNKING")
    if plan.get("smtputf8", True):
        lines.append("250-SMTPUTF8")
    lines.append("250 HELP")
    return "\n".join(l[:3] + ("-" if i < len(lines) - 1 else " ") + l[4:] for i, l in enumerate(lines))


def tls_context(plan, conn):
    cert_var, key_var = CERTS[plan.get("cert", "good")]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.environ[cert_var], os.environ[key_var])
    if plan.get("tls_max") == "1.1":
        # Old servers still exist; OpenSSL 3 allows them only at level 0.
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = ssl.TLSVersion.TLSv1_1

    def on_sni(sock, name, ctx):
        conn.record(b"[sni " + (name.encode() if name else b"none") + b"]")

    context.sni_callback = on_sni
    return context


def serve(conn, plan):
    secure = False
    rcpt_count = 0
    mail_count = 0
    mail_ok = False
    rcpt_ok = 0
    if plan.get("mode", "starttls") == "tls":
        conn.sock = tls_context(plan, conn).wrap_socket(conn.sock, server_side=True)
        secure = True

    act(conn, plan, "greeting", "220 fault.test ESMTP ready")
    while True:
        line = conn.readline()
        conn.record(line)
        verb = line.split(b" ", 1)[0].upper()
        if verb == b"EHLO":
            act(conn, plan, "ehlo", ehlo_reply(plan, secure))
        elif verb == b"STARTTLS":
            if plan.get("starttls") == "absent" or secure:
                conn.send(b"502 5.5.1 not here\r\n")
                continue
            if plan.get("starttls") == "inject":
                conn.send(b"220 2.0.0 go ahead\r\n554 5.7.0 injected reply\r\n")
            else:
                act(conn, plan, "starttls", "220 2.0.0 go ahead")
            if plan.get("handshake") == "close":
                conn.sock.close()
                raise Closed()
            if plan.get("handshake") == "stall":
                stall()
            conn.buffer = b""
            conn.sock = tls_context(plan, conn).wrap_socket(conn.sock, server_side=True)
            secure = True
        elif verb == b"AUTH":
            parts = line.split(b" ")
            if plan.get("auth") is not None:
                act(conn, plan, "auth", "")
                continue
            if parts[1].upper() in (b"XOAUTH2", b"OAUTHBEARER"):
                token = base64.b64decode(parts[2]) if len(parts) > 2 else b""
                if b"auth=Bearer good-token\x01" in token:
                    conn.send(b"235 2.7.0 Accepted\r\n")
                else:
                    conn.send(b"334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIn0=\r\n")
                    conn.record(b"[oauth error answer] " + conn.readline())
                    conn.send(b"535 5.7.8 Username and Password not accepted\r\n")
                continue
            if parts[1].upper() == b"LOGIN":
                conn.send(b"334 VXNlcm5hbWU6\r\n")
                conn.record(conn.readline())
                conn.send(b"334 UGFzc3dvcmQ6\r\n")
                conn.record(conn.readline())
            conn.send(b"235 2.7.0 Authentication successful\r\n")
        elif verb == b"MAIL":
            rcpt_count = 0
            mail_count += 1
            step = "mail%d" % mail_count if "mail%d" % mail_count in plan else "mail"
            conn.record(b"[pipelined %d]" % conn.buffer.count(b"\n"))
            act(conn, plan, step, "250 2.1.0 Ok")
            mail_ok = plan.get(step, "250").startswith("2")
            rcpt_ok = 0
        elif verb == b"RCPT":
            rcpt_count += 1
            act(conn, plan, "rcpt%d" % rcpt_count, "250 2.1.5 Ok")
            if mail_ok and plan.get("rcpt%d" % rcpt_count, "250").startswith("2"):
                rcpt_ok += 1
        elif verb == b"BDAT" and plan.get("chunking"):
            parts = line.split(b" ")
            last = len(parts) > 2 and parts[2].upper() == b"LAST"
            conn.read_exact(int(parts[1]), save=plan.get("savedata"))
            conn.record(b"[bdat %d%s]" % (int(parts[1]), b" last" if last else b""))
            default = "250 2.0.0 Ok: queued as FAULT"
            if not mail_ok or rcpt_ok == 0:
                default = "554 5.5.1 Error: no valid recipients"
            act(conn, plan, "bdat", default if last else "250 2.0.0 Ok")
            if last:
                mail_ok = False
        elif verb == b"DATA":
            act(conn, plan, "data", "354 End data with <CR><LF>.<CR><LF>")
            if plan.get("data", "354").startswith("354"):
                size = conn.read_data(stall_after=plan.get("datastall"), save=plan.get("savedata"))
                conn.record(b"[data %d]" % size)
                time.sleep(plan.get("dot_delay", 0))
                act(conn, plan, "dot", "250 2.0.0 Ok: queued as FAULT")
        elif verb == b"RSET":
            act(conn, plan, "rset", "250 2.0.0 Ok")
        elif verb == b"NOOP":
            conn.send(b"250 2.0.0 Ok\r\n")
        elif verb == b"QUIT":
            act(conn, plan, "quit", "221 2.0.0 Bye")
            return
        elif line == b"*":
            conn.send(b"501 5.7.0 Authentication aborted\r\n")
        else:
            conn.send(b"502 5.5.2 Error: command not recognized\r\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plan", default="{}")
    parser.add_argument("--log", required=True)
    # A relay that comes back where it was: the port a client already knows.
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    plan = json.loads(args.plan)

    if plan.get("family") == "ipv6":
        listener = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        listener.bind(("::1", args.port))
    else:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", args.port))
    listener.listen(1)
    port = listener.getsockname()[1]
    held = []
    if plan.get("stall_ipv6"):
        # A backlog of one, taken by our own connection: the kernel drops
        # any further SYN, so a client's connect() there just waits.
        black_hole = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        black_hole.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        black_hole.bind(("::1", port))
        black_hole.listen(0)
        filler = socket.create_connection(("::1", port))
        held = [black_hole, filler]
    print("PORT %d" % port, flush=True)

    sock, _ = listener.accept()
    listener.close()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        serve(Connection(sock, args.log), plan)
    except (Closed, ConnectionError, ssl.SSLError, OSError):
        pass
    finally:
        try:
            sock.close()
        except OSError:
            pass


if __name__ == "__main__":
    main()
