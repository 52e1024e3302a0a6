"""Read a published file's parent ingredient with the reference C2PA SDK.

Usage: c2pa_ingredient.py FILE MIME [TRUST_ANCHORS.pem]
Prints one JSON object: the file's validation_state; the active manifest's
parent ingredient (relationship, active_manifest, the failure codes of its
recorded validation results); and, for the manifest that ingredient points
to, its digital source types and signer (issuer).
"""
import json
import sys

import c2pa


def main():
    path, mime = sys.argv[1], sys.argv[2]
    anchors = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None
    settings = {"verify": {"verify_trust": True, "remote_manifest_fetch": False}}
    if anchors:
        settings["trust"] = {"trust_anchors": open(anchors).read()}
    ctx = c2pa.Context.from_dict(settings)
    with open(path, "rb") as f:
        reader = c2pa.Reader(mime, f, context=ctx)
        store = json.loads(reader.json())
    active = store["manifests"][store["active_manifest"]]
    parent = next(
        (i for i in active.get("ingredients", []) if i.get("relationship") == "parentOf"),
        {},
    )
    results = parent.get("validation_results") or {}
    failures = [s["code"] for s in (results.get("activeManifest") or {}).get("failure", [])]
    successes = [s["code"] for s in (results.get("activeManifest") or {}).get("success", [])]
    label = parent.get("active_manifest")
    manifest = store["manifests"].get(label, {}) if label else {}
    dsts = [
        act["digitalSourceType"]
        for a in manifest.get("assertions", [])
        if a["label"].startswith("c2pa.actions")
        for act in a["data"].get("actions", [])
        if "digitalSourceType" in act
    ]
    print(json.dumps({
        "validation_state": reader.get_validation_state(),
        "relationship": parent.get("relationship"),
        "ingredient_manifest": label,
        "ingredient_failures": failures,
        "ingredient_successes": successes,
        "ingredient_digital_source_types": dsts,
        "ingredient_signer": (manifest.get("signature_info") or {}).get("issuer"),
    }))


if __name__ == "__main__":
    main()
