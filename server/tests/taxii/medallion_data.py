#!/usr/bin/env python3
"""Write a medallion (OASIS TAXII 2.1 reference server) memory-backend data file.

Usage: python3 medallion_data.py OUT_JSON N

The layout is the one medallion 3.0.0's MemoryBackend reads
(medallion/backends/memory_backend.py):

  {"/discovery": {...},
   "api1": {"information": {...}, "status": [],
            "collections": [{id, title, can_read, can_write, media_types,
                             "objects": [...], "manifest": [...]}]}}

Each manifest entry is {id, date_added, version, media_type}: medallion sorts
and pages objects by the manifest's date_added, matches an object to its entry
through version == the object's "modified", and takes the spec version from
media_type. That is also where X-TAXII-Date-Added-First/Last come from.

The discovery's api_roots is written relative ("/api1/"); medallion_serve.py
turns it into http://127.0.0.1:PORT/api1/ when it loads the file.
"""
import datetime
import hashlib
import json
import sys
import uuid

READ_COLLECTION_ID = "365fed99-08fa-fdcd-a1b3-fb247eb41d01"
WRITE_COLLECTION_ID = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
STIX_21 = "application/stix+json;version=2.1"
TAXII_21 = "application/taxii+json;version=2.1"
OBJECT_TIME = "2026-01-01T00:00:00.000Z"
FIRST_DATE_ADDED = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)


def indicator_id(n):
    """A deterministic UUIDv4-shaped id (STIX 2.1 wants v4 for SDOs)."""
    digest = hashlib.sha256("hikeshi-taxii-test/partner-{}".format(n).encode()).digest()
    return "indicator--{}".format(uuid.UUID(bytes=digest[:16], version=4))


def indicator(n):
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": indicator_id(n),
        "created": OBJECT_TIME,
        "modified": OBJECT_TIME,
        "name": "Partner domain {}".format(n),
        "description": "Domain reported by a partner CSIRT",
        "indicator_types": ["malicious-activity"],
        "pattern": "[domain-name:value = 'partner-{}.example']".format(n),
        "pattern_type": "stix",
        "valid_from": OBJECT_TIME,
    }


def date_added(n):
    moment = FIRST_DATE_ADDED + datetime.timedelta(minutes=n - 1)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # medallion's own format


def build(count):
    objects = [indicator(n) for n in range(1, count + 1)]
    manifest = [
        {
            "id": obj["id"],
            "date_added": date_added(n),
            "version": obj["modified"],
            "media_type": STIX_21,
        }
        for n, obj in enumerate(objects, start=1)
    ]
    return {
        "/discovery": {
            "title": "Medallion reference TAXII server (Hikeshi tests)",
            "description": "OASIS medallion, memory backend, test data",
            "contact": "nobody@example.invalid",
            "default": "/api1/",
            "api_roots": ["/api1/"],
        },
        "api1": {
            "information": {
                "title": "Partner sharing",
                "description": "API root used by the Hikeshi TAXII tests",
                "versions": [TAXII_21],
                "max_content_length": 9765625,
            },
            "status": [],
            "collections": [
                {
                    "id": READ_COLLECTION_ID,
                    "title": "Partner indicators",
                    "description": "Indicators shared by a partner CSIRT",
                    "can_read": True,
                    "can_write": False,
                    "media_types": [STIX_21],
                    "objects": objects,
                    "manifest": manifest,
                },
                {
                    "id": WRITE_COLLECTION_ID,
                    "title": "Submissions",
                    "description": "Write-only inbox for objects sent to the partner",
                    "can_read": False,
                    "can_write": True,
                    "media_types": [STIX_21],
                    "objects": [],
                    "manifest": [],
                },
            ],
        },
    }


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: medallion_data.py OUT_JSON N\n")
        return 2
    count = int(argv[2])
    if count < 0:
        sys.stderr.write("N must be >= 0\n")
        return 2
    with open(argv[1], "w", encoding="utf-8") as out:
        json.dump(build(count), out, indent=2)
        out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
