"""What the interop scripts sign as "another vendor's AI tool": one place for
the manifest, the c2pa.created action and the signer, shared by c2pa_sign.py
(media) and c2pa_text_sign.py (text)."""
import c2pa


def builder_and_signer(chain, key, alg, title, agent):
    """A c2pa-python Builder with a c2pa.created action (IPTC
    trainedAlgorithmicMedia, softwareAgent `agent`) and a Signer for the PEM
    chain and key; no thumbnail, as tamga's tests compare content."""
    manifest = {
        "claim_generator_info": [{"name": "interop-python-generator", "version": "0.1"}],
        "title": title,
        "assertions": [],
    }
    alg = alg.encode() if isinstance(alg, str) else alg
    info = c2pa.C2paSignerInfo(alg, open(chain, "rb").read(), open(key, "rb").read(), None)
    signer = c2pa.Signer.from_info(info)
    ctx = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}})
    builder = c2pa.Builder(manifest, context=ctx)
    builder.add_action({
        "action": "c2pa.created",
        "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
        "softwareAgent": {"name": agent, "version": "5.0"},
    })
    return builder, signer
