"""Error pages, security headers, static assets served locally."""
from tests.conftest import login


def test_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and 'data-testid="error-page"' in response.get_data(as_text=True)


def test_403_page(client, make_org, make_user):
    login(client, make_user(make_org(), "viewer"))
    response = client.get("/users")
    assert response.status_code == 403 and 'data-testid="error-page"' in response.get_data(as_text=True)


def test_500_page(app):
    from app import create_app

    fresh = create_app("test", PROPAGATE_EXCEPTIONS=False)

    @fresh.get("/__boom")
    def boom():
        raise RuntimeError("boom")

    response = fresh.test_client().get("/__boom")
    assert response.status_code == 500 and 'data-testid="error-page"' in response.get_data(as_text=True)


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"


def test_assets_are_local(client):
    page = client.get("/login").get_data(as_text=True)
    assert "cdn" not in page.lower() and "https://" not in page
    for asset in ("/bootstrap/static/css/bootstrap.min.css", "/bootstrap/static/js/bootstrap.min.js",
                  "/static/css/tanji.css", "/static/js/tanji.js"):
        assert client.get(asset).status_code == 200, asset
