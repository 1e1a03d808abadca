"""`flask accounts ...`: the national administrator's commands for accounts."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from registry.access import SYSTEM
from registry.extensions import db
from registry.models import Account, Unit
from registry.rules.errors import RuleViolation
from registry.services import accounts, registrations, second_factor
from registry.services.regulator_accounts import create_admin, create_regulator

accounts_cli = AppGroup("accounts", help="Create regulator and administrator accounts; recover a firm's or a person's.")


def _apply(service, *args, **kwargs):
    """Run one accounts service as the system; a refusal (RuleViolation) becomes the command's error message."""
    try:
        return service(SYSTEM, *args, **kwargs)
    except RuleViolation as error:
        raise click.ClickException(f"{error.field}: {error.message_zh} ({error.message_en})") from None


def _account_id(username: str) -> int:
    account_id = db.session.scalar(select(Account.id).where(Account.username == username.strip()))
    if account_id is None:
        raise click.ClickException(f"username: 没有这个账户 (no account {username!r})")
    return account_id


def _unit_id(uscc: str) -> int:
    unit_id = db.session.scalar(select(Unit.id).where(Unit.uscc == uscc.strip().upper()))
    if unit_id is None:
        raise click.ClickException(f"uscc: 没有这个单位 (no firm {uscc!r})")
    return unit_id


@accounts_cli.command("create-regulator")
@click.option("--username", required=True, help="Sign-in name of the official.")
@click.option("--name", "display_name", required=True, help="The official's name.")
@click.option("--division-code", required=True, help="Jurisdiction: 370000 (province), 370200 (city) or 370202 (county).")
@click.option("--authority", "authority_name", required=True, help="The authority, e.g. 青岛市生态环境局.")
@click.option("--email", default=None, help="Optional email address.")
@click.password_option("--password", help="At least 12 characters; prompted for (hidden) when omitted.")
def create_regulator_command(username, display_name, division_code, authority_name, email, password):
    """Create a regulator account with its jurisdiction."""
    account = _apply(create_regulator, username=username, display_name=display_name, division_code=division_code,
                     authority_name=authority_name, password=password, email=email)
    click.echo(f"regulator {account.username} created: {account.authority_name}, jurisdiction {account.division_code}")


@accounts_cli.command("create-admin")
@click.option("--username", required=True, help="Sign-in name of the administrator.")
@click.option("--name", "display_name", required=True, help="The administrator's name.")
@click.option("--email", default=None, help="Optional email address.")
@click.password_option("--password", help="At least 12 characters; prompted for (hidden) when omitted.")
def create_admin_command(username, display_name, email, password):
    """Create a national administrator account."""
    account = _apply(create_admin, username=username, display_name=display_name, password=password, email=email)
    click.echo(f"administrator {account.username} created")


@accounts_cli.command("reset-sign-in")
@click.argument("username")
@click.option("--reason", required=True, help="Why, for the audit trail (e.g. the holder's request, checked how).")
def reset_sign_in_command(username, reason):
    """Give a firm's or a person's account a new one-time password, printed once; hand it over offline."""
    one_time = _apply(accounts.reset_sign_in, _account_id(username), reason)
    click.echo(f"one-time password for {username.strip()} (it must be changed at sign-in): {one_time}")


@accounts_cli.command("suspend")
@click.argument("username")
@click.option("--reason", required=True, help="Why, for the audit trail.")
def suspend_command(username, reason):
    """Suspend a firm's or a person's account: it cannot sign in, and its sessions end."""
    _apply(accounts.suspend_account, _account_id(username), reason)
    click.echo(f"{username.strip()} suspended")


@accounts_cli.command("reinstate")
@click.argument("username")
@click.option("--reason", required=True, help="Why, for the audit trail.")
def reinstate_command(username, reason):
    """Let a suspended firm's or person's account sign in again."""
    _apply(accounts.reinstate_account, _account_id(username), reason)
    click.echo(f"{username.strip()} reinstated")


@accounts_cli.command("reset-second-factor")
@click.argument("username")
@click.option("--reason", required=True, help="Why, for the audit trail (the lost phone, and how the holder was checked).")
def reset_second_factor_command(username, reason):
    """Turn off a regulator's or administrator's lost second factor; they enrol again at their next sign-in."""
    _apply(second_factor.reset_second_factor, _account_id(username), reason)
    click.echo(f"the second factor of {username.strip()} is reset")


@accounts_cli.command("confirm-registration")
@click.argument("uscc")
def confirm_registration_command(uscc):
    """Confirm a firm's self-registration, checked against its business licence."""
    _apply(registrations.confirm_registration, _unit_id(uscc))
    click.echo(f"{uscc.strip()} confirmed")


@accounts_cli.command("suspend-registration")
@click.argument("uscc")
@click.option("--reason", required=True, help="Why, for the audit trail.")
def suspend_registration_command(uscc, reason):
    """Suspend a firm's registration: its accounts cannot sign in, its self-reported information leaves the public."""
    _apply(registrations.suspend_registration, _unit_id(uscc), reason)
    click.echo(f"{uscc.strip()} suspended")


@accounts_cli.command("hand-over-registration")
@click.argument("uscc")
@click.option("--name", required=True, help="The firm's name on its business licence.")
@click.option("--legal-representative", required=True, help="The legal representative on the business licence.")
@click.option("--reason", required=True, help="How the licence was checked, for the audit trail.")
def hand_over_registration_command(uscc, name, legal_representative, reason):
    """Hand a suspended registration to the rightful firm; prints its one-time password once."""
    handed = _apply(registrations.hand_over_registration, _unit_id(uscc), name=name,
                    legal_representative=legal_representative, reason=reason)
    click.echo(f"{handed.username} handed over to {handed.unit.name}; one-time password (it must be changed at "
               f"sign-in): {handed.one_time_password}")
