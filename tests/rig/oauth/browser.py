#!/usr/bin/python3
"""Plays the person's browser against the rig's authorization server.

    browser.py URL LOGIN PASSWORD

Opens URL (an authorization URL Postier would open, or a device flow's
verification_uri_complete), then submits each form the server shows —
the device confirmation, the login form (filled with LOGIN and PASSWORD),
the consent form — following redirects, cookies kept, until a page comes
without a form. For the PKCE flow the last redirect lands on Postier's own
loopback listener, which answers the page. Prints the last URL and the
page's title; exits 1 when the server said no (wrong password, an error).
"""
import html.parser
import http.cookiejar
import sys
import urllib.error
import urllib.parse
import urllib.request


class Forms(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get").lower(),
                               "fields": {}})
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = a.get("value", "")
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def main():
    url, login, password = sys.argv[1], sys.argv[2], sys.argv[3]
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    data = None
    for _ in range(12):
        try:
            with opener.open(url, data=data, timeout=30) as response:
                url = response.geturl()
                body = response.read().decode("utf-8", "replace")
                status = response.status
        except urllib.error.HTTPError as e:
            url, status = e.geturl(), e.code
            body = e.read().decode("utf-8", "replace")
        parser = Forms()
        parser.feed(body)
        if status >= 400 or not parser.forms:
            print(url)
            print(parser.title.strip() or body[:200])
            return 0 if status < 400 else 1
        form = parser.forms[0]
        fields = form["fields"]
        if "login" in fields:
            fields["login"] = login
        if "password" in fields:
            fields["password"] = password
        url = urllib.parse.urljoin(url, form["action"] or url)
        data = urllib.parse.urlencode(fields).encode()
        if form["method"] != "post":
            url, data = url + "?" + data.decode(), None
    print("too many pages", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
