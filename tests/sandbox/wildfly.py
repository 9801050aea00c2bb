#!/usr/bin/env python3
"""Keycloak on WildFly (16.1.1, what CSM 1.4 runs) for the sandbox.

  wildfly.py configure BASE CERT KEY
      BASE is this instance's copy of the distribution's standalone/
      directory (jboss.server.base.dir). Serves Keycloak under /keycloak, as
      CSM configures it; keeps H2 in-process (the stock URL's AUTO_SERVER=TRUE
      opens an H2 TCP server on 0.0.0.0); HTTPS with the sandbox certificate
      (a PKCS12 keystore in place of the stock self-signed one).
  wildfly.py initial-admin HTTP_URL PASSWORD_FILE
      Create the master realm's first admin ("admin") the way Keycloak 16
      offers it to a local browser: its welcome page's form, from 127.0.0.1.
      The password travels in the request body only (add-user-keycloak.sh
      would take it as an argument).
"""
import http.client
import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request

# The stock standalone.xml's keystore password (it is not a secret: the
# keystore holds the sandbox's own throwaway key).
KEYSTORE_PASSWORD = "password"


def replace_once(text, old, new):
    if text.count(old) != 1:
        sys.exit(f"wildfly.py: standalone.xml: expected {old!r} once, found {text.count(old)} times")
    return text.replace(old, new)


def configure(base, cert, key):
    path = os.path.join(base, "configuration", "standalone.xml")
    with open(path) as f:
        xml = f.read()
    xml = replace_once(xml, "<web-context>auth</web-context>", "<web-context>keycloak</web-context>")
    xml = replace_once(xml, "jdbc:h2:${jboss.server.data.dir}/keycloak;AUTO_SERVER=TRUE",
                       "jdbc:h2:${jboss.server.data.dir}/keycloak")
    xml = replace_once(xml, '<implementation type="JKS"/>\n                        <file path="application.keystore"',
                       '<implementation type="PKCS12"/>\n                        <file path="application.keystore"')
    with open(path + ".tmp", "w") as f:
        f.write(xml)
    os.replace(path + ".tmp", path)
    keystore = os.path.join(base, "configuration", "application.keystore")
    subprocess.run(["openssl", "pkcs12", "-export", "-in", cert, "-inkey", key, "-name", "server",
                    "-out", keystore, "-passout", "env:KEYSTORE_PASSWORD"],
                   env=dict(os.environ, KEYSTORE_PASSWORD=KEYSTORE_PASSWORD), check=True)


def initial_admin(url, password_file):
    with open(password_file) as f:
        password = f.read().strip()
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(url + "/", timeout=30).read().decode()
    if "Administration Console" in page and "stateChecker" not in page:
        return  # an admin exists already
    m = re.search(r'name="stateChecker"[^>]*value="([^"]+)"', page)
    if not m:
        sys.exit("wildfly.py: Keycloak's welcome page offers no form to create the admin")
    form = urllib.parse.urlencode({"username": "admin", "password": password, "passwordConfirmation": password,
                                   "stateChecker": m.group(1)}).encode()
    answer = opener.open(urllib.request.Request(url + "/", data=form), timeout=30).read().decode()
    if "User created" not in answer and "Admin user created" not in answer:
        found = re.search(r'<p class="(?:error|success)">([^<]*)', answer)
        sys.exit(f"wildfly.py: creating the admin failed: {found.group(1) if found else 'no confirmation'}")


def main(argv):
    if len(argv) == 5 and argv[1] == "configure":
        configure(*argv[2:])
    elif len(argv) == 4 and argv[1] == "initial-admin":
        initial_admin(*argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
