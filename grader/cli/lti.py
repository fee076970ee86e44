"""`autograder lti ...`: register LMS platforms, rotate the tool's key, sync a roster, link an
account; run beside the server's database, like the account commands."""

from __future__ import annotations

import click
from sqlalchemy import select

from grader.cli.accounts import database_session, find_user
from grader.lti import accounts, keys, registrations, roster
from grader.lti.passback import LmsUnavailable
from grader.models import LtiContext, LtiPlatform


@click.group("lti")
def lti():
    """LTI 1.3: the LMSs this server trusts (docs/lti.md)."""


@lti.command("add-platform")
@click.option("--issuer", required=True, help="The LMS's issuer (the iss claim).")
@click.option("--client-id", required=True, help="The client id the LMS gave this tool.")
@click.option("--deployment-id", "deployment_ids", required=True, multiple=True,
              help="A deployment id of the tool in the LMS (repeat for several).")
@click.option("--auth-login-url", required=True, help="The LMS's OIDC authorization URL.")
@click.option("--token-url", required=True, help="The LMS's OAuth2 access token URL.")
@click.option("--jwks-url", required=True, help="The URL of the LMS's public keys.")
def add_platform(issuer, client_id, deployment_ids, auth_login_url, token_url, jwks_url):
    """Register an LMS (or add deployment ids to a registered one)."""
    fields = registrations.PlatformFields(issuer, client_id, tuple(deployment_ids),
                                          auth_login_url, token_url, jwks_url)
    with database_session() as session:
        try:
            row = registrations.add_platform(session, fields)
        except registrations.RegistrationError as error:
            raise click.UsageError(str(error)) from None
        session.commit()
        keys.signing_key(session)
        click.echo(f"platform {row.id}: {row.issuer} client {row.client_id} "
                   f"deployments {', '.join(row.deployment_ids)}")


@lti.command("list")
def list_platforms():
    """List the registered LMSs."""
    with database_session() as session:
        rows = registrations.all_platforms(session)
        if not rows:
            click.echo("no LMS registered (autograder lti add-platform ...)")
        for row in rows:
            click.echo(f"{row.id}\t{row.issuer}\tclient {row.client_id}\t"
                       f"deployments {','.join(row.deployment_ids)}\tlogin {row.auth_login_url}\t"
                       f"token {row.token_url}\tjwks {row.jwks_url}")


@lti.command("remove")
@click.argument("platform_id", type=int)
def remove(platform_id: int):
    """Remove the registration PLATFORM_ID (its links, courses and grade records go with it)."""
    with database_session() as session:
        row = session.get(LtiPlatform, platform_id)
        if row is None:
            raise click.ClickException(f"no platform {platform_id} (see: autograder lti list)")
        session.delete(row)
        session.commit()
        click.echo(f"removed platform {platform_id} ({row.issuer})")


@lti.command("rotate-key")
def rotate_key():
    """Make a new signing key; the old one stays published for a while (docs/lti.md)."""
    with database_session() as session:
        key = keys.rotate(session)
        click.echo(f"new signing key {key.kid}")


@lti.command("sync-roster")
@click.argument("context_id")
def sync_roster(context_id: str):
    """Bring the roster of the LMS course CONTEXT_ID here (create, update, deactivate)."""
    with database_session() as session:
        context = session.scalar(select(LtiContext).where(LtiContext.context_id == context_id))
        if context is None:
            raise click.ClickException(f"no LMS course {context_id!r} has launched this tool")
        try:
            report = roster.sync(session, context)
        except (roster.RosterUnavailable, LmsUnavailable) as error:
            raise click.ClickException(str(error)) from None
        click.echo(report.summary())


@lti.command("link-account")
@click.argument("username")
@click.option("--platform", "platform_id", type=int, required=True,
              help="From: autograder lti list.")
@click.option("--subject", required=True, help="The person's id in the LMS (the sub claim).")
def link_account(username: str, platform_id: int, subject: str):
    """Link the existing account USERNAME to an LMS person, once: their launches log in as it."""
    with database_session() as session:
        platform = session.get(LtiPlatform, platform_id)
        if platform is None:
            raise click.ClickException(f"no platform {platform_id} (see: autograder lti list)")
        try:
            accounts.link(session, platform, subject, find_user(session, username))
        except accounts.LinkError as error:
            raise click.ClickException(str(error)) from None
        session.commit()
        click.echo(f"{username} is linked to {subject} of {platform.issuer}")
