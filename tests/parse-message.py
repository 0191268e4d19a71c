#!/usr/bin/python3
# An independent reading of a message file: Python's email package with
# the default policy. Prints what the C tests compare, as JSON:
#   headers      [[name, decoded value], …] in order
#   addresses    {header: [[display name, addr-spec], …]} for address headers
#   body         the text/plain body as str, LF line ends (None if absent)
#   body_cte     its Content-Transfer-Encoding
#   attachments  [{filename, content_type, size, sha256}, …]
#   defects      every defect the parser noticed, as text
#   max_line     the longest line in octets, CRLF excluded
#   bare_lf      True if a LF is not preceded by CR
#   header_8bit  True if the header block has a non-ASCII octet
#
#   /usr/bin/python3 tests/parse-message.py FILE
import email
import email.policy
import hashlib
import json
import sys

ADDRESS_HEADERS = ("from", "sender", "to", "cc", "bcc", "reply-to")


def main(path):
    raw = open(path, "rb").read()
    message = email.message_from_bytes(raw, policy=email.policy.default)

    header_end = raw.find(b"\r\n\r\n")
    header_block = raw if header_end < 0 else raw[:header_end]
    lines = raw.split(b"\n")
    result = {
        "headers": [[name, str(value)] for name, value in message.items()],
        "addresses": {},
        "body": None,
        "body_cte": None,
        "attachments": [],
        "defects": [],
        "max_line": max(len(line.rstrip(b"\r")) for line in lines),
        "bare_lf": any(not line.endswith(b"\r") for line in lines[:-1]),
        "header_8bit": any(b >= 0x80 for b in header_block),
    }

    for name in ADDRESS_HEADERS:
        header = message[name]
        if header is None:
            continue
        result["addresses"][name] = [[a.display_name, a.addr_spec] for a in header.addresses]

    for part in message.walk():
        result["defects"] += [f"{part.get_content_type()}: {d!r}" for d in part.defects]

    body = message.get_body(preferencelist=("plain",))
    if body is not None:
        # Lines end with CRLF on the wire; the text a person wrote has LF.
        result["body"] = body.get_content().replace("\r\n", "\n")
        result["body_cte"] = body.get("Content-Transfer-Encoding", "7bit")

    for part in message.iter_attachments():
        data = part.get_payload(decode=True)
        result["attachments"].append({
            "filename": part.get_filename(),
            "content_type": part.get_content_type(),
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        })

    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])
