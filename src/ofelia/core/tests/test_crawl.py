"""Every role of a populated demo organisation walks the pages its own links offer.

GET only, links within the site, a bound on the pages. Each page answers below 500, no
link a page offers to a role leads to 403/404, and no English UI word shows in the text.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from ofelia.organisations.models import Membership, Role

from .crawl_data import populated_demo

pytestmark = pytest.mark.django_db

MAX_PAGES = 150
# Downloads and endpoints that are not pages; they are proven by their apps' own tests.
SKIP = re.compile(r"(\.pdf|\.ics|\.xml|format=csv|^/admin/|^/api/|^/i18n/|^/static/|^/healthz)")
# English UI words that must not reach a French page (whole words, case-sensitive). Words
# French shares with English ("Date", "Total", "Type", "Actions", "page") are left out.
ENGLISH = (
    "Save", "Delete", "Cancel", "Submit", "Search", "Invoice", "Invoices", "Quote", "Quotes",
    "Session list", "Log out", "Sign out", "Sign in", "Name", "Status", "Amount", "Next",
    "Previous", "Edit", "Create", "Back", "Download", "Dashboard", "Users", "Learners",
    "Client companies", "Consumer clients", "Audit log", "Settings", "Add",
    "New", "Home", "Details", "Filter", "Price", "Contract", "Contracts", "Training", "Trainer",
    "Trainers", "Payment", "Payments", "Due", "Paid", "Overdue", "Draft", "Issued", "Signed",
    "Yes", "No", "None", "Revoke", "Send", "Phone", "Address", "Role", "Due date", "Issue date", "Organisation switch",
    "Loading", "Close", "Open", "Show", "Hide", "Clear", "Update", "Remove", "Confirm", "Print",
    "Learner", "Company", "Companies", "Credit note", "Refund", "Deposit", "Balance",
    "Quantity", "Unit price", "Reference", "Start", "End", "Capacity",
    "My space", "My trainings", "My invoices", "Language", "Skip to content", "Platform administration",
    "Activity declaration", "open-source training management", "Switch", "Nothing", "results",
    "of", "the", "and", "with", "for", "Policy", "Receivables", "Revenue", "Run", "Result", "View",
)
ENGLISH_RE = re.compile(r"(?<![\w./-])(" + "|".join(re.escape(w) for w in ENGLISH) + r")(?![\w/-])")


class _Page(HTMLParser):
    """Visible text (not inside code/pre/script/style) and the links of a page."""

    HIDDEN = {"script", "style", "code", "pre", "textarea", "kbd", "samp"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in self.HIDDEN:
            self._hidden += 1
        if tag == "a" and values.get("href") and "download" not in values:
            self.links.append(values["href"] or "")
        for name in ("title", "aria-label", "placeholder", "alt"):
            if values.get(name) and not self._hidden:
                self.text.append(values[name] or "")
        if tag in ("input", "button") and values.get("type") in ("submit", "button") and values.get("value"):
            self.text.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


def _internal(base: str, href: str) -> str | None:
    if href.startswith(("mailto:", "tel:", "#", "javascript:")):
        return None
    parts = urlsplit(urljoin(base, href))
    if parts.netloc not in ("", "testserver"):
        return None
    url = parts.path + (f"?{parts.query}" if parts.query else "")
    return None if SKIP.search(url) else url


def crawl(client: Client, start: str) -> tuple[list[str], list[str]]:
    """(problems, visited): problems name the page, the link that led there and what is wrong."""
    problems: list[str] = []
    seen = {start}
    queue: deque[tuple[str, str]] = deque([(start, "(départ)")])
    visited: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        url, referrer = queue.popleft()
        response = client.get(url)
        if response.status_code in (301, 302):
            target = _internal(url, response["Location"])
            if target and target not in seen:
                seen.add(target)
                queue.append((target, url))
            continue
        visited.append(url)
        if response.status_code >= 400:
            problems.append(f"{url} (lien de {referrer}) -> {response.status_code}")
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        page = _Page()
        page.feed(response.content.decode())
        text = " ".join(" ".join(page.text).split())
        for word in sorted(set(ENGLISH_RE.findall(text))):
            at = text.find(word)
            problems.append(f"{url}: anglais « {word} » … {text[max(0, at - 40):at + 40]} …")
        for href in page.links:
            target = _internal(url, href)
            if target and target not in seen:
                seen.add(target)
                queue.append((target, url))
    return problems, visited


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_role_crawls_its_pages_in_french_without_errors(role):
    organisation = populated_demo()
    member = Membership.objects.filter(organisation=organisation, role=role).select_related("user").get()
    client = Client()
    client.force_login(member.user)
    problems, visited = crawl(client, "/")
    assert not problems, "\n".join(problems)
    home = client.get("/", follow=True)
    menu = [x for item in home.context["nav_items"] for x in (item["children"] or [item])]
    assert menu and {x["url"] for x in menu} <= set(visited)
    if role in (Role.ADMINISTRATOR, Role.STAFF):
        assert len(visited) > 25, visited  # lists, details and forms behind the menu


def test_crawl_flags_english_once_the_shell_is_switched_to_english():
    """The word list is not vacuous: the English shell trips it, and the French one does not."""
    organisation = populated_demo()
    member = Membership.objects.filter(organisation=organisation, role=Role.ADMINISTRATOR).get()
    client = Client()
    client.force_login(member.user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    problems, _visited = crawl(client, "/gestion/")
    assert any("« Dashboard »" in p for p in problems)
    assert any("« Sign out »" in p for p in problems)
