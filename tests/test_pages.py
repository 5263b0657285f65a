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


def test_no_template_has_an_inline_style():
    """Issue 16: the CSP (style-src 'self') blocks inline styles, e.g. the year field on /city-data/sinks; every
    style lives in static/css/tanji.css."""
    import pathlib
    import re

    offenders = [str(path) for path in pathlib.Path("app").rglob("*.html")
                 if re.search(r"\sstyle\s*=", path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_sinks_page_needs_no_inline_style(app, db, client, make_org, make_user):
    from app.city_data import services as city_data

    regulator = make_user(make_org(kind="authority"), "regulator")
    with app.test_request_context():
        city_data.add_sink(regulator, {"name": "辽河口湿地", "kind": "wetland", "area_ha": "1000",
                                       "rate_tco2_per_ha_year": "9.5", "from_year": 2015, "source": "demo"})
        db.session.commit()
    login(client, regulator)
    page = client.get("/city-data/sinks").get_data(as_text=True)
    assert 'name="to_year"' in page and "year-input" in page and "style=" not in page
