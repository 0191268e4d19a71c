#!/usr/bin/python3
"""Counts the SMTP sessions that carried some messages, from Postfix's log.

    maillog-sessions.py MAILLOG MESSAGE-ID-SUFFIX

Prints "<sessions> <messages>": how many distinct smtpd connections carried
the messages whose Message-ID ends with the suffix, and how many such
messages Postfix took. A session is one "connect from" of one smtpd process
up to its "disconnect from"; smtpd processes are reused, so the pid alone is
not enough.
"""
import re
import sys

log, suffix = sys.argv[1], sys.argv[2]
smtpd = re.compile(r"postfix/[\w/-]*smtpd\[(\d+)\]: (.*)")
cleanup = re.compile(r"postfix/cleanup\[\d+\]: (\w+): message-id=<([^>]*)>")
queue_line = re.compile(r"(\w+): client=")

session_of_pid = {}   # pid -> current session number
session_of_queue = {}  # queue id -> session number
counter = 0
ours = set()

with open(log, encoding="utf-8", errors="replace") as f:
    for line in f:
        m = smtpd.search(line)
        if m:
            pid, text = m.groups()
            if text.startswith("connect from"):
                counter += 1
                session_of_pid[pid] = counter
            else:
                q = queue_line.match(text)
                if q and pid in session_of_pid:
                    session_of_queue[q.group(1)] = session_of_pid[pid]
            continue
        m = cleanup.search(line)
        if m and m.group(2).endswith(suffix):
            ours.add(m.group(1))

sessions = {session_of_queue[q] for q in ours if q in session_of_queue}
print(len(sessions), len(ours))
