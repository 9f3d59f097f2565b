"""A small OpenID Connect identity provider on 127.0.0.1 for tests: real RS256/ES256 tokens.

It serves `/.well-known/openid-configuration` and a JWKS, signs tokens with keys made
by `cryptography`, can rotate keys (publishing the new ones, keeping or dropping the
old), and offers the authorization-code flow with PKCE (`/authorize`, `/token`) for
browser sign-in tests. Tokens can be made wrong on purpose (expired, wrong audience or
issuer, a key it does not publish, `alg: none`, HS256 keyed with the public key).

Run standalone: `python tests/oidc_idp.py --port 8765` prints the issuer URL.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

__all__ = ["IdentityProvider", "SigningKey"]


class SigningKey:
    """A private key, its algorithm and key id; `jwk()` is its public half."""

    def __init__(self, alg: str = "RS256", kid: str | None = None) -> None:
        self.alg = alg
        self.kid = kid or f"{alg.lower()}-{uuid.uuid4().hex[:8]}"
        if alg.startswith("RS"):
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif alg == "ES256":
            self.private = ec.generate_private_key(ec.SECP256R1())
        else:
            raise ValueError(f"unsupported test algorithm {alg}")

    def jwk(self) -> dict[str, Any]:
        """The public key as a JWK with kid, alg and use."""
        algo = RSAAlgorithm if self.alg.startswith("RS") else ECAlgorithm
        data = algo.to_jwk(self.private.public_key(), as_dict=True)
        return {**data, "kid": self.kid, "alg": self.alg, "use": "sig"}

    def public_pem(self) -> bytes:
        """The public key in PEM (for the HS256-with-public-key attack)."""
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: IdentityProvider  # type: ignore[assignment]

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any, kind: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        idp = self.server
        url = urlparse(self.path)
        with idp.lock:
            idp.hits[url.path] = idp.hits.get(url.path, 0) + 1
        if url.path == "/.well-known/openid-configuration":
            self._send(200, idp.discovery())
        elif url.path == "/jwks":
            with idp.lock:
                keys = [k.jwk() for k in idp.published]
            self._send(200, {"keys": keys})
        elif url.path == "/authorize":
            self._authorize(parse_qs(url.query))
        else:
            self._send(404, {"error": "not_found"})

    def do_POST(self) -> None:  # noqa: N802
        if urlparse(self.path).path != "/token":
            self._send(404, {"error": "not_found"})
            return
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self._token(form)

    def _authorize(self, query: dict[str, list[str]]) -> None:
        """Signs in `login_hint` (no login page) and redirects back with a code."""
        q = {k: v[0] for k, v in query.items()}
        idp = self.server
        if q.get("response_type") != "code" or q.get("code_challenge_method") != "S256" or \
                not q.get("code_challenge") or not q.get("redirect_uri"):
            self._send(400, {"error": "invalid_request",
                             "error_description": "code flow with S256 PKCE only"})
            return
        code = secrets.token_urlsafe(24)
        with idp.lock:
            idp.codes[code] = {"challenge": q["code_challenge"], "client_id": q.get("client_id"),
                               "redirect_uri": q["redirect_uri"], "nonce": q.get("nonce"),
                               "user": q.get("login_hint") or "alice", "at": time.time()}
        target = q["redirect_uri"] + ("&" if "?" in q["redirect_uri"] else "?") + urlencode(
            {"code": code, **({"state": q["state"]} if q.get("state") else {})})
        self._send(302, b"", headers={"Location": target})

    def _token(self, form: dict[str, str]) -> None:
        idp = self.server
        with idp.lock:
            grant = idp.codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()
                                             ).rstrip(b"=").decode()
        if (form.get("grant_type") != "authorization_code" or grant is None
                or grant["challenge"] != challenge or grant["redirect_uri"] != form.get(
                    "redirect_uri") or time.time() - grant["at"] > 60):
            self._send(400, {"error": "invalid_grant"})
            return
        claims = {"preferred_username": grant["user"], "nonce": grant["nonce"],
                  **idp.user_claims.get(grant["user"], {})}
        token = idp.token(sub=grant["user"], aud=grant["client_id"] or idp.audience, **claims)
        self._send(200, {"access_token": token, "id_token": token, "token_type": "Bearer",
                         "expires_in": 300})


class IdentityProvider(ThreadingHTTPServer):
    """The provider; `issuer` is its URL, `published` the keys its JWKS shows."""

    daemon_threads = True

    def __init__(self, port: int = 0, audience: str = "cristal") -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.issuer = f"http://127.0.0.1:{self.server_address[1]}"
        self.audience = audience
        self.lock = threading.Lock()
        self.rsa = SigningKey("RS256")
        self.ec = SigningKey("ES256")
        self.published: list[SigningKey] = [self.rsa, self.ec]
        self.codes: dict[str, dict[str, Any]] = {}
        self.hits: dict[str, int] = {}
        self.user_claims: dict[str, dict[str, Any]] = {}

    def start(self) -> IdentityProvider:
        """Serve in a background thread."""
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def discovery(self) -> dict[str, Any]:
        """The OpenID configuration document."""
        return {"issuer": self.issuer, "jwks_uri": f"{self.issuer}/jwks",
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                "code_challenge_methods_supported": ["S256"]}

    def rotate(self, keep_old: bool = False) -> None:
        """New RSA and EC keys; the old ones stay published only with `keep_old`."""
        with self.lock:
            old = list(self.published)
            self.rsa, self.ec = SigningKey("RS256"), SigningKey("ES256")
            self.published = [self.rsa, self.ec] + (old if keep_old else [])

    def token(self, *, sub: str = "alice", key: SigningKey | None = None, alg: str | None = None,
              ttl: float = 300, aud: str | None = None, iss: str | None = None,
              kid: str | None = None, nbf: float | None = None, **claims: Any) -> str:
        """A signed token (RS256 by default); every field can be made wrong on purpose."""
        key = key or self.rsa
        now = time.time()
        payload = {"iss": iss or self.issuer, "sub": sub, "aud": aud or self.audience,
                   "iat": int(now), "exp": int(now + ttl), **claims}
        if nbf is not None:
            payload["nbf"] = int(nbf)
        headers = {"kid": kid if kid is not None else key.kid}
        return jwt.encode(payload, key.private, algorithm=alg or key.alg, headers=headers)

    def unsigned_token(self, sub: str = "alice", **claims: Any) -> str:
        """A token with `alg: none` and no signature."""
        now = int(time.time())
        payload = {"iss": self.issuer, "sub": sub, "aud": self.audience, "iat": now,
                   "exp": now + 300, **claims}

        def part(data: dict[str, Any]) -> str:
            raw = json.dumps(data, separators=(",", ":")).encode()
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        return f"{part({'alg': 'none', 'typ': 'JWT', 'kid': self.rsa.kid})}.{part(payload)}."

    def hs256_with_public_key(self, sub: str = "alice", **claims: Any) -> str:
        """The classic confusion attack: HS256 keyed with the RSA public key's PEM."""
        now = int(time.time())
        payload = {"iss": self.issuer, "sub": sub, "aud": self.audience, "iat": now,
                   "exp": now + 300, **claims}
        signing = json.dumps({"alg": "HS256", "typ": "JWT", "kid": self.rsa.kid},
                             separators=(",", ":")).encode()
        body = json.dumps(payload, separators=(",", ":")).encode()

        def b64(raw: bytes) -> bytes:
            return base64.urlsafe_b64encode(raw).rstrip(b"=")

        message = b64(signing) + b"." + b64(body)
        signature = hmac.new(self.rsa.public_pem(), message, hashlib.sha256).digest()
        return (message + b"." + b64(signature)).decode()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    idp = IdentityProvider(args.port)
    print(idp.issuer, flush=True)
    idp.serve_forever()
