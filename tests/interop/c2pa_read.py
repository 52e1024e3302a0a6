"""Read a file with the reference C2PA SDK (c2pa-python) and print what it says.

Usage: c2pa_read.py FILE MIME [TRUST_ANCHORS.pem] [SIDECAR.c2pa]
Prints one JSON object: validation_state, digital source types of the active
manifest's actions, the failure codes and their explanations, whether the
hard binding's data hash matched (data_hash_match), and the number of
manifests, the active manifest's action names (actions), and the soft bindings (alg, name, block values) the active
manifest's c2pa.soft-binding assertions hold.

Text (MIME text/*, no SIDECAR): the bundled c2pa-rs (0.91.3) has no text
handler, so the manifest store is taken from the C2PA text wrapper (Annex A.8)
with c2pa-text and passed as manifest data; with manifest data the library
hashes the stream whatever the MIME says. It then always adds one
assertion.dataHash.mismatch, "data hash exclusion does not match the manifest
location in the asset", because it finds no manifest in the stream for the
exclusion to cover: a good text label reads Invalid with exactly that failure
and data_hash_match true; an edited text adds a second mismatch ("Hashes do
not match") and data_hash_match false.
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
        if manifest_data is None and mime.startswith("text/"):
            import c2pa_text
            info = c2pa_text.find_wrapper_info(open(path, "rb").read().decode("utf-8"))
            manifest_data = info[0] if info else None
        reader = c2pa.Reader(mime, f, manifest_data, context=ctx) if manifest_data else c2pa.Reader(mime, f, context=ctx)
        store = json.loads(reader.json())
        active = store["manifests"][store["active_manifest"]]
        dsts = []
        actions = []
        soft_bindings = [
            {
                "alg": a["data"].get("alg"),
                "name": a["data"].get("name"),
                "values": [b.get("value") for b in a["data"].get("blocks", [])],
            }
            for a in active.get("assertions", [])
            if a["label"].split("__")[0] == "c2pa.soft-binding"
        ]
        for a in active.get("assertions", []):
            if a["label"].startswith("c2pa.actions"):
                for act in a["data"].get("actions", []):
                    actions.append(act.get("action"))
                    if "digitalSourceType" in act:
                        dsts.append(act["digitalSourceType"])
        results = reader.get_validation_results() or {}
        active_results = results.get("activeManifest") or {}
        failures = active_results.get("failure", [])
        successes = [s["code"] for s in active_results.get("success", [])]
        print(json.dumps({
            "validation_state": reader.get_validation_state(),
            "digital_source_types": dsts,
            "actions": actions,
            "failures": [s["code"] for s in failures],
            "failure_explanations": [s.get("explanation") for s in failures],
            "data_hash_match": "assertion.dataHash.match" in successes,
            "successes": successes,
            "manifests": len(store["manifests"]),
            "soft_bindings": soft_bindings,
        }))


if __name__ == "__main__":
    main()
