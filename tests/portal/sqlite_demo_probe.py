"""Run by test_sqlite_demo in a fresh process: the README's demo on SQLite, page by page.

Migrates a new SQLite database, loads a small demo and prints, as JSON, each page's status and
what it contains, so the test can check that the embedded default really works.
"""

import json
import os
import re
import sys

import django

os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402

call_command("migrate", verbosity=0)
call_command("seed_demo", organisations=300, seed=1, stdout=open(os.devnull, "w"))  # noqa: SIM115

client = Client(raise_request_exception=False)
results = {}
pages = [
    "/",
    "/yhdistykset/",
    "/yhdistykset/?q=kyl%C3%A4",
    "/yhdistykset/?kunta=297&toimiala=kulttuuri",
    "/sv/yhdistykset/?q=seura&jarjestys=uusimmat",
    "/kunnat/kuopio/",
    "/kunnat/yhteyshenkilot/",
    "/sitemap.xml",
]
for url in pages:
    response = client.get(url)
    heading = re.search(rb'id="results-heading">([^<]*)', response.content)
    results[url] = {"status": response.status_code, "heading": heading.group(1).decode() if heading else ""}

client.force_login(User.objects.get(email="kunta@example.org"))
for url in ["/yhdistykset/vienti/csv/?toimiala=kulttuuri", "/yhdistykset/vienti/xlsx/", "/oma/kunta/"]:
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    results[url] = {"status": response.status_code, "lines": body.count(b"\n"), "size": len(body)}

json.dump(results, sys.stdout)
