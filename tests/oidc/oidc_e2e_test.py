"""OpenID Connect sign-in against a real provider: oidc-provider (OpenID-certified, from npm) run
by oidc_test_provider.mjs on a loopback port, signed into by a plain HTTP "browser" that posts
the provider's own login and consent forms, and a real `netra serve` as the relying party.

ProviderAlone checks the provider by itself (code flow with PKCE, its accounts, each tampering
mode), so that a failure in the netra classes is netra's. Skipped without node or the npm
packages (`npm ci` in tests/oidc), except under CI where that is a failure.
"""

import base64
import hashlib
import http.cookiejar
import json
import re
import os
import secrets
import select
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
from html.parser import HTMLParser
import jwt
from urllib.parse import parse_qs, quote, urlencode, urljoin, urlsplit, urlunsplit

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "net", "websocket"))
from netra_process import NetraProcess, free_port, missing_node_packages  # noqa: E402
from ws_e2e_test import PostgresMixin  # noqa: E402

PROVIDER_SCRIPT = os.path.join(HERE, "oidc_test_provider.mjs")
PROVIDER_START_TIMEOUT_S = 30.0
PROVIDER_STOP_TIMEOUT_S = 10.0
HTTP_TIMEOUT_S = 15.0
MAX_HOPS = 16  # a sign-in is about eight requests; more means a loop
CLIENT_ID = "netra"
CALLBACK_PATH = "/auth/oidc/local/callback"
PASSWORD = "correct horse battery staple"
TOKEN_KEYS = {"access_token", "refresh_token", "token_type", "expires_in", "user"}


def missing_parts():
    return missing_node_packages(HERE, ("oidc-provider", "jose"))



def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_claims(token):
    return json.loads(b64url_decode(token.split(".")[1]))


def rs256_verifies(token, jwks):
    """Whether the key of the token's kid in `jwks` verifies its RS256 signature (PyJWT over
    python3-cryptography); the other claims are not checked here."""
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(next(k for k in jwks["keys"] if k["kid"] == kid), algorithm="RS256").key
    try:
        jwt.decode(token, key, algorithms=["RS256"],
                   options={"verify_aud": False, "verify_exp": False, "verify_iat": False})
        return True
    except jwt.InvalidSignatureError:
        return False


def query(url):
    """A URL's query (or a fragment written like one) as a dict of single values."""
    parts = urlsplit(url)
    return {k: v[0] for k, v in parse_qs(parts.query or parts.fragment).items()}


def with_query(url, **changes):
    parts = urlsplit(url)
    values = dict(parse_qs(parts.query))
    values.update({k: [v] for k, v in changes.items()})
    return urlunsplit(parts._replace(query=urlencode(values, doseq=True)))


# --- a browser ----------------------------------------------------------------------------------

class Answer:
    def __init__(self, url, status, headers, body):
        self.url, self.status, self.headers, self.body = url, status, headers, body

    def json(self):
        return json.loads(self.body)

    @property
    def location(self):
        """The Location header made absolute (the provider sends paths)."""
        value = self.headers.get("Location")
        return urljoin(self.url, value) if value else None

    def __repr__(self):
        return f"Answer({self.status}, {self.url}, {self.body[:400]!r})"


class _EveryAnswer(urllib.request.HTTPErrorProcessor):
    """Hands back 3xx and 4xx as they are: a test looks at each redirect itself (and must stop
    at the one to netra's callback), and at refusals' bodies."""

    def http_response(self, request, response):
        return response

    https_response = http_response


class Browser:
    """One user agent with its own cookie jar: each sign-in is a fresh browser, so the provider
    has no session to skip the login with and netra's login cookie is this browser's."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        # No proxy: the environment's http_proxy must not see loopback traffic.
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(self.jar),
            _EveryAnswer())

    def request(self, method, url, form=None, json_body=None, headers=None):
        data, all_headers = None, dict(headers or {})
        if form is not None:
            data = urlencode(form).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            data = json.dumps(json_body).encode()
            all_headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=all_headers, method=method)
        with self.opener.open(request, timeout=HTTP_TIMEOUT_S) as response:
            return Answer(url, response.status, response.headers,
                          response.read().decode("utf-8", "replace"))

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)


class _Page(HTMLParser):
    """The forms (action, fields) and links of a provider page."""

    def __init__(self, html):
        super().__init__()
        self.forms, self.links = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action", ""), "fields": {}})
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def provider_dance(browser, url, login, stop_at, cancel_at=None):
    """Follows the provider's redirects and fills its dev interaction forms (prompt=login: any
    login, any password; prompt=consent: as shown) until a redirect to `stop_at` (the client's
    redirect URI), which it returns without following. `cancel_at` ("login" or "consent")
    presses that page's "[ Cancel ]" link instead: the provider then answers access_denied."""
    method, form = "GET", None
    for _ in range(MAX_HOPS):
        answer = browser.request(method, url, form=form)
        method, form = "GET", None
        if answer.status in (301, 302, 303, 307):
            url = answer.location
            if url.startswith(stop_at):
                return url
            continue
        if answer.status != 200:
            raise AssertionError(f"the provider refused the sign-in: {answer!r}")
        page = _Page(answer.body)
        prompts = [f for f in page.forms if "prompt" in f["fields"]]
        if not prompts:
            raise AssertionError(f"no interaction form on {answer!r}")
        prompt = prompts[0]
        if prompt["fields"]["prompt"] == cancel_at:
            url = urljoin(url, next(link for link in page.links if link.endswith("/abort")))
            continue
        form = dict(prompt["fields"])
        if form["prompt"] == "login":
            form.update(login=login, password="anything: the test provider checks none")
        method, url = "POST", urljoin(url, prompt["action"])
    raise AssertionError(f"no redirect to {stop_at} within {MAX_HOPS} requests")


# --- the provider process -----------------------------------------------------------------------

class OidcProvider:
    """oidc_test_provider.mjs on a free port. Its stdin is a pipe: if this process dies, the
    provider sees it close and exits too."""

    def __init__(self, client_secret, redirect_uris):
        self.client_secret = client_secret
        self.redirect_uris = list(redirect_uris)
        self.workdir = tempfile.mkdtemp(prefix="netra-oidc-")
        self.log_path = os.path.join(self.workdir, "provider.log")
        self.process = None
        self.issuer = None

    def start(self):
        args = ["node", PROVIDER_SCRIPT, "--port", "0", "--client-id", CLIENT_ID,
                "--client-secret", self.client_secret]
        for uri in self.redirect_uris:
            args += ["--redirect-uri", uri]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(args, cwd=HERE, stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=log)
        line = self._first_line(time.monotonic() + PROVIDER_START_TIMEOUT_S)
        if not line.startswith("ready "):
            self.stop()
            raise AssertionError(f"the provider said {line!r}; log:\n{self.log()}")
        self.issuer = line.split(" ", 1)[1]
        self.discovery = Browser().get(self.issuer + "/.well-known/openid-configuration").json()
        return self

    def _first_line(self, deadline):
        out, fd = b"", self.process.stdout.fileno()
        while b"\n" not in out:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.stop()
                raise AssertionError(f"the provider was not ready in time; log:\n{self.log()}")
            if select.select([fd], [], [], remaining)[0]:
                chunk = os.read(fd, 4096)
                if not chunk:
                    self.stop()
                    raise AssertionError(f"the provider exited; log:\n{self.log()}")
                out += chunk
        return out.split(b"\n", 1)[0].decode().strip()

    def stop(self):
        if self.process is None:
            return
        process, self.process = self.process, None
        for stream in (process.stdin, process.stdout):
            stream.close()
        process.terminate()
        try:
            process.wait(timeout=PROVIDER_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=PROVIDER_STOP_TIMEOUT_S)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")[-4000:]

    def _test_route(self, name, body):
        answer = Browser().request("POST", f"{self.issuer}/__test/{name}", json_body=body)
        if answer.status != 204:
            raise AssertionError(f"/__test/{name} {body}: {answer!r}")

    def tamper(self, mode):
        """The test-only switch: how the token endpoint's next ID tokens are rewritten."""
        self._test_route("tamper", {"mode": mode})

    def set_account(self, login, **claims):
        """Replaces the claims of `login` (its subject stays `login`)."""
        self._test_route("account", {"login": login, **claims})


class ProviderTestCase(unittest.TestCase):
    """One provider per class; `redirect_uri` is known before it starts (netra's is fixed by its
    port, chosen up front)."""

    @classmethod
    def setUpClass(cls):
        missing = missing_parts()
        if missing:
            if os.environ.get("CI"):
                raise AssertionError("an OIDC test needs " + ", ".join(missing))
            raise unittest.SkipTest("needs " + ", ".join(missing))
        cls.client_secret = "s3cret-" + secrets.token_urlsafe(16)
        cls.netra_port = free_port()
        cls.redirect_uri = f"http://127.0.0.1:{cls.netra_port}{CALLBACK_PATH}"
        cls.provider = OidcProvider(cls.client_secret, [cls.redirect_uri])
        try:
            cls.provider.start()
        except BaseException:
            cls.provider.cleanup()
            raise
        cls.addClassCleanup(cls.provider.cleanup)


# --- the provider alone -------------------------------------------------------------------------

class ProviderAlone(ProviderTestCase):
    """What the netra classes rely on, checked without netra: this test client does the code
    flow (PKCE S256, client_secret_basic) itself."""

    def authorize(self, login, cancel_at=None, **overrides):
        """The redirect back to the client after signing in as `login`, and what was sent."""
        verifier = b64url(secrets.token_bytes(32))
        sent = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": self.redirect_uri,
                "scope": "openid email profile", "state": secrets.token_urlsafe(16),
                "nonce": secrets.token_urlsafe(16),
                "code_challenge": b64url(hashlib.sha256(verifier.encode()).digest()),
                "code_challenge_method": "S256"}
        sent.update(overrides)
        sent = {k: v for k, v in sent.items() if v is not None}
        url = self.provider.discovery["authorization_endpoint"] + "?" + urlencode(sent)
        back = provider_dance(Browser(), url, login, self.redirect_uri, cancel_at)
        return back, sent, verifier

    def redeem(self, code, verifier):
        basic = base64.b64encode(f"{CLIENT_ID}:{self.client_secret}".encode()).decode()
        return Browser().request(
            "POST", self.provider.discovery["token_endpoint"],
            form={"grant_type": "authorization_code", "code": code,
                  "redirect_uri": self.redirect_uri, "code_verifier": verifier},
            headers={"Authorization": f"Basic {basic}"})

    def id_token(self, login):
        back, sent, verifier = self.authorize(login)
        answer = self.redeem(query(back)["code"], verifier)
        self.assertEqual(answer.status, 200, answer)
        return answer.json()["id_token"], sent

    def jwks(self):
        return Browser().get(self.provider.discovery["jwks_uri"]).json()

    def test_code_flow_with_pkce_gives_a_signed_id_token_with_nonce_and_email(self):
        self.assertEqual(self.provider.discovery["issuer"], self.provider.issuer)
        self.assertIn("S256", self.provider.discovery["code_challenge_methods_supported"])
        back, sent, verifier = self.authorize("carol")
        returned = query(back)
        self.assertEqual(returned["state"], sent["state"])
        self.assertEqual(returned["iss"], self.provider.issuer)

        # The code needs its verifier, and is good once.
        self.assertEqual(self.redeem(returned["code"], b64url(b"x" * 32)).status, 400)
        back, sent, verifier = self.authorize("carol")
        code = query(back)["code"]
        answer = self.redeem(code, verifier)
        self.assertEqual(answer.status, 200, answer)
        token = answer.json()["id_token"]
        claims = jwt_claims(token)
        self.assertTrue(rs256_verifies(token, self.jwks()))
        self.assertEqual(claims["iss"], self.provider.issuer)
        self.assertEqual(claims["aud"], CLIENT_ID)
        self.assertEqual(claims["nonce"], sent["nonce"])
        self.assertEqual((claims["sub"], claims["email"], claims["email_verified"]),
                         ("carol", "carol@example.com", True))
        self.assertGreater(claims["exp"], time.time())
        replay = self.redeem(code, verifier)
        self.assertEqual((replay.status, replay.json()["error"]), (400, "invalid_grant"))

    def test_pkce_is_required(self):
        back, _, _ = self.authorize("carol", code_challenge=None, code_challenge_method=None)
        self.assertEqual(query(back)["error"], "invalid_request", back)

    def test_the_accounts_claim_what_the_netra_cases_expect(self):
        expected = {"alice": ("alice@example.com", True), "mallory": ("bob@example.com", False),
                    "dave": ("dave@example.com", False), "zed": ("zed@example.com", True)}
        for login, (email, verified) in expected.items():
            claims = jwt_claims(self.id_token(login)[0])
            self.assertEqual((claims["sub"], claims["email"], claims["email_verified"]),
                             (login, email, verified))
        erin = jwt_claims(self.id_token("erin")[0])
        self.assertEqual(erin["sub"], "erin")
        self.assertNotIn("email", erin)
        self.provider.set_account("gina", email="gina@elsewhere.example", email_verified=False)
        gina = jwt_claims(self.id_token("gina")[0])
        self.assertEqual((gina["sub"], gina["email"], gina["email_verified"]),
                         ("gina", "gina@elsewhere.example", False))

    def test_cancel_sends_the_user_back_with_access_denied(self):
        for page in ("login", "consent"):
            back, sent, _ = self.authorize("carol", cancel_at=page)
            self.assertEqual((query(back)["error"], query(back)["state"]),
                             ("access_denied", sent["state"]), page)

    def test_each_tampering_mode_breaks_one_thing(self):
        jwks = self.jwks()
        honest, _ = self.id_token("carol")
        for mode in ("nonce", "expired", "signature", "audience"):
            with self.subTest(mode=mode):
                self.provider.tamper(mode)
                try:
                    token, sent = self.id_token("carol")
                finally:
                    self.provider.tamper("none")
                claims = jwt_claims(token)
                self.assertEqual(json.loads(b64url_decode(token.split(".")[0]))["kid"],
                                 json.loads(b64url_decode(honest.split(".")[0]))["kid"])
                self.assertEqual(rs256_verifies(token, jwks), mode != "signature")
                self.assertEqual(claims["nonce"] == sent["nonce"], mode != "nonce")
                self.assertEqual(claims["aud"] == CLIENT_ID, mode != "audience")
                self.assertEqual(claims["exp"] < time.time() - 3000, mode == "expired")
                self.assertEqual(claims["iat"] < time.time() - 3000, mode == "expired")
                self.assertEqual(claims["email"], "carol@example.com")
        token, sent = self.id_token("carol")
        self.assertTrue(rs256_verifies(token, jwks))
        self.assertEqual(jwt_claims(token)["nonce"], sent["nonce"])


# --- netra as the relying party -----------------------------------------------------------------

class NetraTestCase(ProviderTestCase):
    """A fresh netra (fresh database) per test, on the class's port, configured for the
    provider as `local`; the client secret only in its environment."""

    @classmethod
    def server_env(cls):
        return {}

    def setUp(self):
        self.server = NetraProcess({
            "server.port": str(self.netra_port),
            "auth.oidc.local.issuer": self.provider.issuer,
            "auth.oidc.local.client_id": CLIENT_ID,
            "auth.oidc.local.redirect_uri": self.redirect_uri,
        }, env=dict(self.server_env(), NETRA_AUTH_OIDC_LOCAL_CLIENT_SECRET=self.client_secret))
        self.addCleanup(self.server.cleanup)
        self.server.start()
        self.base = f"http://127.0.0.1:{self.server.port}"

    # Helpers: a sign-in up to the provider's redirect to the callback, then the callback.

    def start_login(self, browser, return_to=None):
        """GET /auth/oidc/local/login: its 302 to the provider's authorization endpoint."""
        path = "/auth/oidc/local/login"
        if return_to is not None:
            path += "?return_to=" + quote(return_to, safe="")
        answer = browser.get(self.base + path)
        self.assertEqual(answer.status, 302, answer)
        endpoint = self.provider.discovery["authorization_endpoint"]
        self.assertEqual(answer.location.split("?")[0], endpoint, answer.location)
        return answer

    def sign_in_to_callback(self, login, browser=None, return_to=None, cancel_at=None):
        """Signs in as `login` at the provider; returns (browser, callback URL, auth URL)."""
        browser = browser or Browser()
        authorization = self.start_login(browser, return_to).location
        callback = provider_dance(browser, authorization, login, self.redirect_uri, cancel_at)
        return browser, callback, authorization

    def sign_in(self, login, **kwargs):
        """A whole sign-in as `login`: netra's answer at its callback."""
        browser, callback, _ = self.sign_in_to_callback(login, **kwargs)
        return browser.get(callback)

    def signed_in_user(self, login):
        answer = self.sign_in(login)
        self.assertEqual(answer.status, 200, answer)
        return answer.json()["user"]

    def assert_error(self, answer, status, code, mentions=None):
        self.assertEqual(answer.status, status, answer)
        error = answer.json()["error"]
        self.assertEqual(error["code"], code, answer)
        if mentions:
            self.assertIn(mentions, error["message"].lower(), answer)

    def me(self, access_token):
        return self.server.json_request("GET", "/auth/me", token=access_token)["user"]

    def register(self, email):
        """A password account; returns its user as /auth/me shows it after a password login."""
        self.server.json_request("POST", "/auth/register", {"email": email, "password": PASSWORD},
                                 expect=201)
        return self.me(self.server.login(email, PASSWORD))


class SignIn(NetraTestCase):
    """Signing in, and which account it reaches."""

    def test_carol_signs_in_and_again_into_the_same_account(self):
        browser = Browser()
        login = self.start_login(browser)
        authorization = login.location
        sent = query(authorization)
        self.assertEqual(sent["response_type"], "code")
        self.assertEqual(sent["client_id"], CLIENT_ID)
        self.assertEqual(sent["redirect_uri"], self.redirect_uri)
        self.assertEqual(set(sent["scope"].split()), {"openid", "email", "profile"})
        self.assertGreaterEqual(len(sent["state"]), 16)
        self.assertGreaterEqual(len(sent["nonce"]), 16)
        self.assertRegex(sent["code_challenge"], r"^[A-Za-z0-9_-]{43}$")
        self.assertEqual(sent["code_challenge_method"], "S256")
        cookies = {c.name: c for c in browser.jar}
        self.assertIn("netra_oidc", cookies)
        self.assertEqual(cookies["netra_oidc"].path, "/auth/oidc")
        # The jar keeps neither HttpOnly nor SameSite: read the header for them.
        set_cookie = next(h for h in login.headers.get_all("Set-Cookie")
                          if h.startswith("netra_oidc="))
        for attribute in ("httponly", "samesite=lax", "max-age=600"):
            self.assertIn(attribute, set_cookie.lower().replace(" ", "").split(";"), set_cookie)

        callback = provider_dance(browser, authorization, "carol", self.redirect_uri)
        self.assertEqual(query(callback)["state"], sent["state"])
        answer = browser.get(callback)
        self.assertEqual(answer.status, 200, answer)
        signed_in = answer.json()
        password_login = self.server.json_request(
            "POST", "/auth/login", {"email": self.register("someone@example.com")["email"],
                                    "password": PASSWORD})
        self.assertEqual(set(signed_in), set(password_login))
        self.assertEqual(set(signed_in), TOKEN_KEYS)
        self.assertEqual(signed_in["token_type"], "Bearer")
        self.assertGreater(signed_in["expires_in"], 0)
        self.assertEqual(signed_in["user"]["email"], "carol@example.com")
        self.assertEqual(self.me(signed_in["access_token"]), signed_in["user"])

        self.assertEqual(self.signed_in_user("carol")["id"], signed_in["user"]["id"])
        # Neither the client secret nor the callback's code and state reach the log (the access
        # log masks them).
        log = self.server.log()
        self.assertNotIn(self.client_secret, log)
        self.assertIn("/auth/oidc/local/callback?", log)
        self.assertNotIn(query(callback)["code"], log)
        self.assertNotIn(sent["state"], log)
        # Each call to the provider is timed as a dependency, the token endpoint without its URL.
        metrics = self.server.request("GET", "/metrics").body
        issuer = self.provider.issuer.rstrip("/")
        for operation in (f"GET {issuer}/.well-known/openid-configuration",
                          "POST token endpoint"):
            count = re.search(r'netra_dependency_duration_seconds_count\{dependency="oidc",'
                              rf'operation="{re.escape(operation)}"\}} (\d+)', metrics)
            self.assertIsNotNone(count, f"{operation} in\n{metrics}")
            self.assertGreaterEqual(int(count.group(1)), 1)

    def test_the_subject_not_the_email_names_the_account(self):
        frank = self.signed_in_user("frank")
        self.assertEqual(frank["email"], "frank@example.com")
        # The provider now says another address for the same subject: still frank's account.
        self.provider.set_account("frank", email="frank.new@example.com", email_verified=True)
        self.assertEqual(self.signed_in_user("frank")["id"], frank["id"])

    def test_a_verified_email_links_to_the_password_account(self):
        alice = self.register("alice@example.com")
        self.assertEqual(self.signed_in_user("alice"), alice)
        self.assertEqual(self.me(self.server.login("alice@example.com", PASSWORD)), alice)

    def test_an_unverified_or_missing_email_is_refused(self):
        bob = self.register("bob@example.com")
        # mallory's provider says bob@example.com, unverified: that is not bob.
        self.assert_error(self.sign_in("mallory"), 403, "email_not_verified")
        self.assertEqual(self.me(self.server.login("bob@example.com", PASSWORD)), bob)
        self.assert_error(self.sign_in("mallory"), 403, "email_not_verified")
        # No account either way: dave's address is still free to register.
        self.assert_error(self.sign_in("dave"), 403, "email_not_verified")
        self.register("dave@example.com")
        self.assert_error(self.sign_in("erin"), 403, "email_not_verified")

    def test_return_to_a_path_gets_the_tokens_in_the_fragment(self):
        answer = self.sign_in("carol", return_to="/signed-in")
        self.assertEqual(answer.status, 303, answer)
        location = answer.headers["Location"]
        self.assertTrue(location.startswith("/signed-in#"), location)
        tokens = query(location)
        self.assertEqual(set(tokens), TOKEN_KEYS - {"user"})
        self.assertEqual(tokens["token_type"], "Bearer")
        self.assertGreater(int(tokens["expires_in"]), 0)
        self.assertEqual(self.me(tokens["access_token"])["email"], "carol@example.com")

    def test_return_to_another_origin_is_refused(self):
        for target in ("https://evil.example/", "//evil.example/signed-in"):
            with self.subTest(return_to=target):
                path = "/auth/oidc/local/login?return_to=" + quote(target, safe="")
                self.assert_error(self.server.request("GET", path), 400, "invalid_request")

    def test_public_config_lists_the_provider_and_an_unknown_one_is_not_found(self):
        config = self.server.json_request("GET", "/api/config/public")
        self.assertEqual(config["features"]["oidc_providers"], ["local"])
        for route in ("login", "callback?code=x&state=y"):
            with self.subTest(route=route):
                self.assertEqual(self.server.request("GET", f"/auth/oidc/nope/{route}").status,
                                 404)


class Refusals(NetraTestCase):
    """A callback that is not this browser's, a code used twice, an ID token that fails a check,
    a user who says no."""

    def test_a_state_that_is_not_this_logins_is_refused(self):
        browser, callback, _ = self.sign_in_to_callback("carol")
        altered = with_query(callback, state=query(callback)["state"][:-2] + "xx")
        self.assert_error(browser.get(altered), 400, "invalid_state")
        # Without the cookie, or with another browser's: the login is bound to its browser.
        self.assert_error(Browser().get(callback), 400, "invalid_state")
        other, _, _ = self.sign_in_to_callback("carol")
        self.assert_error(other.get(callback), 400, "invalid_state")

    def test_a_state_is_good_once(self):
        browser, callback, _ = self.sign_in_to_callback("carol")
        self.assertEqual(browser.get(callback).status, 200)
        self.assert_error(browser.get(callback), 400, "invalid_state")

    def test_a_replayed_code_is_refused_by_the_provider(self):
        browser, callback, _ = self.sign_in_to_callback("carol")
        self.assertEqual(browser.get(callback).status, 200)
        # A new login in the same browser (its own state and cookie), answered with the old
        # code: netra's state check passes, the provider's token endpoint refuses the code.
        new_state = query(self.start_login(browser).location)["state"]
        self.assert_error(browser.get(with_query(callback, state=new_state)), 401,
                          "oidc_code_refused")

    def test_an_id_token_that_fails_a_check_is_refused_and_named(self):
        for mode in ("nonce", "expired", "signature", "audience"):
            with self.subTest(mode=mode):
                self.provider.tamper(mode)
                try:
                    answer = self.sign_in("carol")
                finally:
                    self.provider.tamper("none")
                self.assert_error(answer, 401, "invalid_id_token", mode)
        self.assertEqual(self.sign_in("carol").status, 200)

    def test_a_user_who_cancels_at_the_provider_is_refused(self):
        for page in ("login", "consent"):
            with self.subTest(cancel_at=page):
                browser, callback, _ = self.sign_in_to_callback("carol", cancel_at=page)
                self.assertEqual(query(callback)["error"], "access_denied")
                self.assert_error(browser.get(callback), 401, "oidc_denied")


class SignInPostgres(PostgresMixin, SignIn):
    """The same on PostgreSQL: the pending sign-ins and identities' statements run on both."""


if __name__ == "__main__":
    unittest.main()
