"""A requests.Session that walks LTI redirect chains and auto-submitting forms like a browser would."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

import requests


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        data = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": data.get("action", ""), "method": data.get("method", "get"), "fields": {}})
        elif tag in ("input", "select", "textarea") and self.forms and data.get("name"):
            self.forms[-1]["fields"][data["name"]] = data.get("value", "")


def forms_in(html: str) -> list[dict]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


class Browser(requests.Session):
    def submit_form(self, response: requests.Response, overrides: dict | None = None, **kwargs) -> requests.Response:
        """POST the first form of the page (the JS auto-submit a real browser would run)."""
        forms = forms_in(response.text)
        assert forms, f"no form in page from {response.url}: {response.text[:300]}"
        form = forms[0]
        fields = {**form["fields"], **(overrides or {})}
        return self.post(urljoin(response.url, form["action"]), data=fields, allow_redirects=False, **kwargs)

    def start_launch(self, lms_url: str, user: str, link: str | None = None, deep_link: bool = False) -> str:
        """Click a link in the LMS and follow the OIDC login up to the platform's auth URL (returned)."""
        params = {"user": user, **({"deep_link": "1"} if deep_link else {"link": link})}
        first = self.get(f"{lms_url}/launch", params=params, allow_redirects=False)
        if first.status_code == 200:  # login initiation by an auto-submitting POST form (Canvas)
            login = self.submit_form(first)
        else:  # login initiation by a GET redirect
            assert first.status_code == 302, first.text
            login = self.get(first.headers["Location"], allow_redirects=False)
        assert login.status_code == 302, f"tool login refused: {login.status_code} {login.text[:300]}"
        return login.headers["Location"]

    def launch(self, lms_url: str, user: str, link: str | None = None, deep_link: bool = False) -> requests.Response:
        """Full launch: LMS link → tool login → platform auth → form_post id_token to the tool."""
        auth_url = self.start_launch(lms_url, user, link, deep_link)
        form_page = self.get(auth_url, allow_redirects=False)
        assert form_page.status_code == 200, f"platform auth refused: {form_page.status_code} {form_page.text[:300]}"
        return self.submit_form(form_page)
