"""Login limits that fit a campus: only failures count, tight per account, loose per address.

Hundreds of students reach the service from one NAT address, so an address alone gets a loose
limit: it stops one machine spraying guesses over many accounts without locking a lecture hall
out. Guessing at one account is stopped by a tight limit per account and address, and by a
looser one per account over every address (for an attacker with many addresses). Once a limit
is reached every attempt it covers waits, the right password included: a limit that let the
right password through would still answer each guess. The page says which limit and when to
retry (grader/errors.py, from the limits this request broke).
"""

from __future__ import annotations

import ipaddress

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from grader.extensions import limiter

FOR_ACCOUNT = "Too many failed attempts for this account"
FROM_NETWORK = "Too many failed attempts from your network"


def count_failure() -> None:
    """Mark this request's attempt as failed, so that the limits below count it."""
    g.login_failed = True


def failed(_response) -> bool:
    """Count only the attempts marked failed (a success, a refused form or a 429 costs nothing)."""
    return g.get("login_failed", False)


def setting(name: str):
    """Return a function reading the limit from the app's config (tests and deployments set it)."""
    return lambda: current_app.config[name]


def typed_account() -> str:
    """Return the account an attempt names, as accounts are looked up (case-insensitive)."""
    return (request.form.get("username") or "").strip().lower()[:64]


def client_network() -> str:
    """Return the client's address; of an IPv6 address its /64, which one site holds whole
    (one machine may take any address in it, so its addresses count as one)."""
    remote = get_remote_address()
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return remote
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def login_limit(name: str, key_func, message: str):
    """One limit on the POSTs of the login form, counting failures only."""
    return limiter.limit(setting(name), key_func=key_func, methods=["POST"], deduct_when=failed,
                         error_message=message)


per_account_and_address = login_limit(
    "LOGIN_LIMIT_PER_ACCOUNT_ADDRESS",
    lambda: f"login-account-address:{typed_account()}@{client_network()}", FOR_ACCOUNT)
per_account = login_limit(
    "LOGIN_LIMIT_PER_ACCOUNT", lambda: f"login-account:{typed_account()}", FOR_ACCOUNT)
per_address = login_limit(
    "LOGIN_LIMIT_PER_ADDRESS", lambda: f"login-address:{client_network()}", FROM_NETWORK)
# Changing one's password asks for the current one: from a stolen session, another oracle.
password_checks = limiter.limit(
    setting("LOGIN_LIMIT_PER_ACCOUNT"), key_func=lambda: f"password-check:{current_user.id}",
    deduct_when=failed, error_message=FOR_ACCOUNT)
