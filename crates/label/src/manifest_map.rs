//! The one place that maps an [`AiDisclosure`] to C2PA assertions, and a
//! C2PA manifest — ours or any other tool's — back to what it discloses.

use c2pa::{Builder, BuilderIntent, DigitalSourceType, Manifest};
use serde::Serialize;
use serde_json::{json, Value};

use tamga_notice::AppliedNotice;

use crate::{AiDisclosure, AiInvolvement, Generator, HumanReview, TrainingMining};

/// Label of the assertion recording the perceivable notice applied (the
/// [`AppliedNotice`] record).
pub const NOTICE_LABEL: &str = "org.tamga.notice";

/// Label of tamga's own assertion, holding the full disclosure (notice
/// texts, organisation, human review) that standard assertions have no field for.
pub const DISCLOSURE_LABEL: &str = "org.tamga.ai-disclosure";

/// CAWG training-and-data-mining assertion label.
pub const TRAINING_MINING_LABEL: &str = "cawg.training-mining";

/// Version of [`DISCLOSURE_LABEL`]'s schema.
const DISCLOSURE_SCHEMA: u32 = 1;

/// The claim generator name and version written into every manifest.
pub fn claim_generator() -> Value {
    json!({ "name": "tamga", "version": env!("CARGO_PKG_VERSION") })
}

/// What a signer states in its manifest.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Statement<'a> {
    /// A producer's AI disclosure: how AI was involved, by what system.
    Disclose(&'a AiDisclosure),
    /// A distributor's publication of a received file, which stays the
    /// parent ingredient and keeps its own disclosure. The distributor
    /// states only what it did (published it, and perhaps added the
    /// notice), never how the content was made: that is the producer's
    /// signed word.
    Publish {
        /// Who publishes.
        organisation: &'a str,
    },
}

/// Fills a builder with what `statement` says. A disclosure: the actions with their digital
/// source type and software agent, tamga's disclosure assertion and, if
/// asked for, the training/mining preference. A publication: the
/// `c2pa.published` action (see [`Statement::Publish`]).
///
/// `has_parent` says the source already carries content we start from (an
/// existing manifest, or a work that was edited): the manifest then records
/// `c2pa.opened` (added by c2pa with the parent ingredient) and `c2pa.edited`;
/// otherwise `c2pa.created`.
///
/// `notice` is the perceivable notice added to the content, if any: it is
/// recorded as [`NOTICE_LABEL`] and, since it changed the content, as a
/// `c2pa.edited` action that says so.
pub(crate) fn apply(
    builder: &mut Builder,
    statement: Statement<'_>,
    has_parent: bool,
    notice: Option<&AppliedNotice>,
) -> c2pa::Result<()> {
    let disclosure = match statement {
        Statement::Disclose(d) => d,
        Statement::Publish { organisation } => {
            // Edit intent: c2pa records `c2pa.opened` with the received
            // file as the parent ingredient.
            builder.set_intent(BuilderIntent::Edit);
            add_notice(builder, notice)?;
            builder.add_action(json!({
                "action": PUBLISHED_ACTION,
                "description": format!("published by {organisation}"),
            }))?;
            return Ok(());
        }
    };
    let dst = disclosure.ai.iptc_uri();
    let mut action = json!({ "digitalSourceType": dst });
    if let Some(g) = &disclosure.generator {
        action["softwareAgent"] = software_agent(g);
    }
    if has_parent {
        builder.set_intent(BuilderIntent::Edit);
        action["action"] = json!("c2pa.edited");
        action["description"] = json!(match disclosure.ai {
            AiInvolvement::Edited | AiInvolvement::Composite => "edited with an AI system",
            AiInvolvement::Generated | AiInvolvement::Algorithmic => "AI disclosure added",
        });
    } else {
        builder.set_intent(BuilderIntent::Create(source_type(disclosure.ai)));
        action["action"] = json!("c2pa.created");
    }
    builder.add_action(action)?;
    add_notice(builder, notice)?;
    builder.add_assertion(DISCLOSURE_LABEL, &disclosure_assertion(disclosure))?;
    if let Some(tm) = disclosure.training_mining {
        builder.add_assertion(TRAINING_MINING_LABEL, &training_mining(tm))?;
    }
    Ok(())
}

/// The C2PA action a distributor's manifest records.
pub const PUBLISHED_ACTION: &str = "c2pa.published";

/// Records a perceivable notice added to the content: it changed the
/// content, so it is a `c2pa.edited` action that says so, plus the
/// notice's own record.
fn add_notice(builder: &mut Builder, notice: Option<&AppliedNotice>) -> c2pa::Result<()> {
    let Some(n) = notice else {
        return Ok(());
    };
    builder.add_action(json!({
        "action": "c2pa.edited",
        "description": format!("added a perceivable AI notice: {}", n.summary()),
    }))?;
    builder.add_assertion(NOTICE_LABEL, n)?;
    Ok(())
}

fn source_type(ai: AiInvolvement) -> DigitalSourceType {
    match ai {
        AiInvolvement::Generated => DigitalSourceType::TrainedAlgorithmicMedia,
        AiInvolvement::Edited => DigitalSourceType::CompositeWithTrainedAlgorithmicMedia,
        AiInvolvement::Composite => DigitalSourceType::CompositeSynthetic,
        AiInvolvement::Algorithmic => DigitalSourceType::AlgorithmicMedia,
    }
}

fn software_agent(g: &Generator) -> Value {
    let mut v = json!({ "name": g.name });
    if let Some(ver) = &g.version {
        v["version"] = json!(ver);
    }
    if let Some(p) = &g.provider {
        // ClaimGeneratorInfo allows extra keys; "provider" is ours.
        v["org.tamga.provider"] = json!(p);
    }
    v
}

fn disclosure_assertion(d: &AiDisclosure) -> Value {
    let mut v = serde_json::to_value(d).unwrap_or_else(|_| json!({}));
    v["schema"] = json!(DISCLOSURE_SCHEMA);
    v["digitalSourceType"] = json!(d.ai.iptc_uri());
    v
}

fn training_mining(tm: TrainingMining) -> Value {
    let entry = json!({ "use": tm.cawg_use() });
    json!({ "entries": {
        "cawg.ai_generative_training": entry,
        "cawg.ai_inference": entry,
        "cawg.ai_training": entry,
        "cawg.data_mining": entry,
    }})
}

/// What a manifest discloses about AI, read back from any C2PA tool's output.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundDisclosure {
    /// How AI was involved, when the digital source type is an AI one.
    pub ai: Option<AiInvolvement>,
    /// The digital source type URI as written (AI or not).
    pub digital_source_type: Option<String>,
    /// The C2PA action that carried it, e.g. `c2pa.created`.
    pub action: Option<String>,
    /// The software agent of that action.
    pub generator: Option<Generator>,
    /// The responsible organisation: tamga's field, else the signer's organisation.
    pub organisation: Option<String>,
    /// Human review, when the label states it.
    pub human_review: Option<HumanReview>,
    /// The human-readable notice by language.
    pub notice: std::collections::BTreeMap<String, String>,
    /// The training/mining preference, when stated.
    pub training_mining: Option<String>,
    /// Whether tamga's own disclosure assertion was present.
    pub tamga_assertion: bool,
    /// The perceivable notice the label records, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub perceivable_notice: Option<AppliedNotice>,
}

impl FoundDisclosure {
    /// Whether the manifest says AI made or changed the content.
    pub fn is_ai(&self) -> bool {
        self.ai.is_some()
    }
}

/// Reads the disclosure from one manifest. Returns `None` when the manifest
/// says nothing about the content's source at all.
pub fn read(manifest: &Manifest) -> Option<FoundDisclosure> {
    let mut found = FoundDisclosure {
        ai: None,
        digital_source_type: None,
        action: None,
        generator: None,
        organisation: manifest.signature_info().and_then(|s| s.issuer.clone()),
        human_review: None,
        notice: Default::default(),
        training_mining: None,
        tamga_assertion: false,
        perceivable_notice: None,
    };
    let mut any = false;
    for assertion in manifest.assertions() {
        let label = assertion.label();
        let Ok(value) = assertion.value() else {
            continue;
        };
        if label.starts_with("c2pa.actions") {
            any |= read_actions(value, &mut found);
        } else if label == DISCLOSURE_LABEL {
            any = true;
            read_tamga(value, &mut found);
        } else if label == NOTICE_LABEL {
            found.perceivable_notice = serde_json::from_value(value.clone()).ok();
        } else if label == TRAINING_MINING_LABEL || label == "c2pa.training-mining" {
            found.training_mining = value
                .pointer("/entries/cawg.ai_generative_training/use")
                .or_else(|| value.pointer("/entries/c2pa.ai_generative_training/use"))
                .and_then(Value::as_str)
                .map(str::to_string);
        }
    }
    any.then_some(found)
}

/// Picks the action that says most about AI: the first with an AI source
/// type, else the first with any source type.
fn read_actions(value: &Value, found: &mut FoundDisclosure) -> bool {
    let Some(actions) = value.get("actions").and_then(Value::as_array) else {
        return false;
    };
    let with_dst: Vec<&Value> = actions
        .iter()
        .filter(|a| a.get("digitalSourceType").is_some())
        .collect();
    let pick = with_dst
        .iter()
        .find(|a| {
            a.get("digitalSourceType")
                .and_then(Value::as_str)
                .and_then(AiInvolvement::from_iptc)
                .is_some()
        })
        .or(with_dst.first());
    let Some(action) = pick else { return false };
    let dst = action.get("digitalSourceType").and_then(Value::as_str);
    // Another tool's AI statement never downgrades one already found.
    if found.ai.is_some() && dst.and_then(AiInvolvement::from_iptc).is_none() {
        return true;
    }
    found.digital_source_type = dst.map(str::to_string);
    found.ai = dst.and_then(AiInvolvement::from_iptc);
    found.action = action
        .get("action")
        .and_then(Value::as_str)
        .map(str::to_string);
    found.generator = action.get("softwareAgent").and_then(read_agent);
    true
}

fn read_agent(v: &Value) -> Option<Generator> {
    match v {
        // Actions v1 wrote the agent as a plain string.
        Value::String(s) => Some(Generator::parse(s)),
        Value::Object(o) => Some(Generator {
            name: o.get("name")?.as_str()?.to_string(),
            version: o.get("version").and_then(Value::as_str).map(str::to_string),
            provider: o
                .get("org.tamga.provider")
                .and_then(Value::as_str)
                .map(str::to_string),
        }),
        _ => None,
    }
}

fn read_tamga(value: &Value, found: &mut FoundDisclosure) {
    found.tamga_assertion = true;
    let Ok(d) = serde_json::from_value::<AiDisclosure>(value.clone()) else {
        return;
    };
    found.ai = found.ai.or(Some(d.ai));
    if found.generator.is_none() {
        found.generator = d.generator;
    }
    if d.organisation.is_some() {
        found.organisation = d.organisation;
    }
    found.human_review = d.human_review;
    found.notice = d.notice;
}
