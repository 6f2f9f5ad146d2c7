#!/usr/bin/env python3
"""Drive a TAXII 2.1 API root with the OASIS client library (taxii2-client).

Usage: python3 client_check.py API_ROOT_URL USER PASSWORD

Against API_ROOT_URL (e.g. http://127.0.0.1:1234/taxii2/api/) it:
  * reads the API root information and lists its collections;
  * for each readable collection: pages through all objects with
    taxii2client.v21.as_pages(collection.get_objects, per_request=2), fetches
    the manifest, and for the first object fetches it by id and its versions;
  * for the first writable collection: posts an envelope with one indicator,
    waits for the status to be final, then fetches it again through the API
    root's get_status.

Progress goes to stderr; stdout gets exactly one JSON document at the end:
  {"api_root": {"title", "versions", "max_content_length"},
   "collections": [{"id", "title", "can_read", "can_write",
                    "objects", "pages", "manifest", "versions_of_first"}],
   "posted": {"status", "total_count", "success_count", "failure_count",
              "pending_count", "status_id"} or null}
For a collection that is not readable, objects/pages/manifest/versions_of_first
are null; for a readable but empty one versions_of_first is null.
Any exception: traceback on stderr, exit 1.
"""
import json
import sys
import traceback

from taxii2client.v21 import ApiRoot, as_pages

PER_REQUEST = 2
MAX_PAGES = 1000  # a server that always answers more=true must not hang us

POSTED_INDICATOR = {
    "type": "indicator",
    "spec_version": "2.1",
    "id": "indicator--6c1f3d5e-8a2b-4c7d-9e0f-1a2b3c4d5e6f",
    "created": "2026-02-01T00:00:00.000Z",
    "modified": "2026-02-01T00:00:00.000Z",
    "name": "Posted by client_check.py",
    "description": "Indicator sent by the TAXII client check",
    "indicator_types": ["malicious-activity"],
    "pattern": "[domain-name:value = 'posted.example']",
    "pattern_type": "stix",
    "valid_from": "2026-02-01T00:00:00.000Z",
}


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def read_collection(collection):
    count = 0
    pages = 0
    first_id = None
    for envelope in as_pages(collection.get_objects, per_request=PER_REQUEST):
        pages += 1
        if pages > MAX_PAGES:
            raise RuntimeError("more than {} pages from {}".format(MAX_PAGES, collection.url))
        objects = envelope.get("objects", [])
        if len(objects) > PER_REQUEST:
            raise RuntimeError("page of {} objects for limit={}".format(len(objects), PER_REQUEST))
        if first_id is None and objects:
            first_id = objects[0]["id"]
        count += len(objects)
        log("  page {}: {} objects, more={!r}, next={!r}".format(
            pages, len(objects), envelope.get("more"), envelope.get("next")))

    manifest = collection.get_manifest()
    manifest_count = len(manifest.get("objects", []))
    log("  manifest: {} entries".format(manifest_count))

    versions_of_first = None
    if first_id is not None:
        one = collection.get_object(first_id)
        got = [obj.get("id") for obj in one.get("objects", [])]
        if not got or any(obj_id != first_id for obj_id in got):
            raise RuntimeError("get_object({}) returned {!r}".format(first_id, got))
        versions = collection.object_versions(first_id)
        versions_of_first = len(versions.get("versions", []))
        log("  {}: {} version(s)".format(first_id, versions_of_first))

    return {
        "objects": count,
        "pages": pages,
        "manifest": manifest_count,
        "versions_of_first": versions_of_first,
    }


def post_to(api_root, collection):
    envelope = {"objects": [POSTED_INDICATOR]}
    status = collection.add_objects(envelope, wait_for_completion=False)
    log("  add_objects: status {} is {!r}".format(status.id, status.status))
    status.refresh()  # GET through the URL taxii2-client derives: <api root>/status/<id>/
    status.wait_until_final(poll_interval=0.2, timeout=30)
    if status.status != "complete":
        raise RuntimeError("status {} still {!r} after 30 s".format(status.id, status.status))
    again = api_root.get_status(status.id)
    log("  get_status({}): {!r}".format(again.id, again.status))
    if again.id != status.id:
        raise RuntimeError("get_status returned id {!r} for {!r}".format(again.id, status.id))
    return {
        "status": again.status,
        "total_count": again.total_count,
        "success_count": again.success_count,
        "failure_count": again.failure_count,
        "pending_count": again.pending_count,
        "status_id": again.id,
    }


def run(url, user, password):
    api_root = ApiRoot(url, user=user, password=password)
    try:
        api_root.refresh_information()
        log("api root {!r}: versions={} max_content_length={}".format(
            api_root.title, api_root.versions, api_root.max_content_length))
        api_root.refresh_collections()

        report = {
            "api_root": {
                "title": api_root.title,
                "versions": api_root.versions,
                "max_content_length": api_root.max_content_length,
            },
            "collections": [],
            "posted": None,
        }
        writable = None
        for collection in api_root.collections:
            log("collection {} {!r} can_read={} can_write={}".format(
                collection.id, collection.title, collection.can_read, collection.can_write))
            entry = {
                "id": collection.id,
                "title": collection.title,
                "can_read": collection.can_read,
                "can_write": collection.can_write,
                "objects": None,
                "pages": None,
                "manifest": None,
                "versions_of_first": None,
            }
            if collection.can_read:
                entry.update(read_collection(collection))
            if collection.can_write and writable is None:
                writable = collection
            report["collections"].append(entry)

        if writable is not None:
            log("posting to {}".format(writable.id))
            report["posted"] = post_to(api_root, writable)
        else:
            log("no writable collection")
        return report
    finally:
        api_root.close()


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: client_check.py API_ROOT_URL USER PASSWORD\n")
        return 2
    try:
        report = run(argv[1], argv[2], argv[3])
    except Exception:
        traceback.print_exc(file=sys.stderr)
        return 1
    sys.stdout.write(json.dumps(report) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
