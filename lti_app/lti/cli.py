"""``flask platforms add|list`` and ``flask keys list|rotate|retire``."""

from __future__ import annotations

import click

from lti_app.lti import keys
from lti_app.lti.platforms import FAMILIES, PlatformInput, add_platform, list_platforms
from lti_app.lti.views import bp


@bp.cli.group("platforms")
def platforms() -> None:
    """LTI platform registrations (LMS instances this tool accepts launches from)."""


@platforms.command("add")
@click.option("--issuer", required=True, help="The platform's issuer (iss), e.g. https://canvas.instructure.com")
@click.option("--client-id", required=True, help="The client id the platform assigned to this tool")
@click.option("--deployment-id", required=True, help="A deployment id (repeat the command to add more)")
@click.option("--auth-login-url", required=True, help="The platform's OIDC authorization endpoint")
@click.option("--auth-token-url", required=True, help="The platform's OAuth2 token endpoint")
@click.option("--key-set-url", required=True, help="The platform's JWKS URL")
@click.option("--audience", default=None, help="Token audience if it differs from the token URL")
@click.option("--family", type=click.Choice(FAMILIES), default=None, help="Platform family (guessed from the issuer)")
def add(
    issuer: str,
    client_id: str,
    deployment_id: str,
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
    audience: str | None,
    family: str | None,
) -> None:
    """Register a platform, or add a deployment to an existing registration."""
    try:
        platform, created = add_platform(
            PlatformInput(
                issuer=issuer,
                client_id=client_id,
                deployment_id=deployment_id,
                auth_login_url=auth_login_url,
                auth_token_url=auth_token_url,
                key_set_url=key_set_url,
                audience=audience,
                platform_family=family,
            )
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    verb = "added" if created else "updated"
    deployments = ",".join(d.deployment_id for d in platform.deployments)
    click.echo(
        f"{verb} platform #{platform.id} {platform.issuer} client_id={platform.client_id} "
        f"family={platform.platform_family} deployments={deployments}"
    )


@platforms.command("list")
def list_() -> None:
    """Show every registered platform and its deployments."""
    rows = list_platforms()
    if not rows:
        click.echo("no platforms registered")
    for p in rows:
        deployments = ",".join(d.deployment_id for d in p.deployments) or "-"
        click.echo(
            f"#{p.id}\t{p.issuer}\tclient_id={p.client_id}\tfamily={p.platform_family}\tdeployments={deployments}\t"
            f"login={p.auth_login_url}\ttoken={p.auth_token_url}\tjwks={p.key_set_url}"
        )


@bp.cli.group("keys")
def keys_group() -> None:
    """The tool's signing keys (published at /lti/jwks.json)."""


@keys_group.command("list")
def keys_list() -> None:
    """Every key with its status (active signs; previous is still published; retired is gone)."""
    keys.signing_key()
    for row in keys.list_keys():
        click.echo(f"{row.kid}\t{row.status}\tcreated={row.created_at:%Y-%m-%d %H:%M}")


@keys_group.command("rotate")
def keys_rotate() -> None:
    """New active key; the old one stays published until retired."""
    click.echo(f"new active key {keys.rotate_key()}")


@keys_group.command("retire")
@click.option("--kid", required=True, help="The kid to stop publishing (kids may start with '-': use --kid=...)")
def keys_retire(kid: str) -> None:
    """Stop publishing a previous key."""
    try:
        keys.retire_key(kid)
    except (LookupError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"retired {kid}")
