"""Read a file with the reference C2PA SDK (c2pa-python) and print what it says.

Usage: c2pa_read.py FILE MIME [TRUST_ANCHORS.pem] [SIDECAR.c2pa]
Prints one JSON object: validation_state, digital source types of the active
manifest's actions, the failure codes, and the number of manifests.
"""
import json
import sys

import c2pa


def main():
    path, mime = sys.argv[1], sys.argv[2]
    anchors = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None
    sidecar = sys.argv[4] if len(sys.argv) > 4 else None
    settings = {"verify": {"verify_trust": True, "remote_manifest_fetch": False}}
    if anchors:
        settings["trust"] = {"trust_anchors": open(anchors).read()}
    ctx = c2pa.Context.from_dict(settings)
    with open(path, "rb") as f:
        manifest_data = open(sidecar, "rb").read() if sidecar else None
        reader = c2pa.Reader(mime, f, manifest_data, context=ctx) if manifest_data else c2pa.Reader(mime, f, context=ctx)
        store = json.loads(reader.json())
        active = store["manifests"][store["active_manifest"]]
        dsts = []
        for a in active.get("assertions", []):
            if a["label"].startswith("c2pa.actions"):
                for act in a["data"].get("actions", []):
                    if "digitalSourceType" in act:
                        dsts.append(act["digitalSourceType"])
        results = reader.get_validation_results() or {}
        failures = [s["code"] for s in (results.get("activeManifest") or {}).get("failure", [])]
        print(json.dumps({
            "validation_state": reader.get_validation_state(),
            "digital_source_types": dsts,
            "failures": failures,
            "manifests": len(store["manifests"]),
        }))


if __name__ == "__main__":
    main()
