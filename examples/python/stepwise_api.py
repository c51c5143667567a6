#!/usr/bin/env python3
"""Launch a Stepwise study, watch it, and read its trials over the HTTP JSON API.

Standard library only (Python 3.8+). The API is described at <server>/api/openapi.json:
queries are GET /api/trpc/<procedure>?input=<JSON>, mutations POST /api/trpc/<procedure>, and
inputs and outputs are wrapped as {"json": ...}. A refused input answers HTTP 400 with one
{field, message} per problem, and nothing is written.

    python3 examples/python/stepwise_api.py [config.json]
    STEPWISE_URL=http://host:3000 STEPWISE_API_TOKEN=... python3 examples/python/stepwise_api.py
"""
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

URL = os.environ.get("STEPWISE_URL", "http://localhost:3000").rstrip("/")
TOKEN = os.environ.get("STEPWISE_API_TOKEN")


class StepwiseError(Exception):
    """A refused or failed call: code (BAD_REQUEST, NOT_FOUND, ...) and the field-level issues."""

    def __init__(self, code, message, issues):
        super().__init__(message)
        self.code = code
        self.issues = issues


def call(procedure, payload=None, mutation=False):
    """One procedure call; returns its output (dates stay ISO 8601 strings)."""
    headers = {"content-type": "application/json"}
    if TOKEN:
        headers["authorization"] = "Bearer " + TOKEN
    body = json.dumps({"json": payload}).encode()
    if mutation:
        req = urllib.request.Request(f"{URL}/api/trpc/{procedure}", data=body, headers=headers, method="POST")
    else:
        query = urllib.parse.urlencode({"input": body.decode()}) if payload is not None else ""
        req = urllib.request.Request(f"{URL}/api/trpc/{procedure}?{query}", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            return json.load(res)["result"]["data"]["json"]
    except urllib.error.HTTPError as err:
        error = json.load(err)["error"]["json"]
        data = error.get("data") or {}
        raise StepwiseError(data.get("code"), error.get("message"), data.get("issues") or []) from None


def launch(config):
    return call("studies.launch", {"config": config, "source": "client"}, mutation=True)


def watch(study_id, every=1.0):
    """Polls until the study finishes; prints progress lines; returns the final study."""
    while True:
        s = call("studies.get", {"id": study_id})
        done = s["trialsCompleted"] + s["trialsFailed"]
        print(f"  {s['status']:9} {done}/{s['trialsTotal']} trials, best {s['bestValue']}", file=sys.stderr)
        if s["status"] in ("completed", "failed", "cancelled"):
            return s
        time.sleep(every)


def trials(study_id):
    """Every trial, page by page."""
    out, cursor = [], None
    while True:
        page = call("trials.list", {"studyId": study_id, "limit": 200, "cursor": cursor})
        out += page["items"]
        cursor = page.get("nextCursor")
        if not cursor:
            return out


EXAMPLE = {
    "name": "python example",
    "kind": "random",
    "objective": {"type": "function", "function": "branin"},
    "budget": {"trials": 6, "parallel": 3},
    "seed": 1,
}


def main(argv):
    config = json.load(open(argv[1])) if len(argv) > 1 else EXAMPLE

    # A typo is refused with the field and the key it was probably meant to be; nothing is written.
    try:
        launch({**config, "budget": {**config["budget"], "paralel": 2}})
    except StepwiseError as err:
        print(f"refused ({err.code}):", file=sys.stderr)
        for issue in err.issues:
            print(f"  {issue['field']}: {issue['message']}", file=sys.stderr)

    study = launch(config)
    print(f"launched {study['id']}  {study['name']}", file=sys.stderr)
    final = watch(study["id"])
    rows = trials(study["id"])
    best = min((t for t in rows if t["value"] is not None), key=lambda t: t["value"], default=None)
    print(json.dumps({"id": final["id"], "status": final["status"], "trials": len(rows), "best": best and {"number": best["number"], "value": best["value"], "params": best["params"]}}))
    return 0 if final["status"] == "completed" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
