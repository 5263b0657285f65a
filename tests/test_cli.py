"""flask users create / list."""
from tests.conftest import PASSWORD


def test_users_create_and_list(app, make_org):
    org = make_org(name="锦湾化工有限公司")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--email", "Chem.Admin@example.com", "--password", PASSWORD,
                                 "--role", "enterprise_admin", "--org", org.credit_code])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "create", "--email", "viewer@example.com", "--password", PASSWORD,
                                 "--role", "viewer", "--org", "锦湾化工有限公司"])
    assert result.exit_code == 0, result.output
    listing = runner.invoke(args=["users", "list"]).output.splitlines()
    assert "chem.admin@example.com\tenterprise_admin\t锦湾化工有限公司" in listing
    assert "viewer@example.com\tviewer\t锦湾化工有限公司" in listing


def test_users_create_refuses_bad_input(app, make_org):
    org = make_org()
    runner = app.test_cli_runner()
    base = ["users", "create", "--email", "a@example.com", "--role", "energy_manager", "--org", org.credit_code]
    assert "No organisation" in runner.invoke(args=base[:-1] + ["nowhere"] + ["--password", PASSWORD]).output
    weak = runner.invoke(args=base + ["--password", "short"])
    assert weak.exit_code != 0
    assert runner.invoke(args=base + ["--password", PASSWORD]).exit_code == 0
    duplicate = runner.invoke(args=base + ["--password", PASSWORD])
    assert duplicate.exit_code != 0 and "已有账号" in duplicate.output  # the CLI speaks the default language
    wrong_kind = runner.invoke(args=["users", "create", "--email", "r@example.com", "--role", "regulator",
                                     "--org", org.credit_code, "--password", PASSWORD])
    assert wrong_kind.exit_code != 0
