#!/usr/bin/python3
"""Talks to an SMTP server the way an ordinary client would and reports, as
JSON, what it saw: the extensions offered before and after TLS and whether a
message was accepted. It is the rig's independent check that the private
Postfix really runs as configured; Postier's own client is not involved."""
import json
import smtplib
import ssl
import sys
import argparse


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mode", choices=("starttls", "tls", "plain"), required=True)
    parser.add_argument("--ca")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--sender", default="probe@example.org")
    parser.add_argument("--rcpt", action="append", default=[])
    parser.add_argument("--message-id", default="<probe@example.org>")
    args = parser.parse_args()

    report = {"before_tls": [], "after_tls": [], "accepted": False, "refused": {}}
    context = ssl.create_default_context(cafile=args.ca) if args.ca else None

    if args.mode == "tls":
        client = smtplib.SMTP_SSL("localhost", args.port, context=context, timeout=10)
    else:
        client = smtplib.SMTP("localhost", args.port, timeout=10)
    with client:
        client.ehlo("probe.localhost")
        report["before_tls"] = sorted(client.esmtp_features)
        if args.mode == "starttls":
            client.starttls(context=context)
            client.ehlo("probe.localhost")
        report["after_tls"] = sorted(client.esmtp_features)
        if args.user:
            client.login(args.user, args.password)
        if args.rcpt:
            body = (f"From: {args.sender}\r\nTo: {', '.join(args.rcpt)}\r\n"
                    f"Subject: rig probe\r\nMessage-ID: {args.message_id}\r\n\r\nprobe\r\n")
            try:
                refused = client.sendmail(args.sender, args.rcpt, body)
                report["accepted"] = True
                report["refused"] = {k: [v[0], v[1].decode()] for k, v in refused.items()}
            except smtplib.SMTPRecipientsRefused as error:
                report["refused"] = {k: [v[0], v[1].decode()] for k, v in error.recipients.items()}
    print(json.dumps(report))


if __name__ == "__main__":
    sys.exit(main())
