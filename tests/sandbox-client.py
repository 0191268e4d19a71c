#!/usr/bin/python3
# A test client for the Postier Sandbox receiver, independent of Postier's
# own SMTP client: Python's smtplib and ssl.
#
#   sandbox-client.py send --port N --cafile PEM --login L --password P
#       --from ADDR --to ADDR [--to ...] --message FILE [--smtputf8]
#       [--no-starttls] [--no-login]
#   sandbox-client.py fuzz --port N --cafile PEM --login L --password P
#       --what random|long-line|big-data|stall|many-commands|tls-garbage
#       [--seed N] [--size OCTETS] [--stall SECONDS]
#
# Prints one JSON object on stdout describing what the server answered.
import argparse
import hashlib
import json
import random
import socket
import smtplib
import ssl
import sys
import time


def connect(args, starttls=True, login=True):
    context = ssl.create_default_context(cafile=args.cafile)
    client = smtplib.SMTP("127.0.0.1", args.port, local_hostname="test.client", timeout=60)
    client.ehlo()
    info = {}
    if starttls:
        client.starttls(context=context)
        info["peer_sha256"] = hashlib.sha256(client.sock.getpeercert(binary_form=True)).hexdigest()
        info["tls_version"] = client.sock.version()
        client.ehlo()
        info["esmtp_features"] = sorted(client.esmtp_features.keys())
    if login:
        client.login(args.login, args.password)
    return client, info


def send(args):
    result = {}
    try:
        client, info = connect(args, starttls=not args.no_starttls, login=not args.no_login)
        result.update(info)
        with open(args.message, "rb") as f:
            data = f.read()
        options = ["SMTPUTF8"] if args.smtputf8 else []
        refused = client.sendmail(args.sender, args.to, data, mail_options=options)
        result["refused"] = {k: [v[0], v[1].decode("utf-8", "replace")] for k, v in refused.items()}
        result["ok"] = True
        client.quit()
    except smtplib.SMTPResponseException as e:
        result.update(ok=False, code=e.smtp_code, error=e.smtp_error.decode("utf-8", "replace"))
    except smtplib.SMTPRecipientsRefused as e:
        result.update(ok=False, code=list(e.recipients.values())[0][0], error="recipients refused")
    except smtplib.SMTPNotSupportedError as e:
        result.update(ok=False, code=0, error="not supported: %s" % e)
    except (OSError, smtplib.SMTPException) as e:
        result.update(ok=False, code=0, error="%s: %s" % (type(e).__name__, e))
    print(json.dumps(result))


def raw_socket(args):
    sock = socket.create_connection(("127.0.0.1", args.port), timeout=30)
    sock.recv(4096)  # greeting
    return sock


def drain(sock, seconds=0.2):
    sock.settimeout(seconds)
    got = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            got += chunk
    except (socket.timeout, OSError):
        pass
    return got


def fuzz(args):
    rng = random.Random(args.seed)
    result = {"what": args.what}
    try:
        if args.what == "random":
            # Clear-text garbage, many small writes of random bytes.
            sock = raw_socket(args)
            for _ in range(200):
                sock.sendall(bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 300))))
            result["answer"] = drain(sock)[:200].decode("latin-1")
            sock.close()
        elif args.what == "tls-garbage":
            # STARTTLS, then random bytes instead of a handshake.
            sock = raw_socket(args)
            sock.sendall(b"EHLO fuzz\r\nSTARTTLS\r\n")
            drain(sock)
            sock.sendall(bytes(rng.getrandbits(8) for _ in range(5000)))
            result["answer"] = drain(sock, 1.0)[:200].decode("latin-1")
            sock.close()
        elif args.what == "long-line":
            sock = raw_socket(args)
            sock.sendall(b"EHLO " + b"x" * 200000 + b"\r\n")
            sock.sendall(b"NOOP " + b"y" * 3000 + b"\r\nNOOP\r\n")
            result["answer"] = drain(sock, 1.0).decode("latin-1")
            sock.close()
        elif args.what == "many-commands":
            # Pipelined in batches, reading the replies in between, as
            # a client that means no harm but never stops would.
            sock = raw_socket(args)
            got = b""
            for _ in range(50):
                try:
                    sock.sendall(b"NOOP\r\n" * 1000)
                except OSError:
                    break
                got += drain(sock, 0.05)
                if b"421 " in got:
                    break
            got += drain(sock, 1.0)
            result["answer"] = got[-200:].decode("latin-1")
            sock.close()
        elif args.what == "bad-commands":
            sock = raw_socket(args)
            sock.sendall(b"BOGUS\r\n" * 100)
            result["answer"] = drain(sock, 1.0)[-200:].decode("latin-1")
            sock.close()
        elif args.what == "stall":
            sock = raw_socket(args)
            sock.sendall(b"EHLO stall\r\nMAIL FR")
            start = time.monotonic()
            sock.settimeout(args.stall)
            try:
                while sock.recv(4096):
                    pass
                result["closed_after"] = time.monotonic() - start
            except socket.timeout:
                result["closed_after"] = None
            sock.close()
        elif args.what == "big-data":
            # A real session, then DATA far over the limit, unstuffed and
            # streamed; the receiver must answer 552 at the end.
            client, _ = connect(args)
            client.mail(args.sender)
            client.rcpt(args.to[0])
            code, _ = client.docmd("DATA")
            result["data_code"] = code
            chunk = (b"A" * 998 + b"\r\n") * 1000
            sent = 0
            sock = client.sock
            while sent < args.size:
                sock.sendall(chunk)
                sent += len(chunk)
            sock.sendall(b".\r\n")
            code, message = client.getreply()
            result["end_code"] = code
            result["end_message"] = message.decode("utf-8", "replace")
            result["sent"] = sent
            client.quit()
        else:
            raise SystemExit("unknown fuzz %s" % args.what)
        result["ok"] = True
    except (OSError, smtplib.SMTPException) as e:
        result.update(ok=False, error="%s: %s" % (type(e).__name__, e))
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["send", "fuzz"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cafile", required=True)
    parser.add_argument("--login", default="")
    parser.add_argument("--password", default="")
    parser.add_argument("--from", dest="sender", default="tester@example.org")
    parser.add_argument("--to", action="append", default=[])
    parser.add_argument("--message")
    parser.add_argument("--smtputf8", action="store_true")
    parser.add_argument("--no-starttls", action="store_true")
    parser.add_argument("--no-login", action="store_true")
    parser.add_argument("--what")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", type=int, default=100 * 1024 * 1024)
    parser.add_argument("--stall", type=float, default=10.0)
    args = parser.parse_args()
    if not args.to:
        args.to = ["someone@example.net"]
    if args.mode == "send":
        send(args)
    else:
        fuzz(args)


if __name__ == "__main__":
    sys.exit(main())
