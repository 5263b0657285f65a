"""Static files: fingerprinted URLs cached for a year, anything else revalidated (issue 16, speed)."""
import re


def test_pages_link_static_files_by_their_digest_and_those_are_cached_for_a_year(client, db):
    page = client.get("/login").get_data(as_text=True)
    links = re.findall(r'(?:href|src)="(/(?:static|bootstrap/static)/[^"]+)"', page)
    assert any("tanji.css" in link for link in links) and any("bootstrap" in link for link in links)
    for link in links:
        assert re.search(r"[?&]v=[0-9a-f]{12}$", link.replace("&amp;", "&")), link
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200
        assert response.cache_control.max_age == 365 * 24 * 3600 and response.cache_control.immutable, link


def test_a_static_file_without_its_digest_or_with_a_stale_one_is_revalidated(client, db):
    plain = client.get("/static/css/tanji.css")
    stale = client.get("/static/css/tanji.css?v=000000000000")
    for response in (plain, stale):
        assert response.status_code == 200 and response.cache_control.max_age != 365 * 24 * 3600
