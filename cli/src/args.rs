//! Every flag, defined once. `--help` comes from these doc comments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use tamga_label::{
    AiInvolvement, Lang, MediaFormat, NoticePosition, NoticeSpan, NoticeStyle, Profile,
    TrainingMining,
};

use crate::arg_values;

/// Signed "AI-generated" labels (C2PA Content Credentials) for images,
/// audio and text, and a verifier for distributors.
///
/// Exit codes: 0 all files passed; 1 some file failed verification or could
/// not be labelled; 2 usage, key or I/O error.
#[derive(Debug, Parser)]
#[command(
    name = "tamga",
    version = crate::version::short(),
    long_version = crate::version::long(),
    about,
    long_about,
    max_term_width = 100
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create and manage signing keys and certificates.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Put a signed AI label into files or whole folders.
    Label(Box<LabelArgs>),
    /// Check labels: unlabelled, trusted, valid-untrusted or invalid.
    Verify(VerifyArgs),
    /// Show a file's whole manifest store.
    Inspect(InspectArgs),
    /// The distributor's gate: publish, fix or reject each file under a
    /// policy (kz, eu, cn or a TOML file), with the clauses behind it.
    ///
    /// Exit code 0 only when every file may be published.
    Check(CheckArgs),
    /// Check files like `check`, then stamp those that pass with your own
    /// signed manifest (c2pa.published), the received file as its parent.
    Publish(Box<PublishArgs>),
    /// Serve verification and labelling over HTTP, with a page for editors.
    Serve(ServeArgs),
    /// Make throwaway keys, label every sample, verify them, print a table.
    Demo(DemoArgs),
    /// Make a disclosure card for consumers from a file's verified label: that AI was used and how, by which system, for whom, with your risk and safe-use lines, a QR code to verify it (Consumer Protection Law art. 27 p.6).
    Disclose(DiscloseArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell) to stdout.
    ///
    /// e.g. `tamga completions bash > ~/.local/share/bash-completion/completions/tamga`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff) to stdout: `tamga man | man -l -`.
    Man,
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

/// `--jobs`, for every command that works on many files at once.
#[derive(Debug, Args, Clone, Copy, Default)]
pub(crate) struct JobsArg {
    /// Worker threads [default: one per core].
    #[arg(short, long, value_name = "N")]
    pub(crate) jobs: Option<usize>,
}

/// `--registry`: where labels are recorded and looked up again
/// (docs/registry.md), for `label`, `verify`, `check` and `publish`.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct RegistryArg {
    /// The label registry: sqlite:PATH or postgres://… (docs/registry.md).
    /// `label` and `publish` record each label in it (a failed registration
    /// fails the file: nothing is written); `verify`, `check` and `publish`'s
    /// gate look up files that arrive without a label [also: `[registry] url`
    /// in the config file].
    #[arg(long, env = "TAMGA_REGISTRY", value_name = "URL")]
    pub(crate) registry: Option<String>,
}

/// `--json`: one versioned document on stdout (docs/json-schema.md).
#[derive(Debug, Args, Clone, Copy, Default)]
pub(crate) struct JsonArg {
    /// Print one versioned JSON document instead of text (schemas in docs/json-schema.md).
    #[arg(long)]
    pub(crate) json: bool,
}

/// The perceivable notice's kind, place and languages, for `label --notice`
/// and `publish --fix`.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct NoticeArgs {
    #[arg(long, value_name = "STYLE", help = crate::help_text::notice_style(), value_parser = arg_values::from_str::<NoticeStyle>)]
    pub(crate) notice_style: Option<NoticeStyle>,
    #[arg(long, value_name = "WHERE", help = crate::help_text::notice_position(), value_parser = arg_values::from_str::<NoticePosition>)]
    pub(crate) notice_position: Option<NoticePosition>,
    /// How long a video's badge stays on screen: seconds from the start (GB 45438 asks for at least 2), or "whole" for every frame (the EU Code of Practice's advice for deep fakes) [default: 2; implies --notice].
    #[arg(long, value_name = "SECONDS|whole", value_parser = arg_values::from_str::<NoticeSpan>)]
    pub(crate) notice_span: Option<NoticeSpan>,
    /// Languages of the notice: kk, ru, en, zh [default: label: by --profile; publish: the policy's notice languages].
    #[arg(long, value_delimiter = ',', value_name = "LANGS", value_parser = arg_values::from_str::<Lang>)]
    pub(crate) notice_lang: Option<Vec<Lang>>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum KeysCommand {
    /// Create a development root CA and an Ed25519 signing certificate.
    Init {
        /// The organisation responsible for the content (goes into the certificates' O=).
        #[arg(long)]
        org: String,
        /// Where to put the keys [default: $XDG_CONFIG_HOME/tamga/keys].
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Encrypt the private keys with the password in TAMGA_KEY_PASSWORD.
        #[arg(long)]
        encrypt: bool,
        /// Signing key algorithm.
        #[arg(long, value_enum, default_value_t = CsrAlg::Ed25519)]
        alg: CsrAlg,
    },
    /// Make a key and a certificate signing request to send to a real CA.
    Csr {
        /// organizationName (O=), required by C2PA validators.
        #[arg(long)]
        org: String,
        /// commonName (CN=) [default: "<org> content signing"].
        #[arg(long)]
        cn: Option<String>,
        /// countryName (C=), e.g. KZ.
        #[arg(long)]
        country: Option<String>,
        /// Key algorithm.
        #[arg(long, value_enum, default_value_t = CsrAlg::Ed25519)]
        alg: CsrAlg,
        /// Directory for `request.csr` and `signing.key`.
        #[arg(long)]
        dir: PathBuf,
    },
    /// Check a key set and show who it signs as.
    Show {
        #[command(flatten)]
        keys: KeyArgs,
        #[command(flatten)]
        json: JsonArg,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum CsrAlg {
    Ed25519,
    P256,
}

/// Where the signing key comes from: a key directory, or an explicit chain
/// and key. Also read from TAMGA_KEYS / TAMGA_CERT / TAMGA_KEY and from the
/// `[keys]` table of $XDG_CONFIG_HOME/tamga/config.toml.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct KeyArgs {
    /// A key directory made by `tamga keys init`.
    #[arg(long, env = "TAMGA_KEYS", value_name = "DIR")]
    pub(crate) keys: Option<PathBuf>,
    /// A PEM certificate chain (end-entity first), instead of --keys.
    #[arg(long, env = "TAMGA_CERT", value_name = "PEM", requires = "key")]
    pub(crate) cert: Option<PathBuf>,
    /// The PKCS#8 PEM private key for --cert.
    #[arg(long, env = "TAMGA_KEY", value_name = "PEM", requires = "cert")]
    pub(crate) key: Option<PathBuf>,
    /// A config file [default: $XDG_CONFIG_HOME/tamga/config.toml].
    #[arg(long, env = "TAMGA_CONFIG", value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct LabelArgs {
    /// Files or directories (searched recursively); `-` reads a text from
    /// standard input and writes the labelled text to standard output.
    /// Symbolic links are followed (loops are detected). Hidden files are
    /// left out of walked directories; anything else that cannot be read as
    /// a file (a FIFO, socket, device, dangling link or loop) is reported as
    /// an error entry, never skipped.
    #[arg(required = true)]
    pub(crate) paths: Vec<PathBuf>,
    /// Treat inputs as this format instead of detecting it, e.g. `text` for
    /// UTF-8 text with an extension other than .txt/.md.
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    pub(crate) format: Option<MediaFormat>,
    /// How AI was involved.
    #[arg(long, value_parser = arg_values::ai())]
    pub(crate) ai: AiInvolvement,
    /// The AI system and version, e.g. "Model 2.1".
    #[arg(long)]
    pub(crate) generator: Option<String>,
    /// Who provides the AI system.
    #[arg(long)]
    pub(crate) provider: Option<String>,
    /// The organisation responsible [default: the signing certificate's O=].
    #[arg(long)]
    pub(crate) org: Option<String>,
    /// A person reviewed it under editorial responsibility (EU AI Act art. 50(4)); name who holds it.
    #[arg(long, value_name = "WHO", conflicts_with = "not_reviewed")]
    pub(crate) reviewed_by: Option<String>,
    /// State explicitly that no person reviewed it.
    #[arg(long)]
    pub(crate) not_reviewed: bool,
    /// The jurisdiction to label for: kz (kk,ru,en notices), eu (en), cn (zh notices and the GB 45438 AIGC label).
    #[arg(long, value_parser = arg_values::profile())]
    pub(crate) profile: Option<Profile>,
    /// Write the GB 45438 AIGC implicit label [default: on under --profile cn].
    #[arg(long)]
    pub(crate) aigc: bool,
    /// Do not write the AIGC label, even under --profile cn.
    #[arg(long)]
    pub(crate) no_aigc: bool,
    /// The AIGC label's ContentProducer [default: the signing certificate's O=, sanitized].
    #[arg(long, value_name = "CODE")]
    pub(crate) aigc_producer: Option<String>,
    /// The AIGC label's ProduceID [default: a random ID per file].
    #[arg(long, value_name = "ID")]
    pub(crate) aigc_id: Option<String>,
    /// Do not write the IPTC digital source type and AI system fields into XMP.
    #[arg(long)]
    pub(crate) no_xmp: bool,
    /// Also add a notice people can perceive (a line in texts), recorded in the manifest.
    /// HEIC/AVIF badges need libheif 1.14+ at run time (TAMGA_LIBHEIF names its file).
    /// The notice's languages (--notice-lang) also go into the manifest.
    #[arg(long)]
    pub(crate) notice: bool,
    #[command(flatten)]
    pub(crate) notice_args: NoticeArgs,
    /// Training and data-mining preference (cawg.training-mining).
    #[arg(long, value_parser = arg_values::training_mining())]
    pub(crate) training_mining: Option<TrainingMining>,
    /// Embed tamga's invisible watermark before signing, in images (JPEG, PNG, WebP, TIFF, BMP:
    /// a faint keyed pattern, PSNR at least 40 dB, that survives re-encoding, resizing and
    /// cropping) and audio (WAV, FLAC, MP3, M4A: shaped under the sound, SNR at least 25 dB; MP3
    /// and M4A are re-encoded once), so a copy that lost its label can be traced back through
    /// the registry [default: on under --profile eu].
    #[arg(long, conflicts_with = "no_watermark")]
    pub(crate) watermark: bool,
    /// Do not embed the invisible watermark, even under --profile eu.
    #[arg(long)]
    pub(crate) no_watermark: bool,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
    #[command(flatten)]
    pub(crate) keys: KeyArgs,
    /// Output file (one input) or directory (several inputs or a directory).
    #[arg(short, long, conflicts_with = "in_place")]
    pub(crate) output: Option<PathBuf>,
    /// Replace the inputs with their labelled versions.
    #[arg(long)]
    pub(crate) in_place: bool,
    /// Write a detached FILE.c2pa manifest beside the output instead of embedding.
    #[arg(long)]
    pub(crate) sidecar: bool,
    /// Thumbnail long edge in pixels; 0 turns thumbnails off.
    #[arg(long, default_value_t = 256, value_name = "PX")]
    pub(crate) thumbnail: u32,
    /// RFC 3161 time-stamp authority: labels then stay valid after the signing certificate expires [also: `[label] tsa` in the config file].
    #[arg(long, env = "TAMGA_TSA", value_name = "URL")]
    pub(crate) tsa: Option<String>,
    #[command(flatten)]
    pub(crate) registry: RegistryArg,
    #[command(flatten)]
    pub(crate) jobs: JobsArg,
    #[command(flatten)]
    pub(crate) json: JsonArg,
}

/// What decoding a file for --notice may cost; past a limit the file is
/// refused (exit 1) and nothing is written. Also read from the `[limits]`
/// table of the config file (max_pixels, max_decoded_mb, max_frames,
/// max_audio_seconds); the flags win.
#[derive(Debug, Args, Clone, Copy, Default)]
pub(crate) struct LimitArgs {
    /// Most pixels in one image or frame [default: 268435456, 16384×16384].
    #[arg(long, value_name = "N")]
    pub(crate) max_pixels: Option<u64>,
    /// Most megabytes of decoded pixels per file, all frames together [default: 2048].
    #[arg(long, value_name = "MB")]
    pub(crate) max_decoded_mb: Option<u64>,
    /// Most frames in an animated image [default: 10000].
    #[arg(long, value_name = "N")]
    pub(crate) max_frames: Option<u64>,
    /// Longest audio or video, in seconds [default: 86400, a day].
    #[arg(long, value_name = "SECONDS")]
    pub(crate) max_audio_seconds: Option<u64>,
    /// Base seconds of work on one file [default: 30; config: timeout_secs
    /// in [limits]]. Time for its size (1 s per 20 MB), pixels (0.5 s per
    /// MP, 3 s for HEIC/AVIF), audio (1 s per 30 s) and re-encoded video
    /// (150 ms per MP of each frame for H.264, more for HEVC, VP9, AV1)
    /// comes on top.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) timeout: Option<u64>,
}

impl LimitArgs {
    /// The flags as a `[limits]` table, to lay over the config file's.
    pub(crate) fn table(&self) -> tamga_label::LimitsTable {
        tamga_label::LimitsTable {
            max_pixels: self.max_pixels,
            max_decoded_mb: self.max_decoded_mb,
            max_frames: self.max_frames,
            max_audio_seconds: self.max_audio_seconds,
            timeout_secs: self.timeout,
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct TrustArgs {
    /// PEM bundle of trust anchors (root CAs) whose signers count as trusted.
    #[arg(long, env = "TAMGA_TRUST", value_name = "PEM")]
    pub(crate) trust: Option<PathBuf>,
    /// PEM bundle of individually allowed signing certificates.
    #[arg(long, env = "TAMGA_ALLOWED", value_name = "PEM")]
    pub(crate) allowed: Option<PathBuf>,
    /// Labels stored at a URL (the file's XMP dcterms:provenance): `skip`
    /// reports them as `remote`, not verified; `fetch` downloads them
    /// (https only, or http on this machine's loopback; 20 s, 16 MB each,
    /// each URL once per run) and verifies them against the file.
    #[arg(long, env = "TAMGA_REMOTE", value_enum, default_value_t = RemoteMode::Skip)]
    pub(crate) remote: RemoteMode,
    /// Search unlabelled images (JPEG, PNG, WebP, TIFF, BMP) and audio (WAV, FLAC, MP3, M4A)
    /// for tamga's invisible watermark, as is always done with --registry: it finds labels lost
    /// on the way, at about 0.1-0.5 s per unlabelled file.
    #[arg(long)]
    pub(crate) find_watermarks: bool,
}

/// What `--remote` does with a remote label.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum RemoteMode {
    /// Report it as `remote`, unverified.
    Skip,
    /// Fetch and verify it.
    Fetch,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// Files or directories (searched recursively); `-` reads a text from
    /// standard input.
    /// Symbolic links are followed (loops are detected). Hidden files are
    /// left out of walked directories; anything else that cannot be read as
    /// a file (a FIFO, socket, device, dangling link or loop) is reported as
    /// an error entry, never skipped.
    #[arg(required = true)]
    pub(crate) paths: Vec<PathBuf>,
    /// Treat inputs as this format instead of detecting it (e.g. `text`).
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    pub(crate) format: Option<MediaFormat>,
    #[command(flatten)]
    pub(crate) trust: TrustArgs,
    #[command(flatten)]
    pub(crate) registry: RegistryArg,
    #[command(flatten)]
    pub(crate) json: JsonArg,
    #[command(flatten)]
    pub(crate) jobs: JobsArg,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Files, directories (searched recursively, honouring .gitignore and
    /// .ignore files) or glob patterns.
    /// Symbolic links are followed (loops are detected). Hidden files are
    /// left out of walked directories; anything else that cannot be read as
    /// a file (a FIFO, socket, device, dangling link or loop) is reported as
    /// an rejected entry, never skipped.
    #[arg(required = true)]
    pub(crate) paths: Vec<PathBuf>,
    /// The policy: kz, eu, cn, or a TOML file (schema in docs/policy.md).
    #[arg(long, env = "TAMGA_POLICY", value_name = "kz|eu|cn|FILE")]
    pub(crate) policy: String,
    #[command(flatten)]
    pub(crate) trust: TrustArgs,
    /// The uploader's declarations for the batch: a CSV (path,ai[,note]) or
    /// JSON file saying which files are AI-made.
    #[arg(long, value_name = "FILE")]
    pub(crate) declarations: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) registry: RegistryArg,
    #[command(flatten)]
    pub(crate) json: JsonArg,
    /// Also write a JUnit XML report, one test case per file.
    #[arg(long, value_name = "FILE")]
    pub(crate) junit: Option<PathBuf>,
    /// Also write a self-contained HTML report for editors.
    #[arg(long, value_name = "FILE")]
    pub(crate) html: Option<PathBuf>,
    /// The HTML report's language: kk, ru or en [default: the policy's first notice language it speaks (kz: kk, eu: en), else en].
    #[arg(long, value_name = "LANG", value_parser = parse_report_lang)]
    pub(crate) lang: Option<tamga_gate::ReportLang>,
    #[command(flatten)]
    pub(crate) jobs: JobsArg,
}

fn parse_report_lang(s: &str) -> Result<tamga_gate::ReportLang, String> {
    tamga_gate::ReportLang::from_code(s)
        .ok_or_else(|| format!("unknown report language {s:?} (kk, ru, en)"))
}

#[derive(Debug, Args)]
// The notice flags are shared with `label`; here they only mean something
// with --fix, which says so at parse time.
#[command(
    mut_arg("notice_style", |a| a.requires("fix")),
    mut_arg("notice_position", |a| a.requires("fix")),
    mut_arg("notice_span", |a| a.requires("fix")),
    mut_arg("notice_lang", |a| a.requires("fix"))
)]
pub(crate) struct PublishArgs {
    /// Files, directories (searched recursively, honouring .gitignore and
    /// .ignore files) or glob patterns.
    /// Symbolic links are followed (loops are detected). Hidden files are
    /// left out of walked directories; anything else that cannot be read as
    /// a file (a FIFO, socket, device, dangling link or loop) is reported as
    /// an rejected entry, never skipped.
    #[arg(required = true)]
    pub(crate) paths: Vec<PathBuf>,
    /// The policy: kz, eu, cn, or a TOML file (schema in docs/policy.md).
    #[arg(
        long,
        env = "TAMGA_POLICY",
        value_name = "kz|eu|cn|FILE",
        default_value = "kz"
    )]
    pub(crate) policy: String,
    /// The producers' trust anchors (and allowed signers) the gate checks against.
    #[command(flatten)]
    pub(crate) trust: TrustArgs,
    /// Your own signing key: the distributor's.
    #[command(flatten)]
    pub(crate) keys: KeyArgs,
    /// RFC 3161 time-stamp authority for the publication stamp [also: `[label] tsa` in the config file].
    #[arg(long, env = "TAMGA_TSA", value_name = "URL")]
    pub(crate) tsa: Option<String>,
    /// Decoding limits for the notice `--fix` adds.
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
    /// The uploader's declarations for the batch (CSV or JSON, as for `check`).
    #[arg(long, value_name = "FILE")]
    pub(crate) declarations: Option<PathBuf>,
    /// Add the perceivable notice to AI content that lacks one, then publish it.
    #[arg(long)]
    pub(crate) fix: bool,
    /// Re-attach labels stripped in transit: a file the gate found in the
    /// registry (--registry) is published with the label it lost as its
    /// parent ingredient, so the chain from the producer is whole again.
    /// Where the policy wants a notice on AI content and the label records
    /// none, add --fix too. The publication is recorded in the registry.
    #[arg(long)]
    pub(crate) reattach: bool,
    /// Personal data to take out before publishing: gps, device, identity, prompts, ingredient-thumbnails, or personal for all. From the file's EXIF and XMP (pixels untouched) and, the C2PA way, from earlier manifests (listed as redacted, so the producer's signature still validates). The AI disclosure is never redacted [default: the policy's [privacy] redact].
    #[arg(long, value_delimiter = ',', value_name = "KINDS", value_parser = parse_redact)]
    pub(crate) redact: Option<Vec<Vec<tamga_label::privacy::PrivacyKind>>>,
    /// The notice --fix adds (these flags need --fix).
    #[command(flatten)]
    pub(crate) notice: NoticeArgs,
    /// GB 45438 ContentPropagator, when the policy hands the AIGC label on [default: your certificate's O=, sanitized].
    #[arg(long, value_name = "CODE")]
    pub(crate) aigc_propagator: Option<String>,
    /// GB 45438 PropagateID [default: a random ID per file].
    #[arg(long, value_name = "ID")]
    pub(crate) aigc_propagate_id: Option<String>,
    /// The output directory (or file, for one input file).
    #[arg(short, long, required = true)]
    pub(crate) output: PathBuf,
    /// Thumbnail long edge in pixels; 0 turns thumbnails off.
    #[arg(long, default_value_t = 256, value_name = "PX")]
    pub(crate) thumbnail: u32,
    #[command(flatten)]
    pub(crate) registry: RegistryArg,
    #[command(flatten)]
    pub(crate) json: JsonArg,
    #[command(flatten)]
    pub(crate) jobs: JobsArg,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The configuration file (TOML; docs/serve.md). TAMGA_LISTEN, TAMGA_TRUST,
    /// TAMGA_KEYS, TAMGA_SERVE_TOKENS, TAMGA_TSA and TAMGA_REGISTRY override it.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// The file (several with --privacy).
    #[arg(required = true, num_args = 1..)]
    pub(crate) files: Vec<PathBuf>,
    /// List what in each file could identify a person (GPS, serial numbers, names, identities, prompts, ingredient thumbnails) and where it sits, instead of the manifest store.
    #[arg(long)]
    pub(crate) privacy: bool,
    #[command(flatten)]
    pub(crate) trust: TrustArgs,
    #[command(flatten)]
    pub(crate) json: JsonArg,
}

#[derive(Debug, Args)]
pub(crate) struct DiscloseArgs {
    /// The files to make cards for.
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
    /// Languages, in order: kk, ru, en.
    #[arg(long, value_delimiter = ',', default_value = "kk,ru,en", value_parser = parse_card_lang)]
    pub(crate) lang: Vec<tamga_disclose::Lang>,
    /// html (to print or show beside a product), md, json, svg or png (a label for packaging; the PNG 1800 px wide at 600 dpi).
    #[arg(long, default_value = "html", value_parser = parse_card_format)]
    pub(crate) format: tamga_disclose::Format,
    /// Your risk and safe-use lines per language (a TOML file: [kk] risks = [...], safe_use = [...]).
    #[arg(long, value_name = "FILE")]
    pub(crate) risks: Option<PathBuf>,
    /// Where the label can be verified (your `tamga serve` page); it goes into the QR code.
    #[arg(long, value_name = "URL")]
    pub(crate) verify_url: Option<String>,
    /// For a file without a label: the facts, as ai=generated|edited|composite,system=NAME,org=NAME,reviewed=yes|no.
    #[arg(long, value_name = "FACTS", value_parser = parse_declared)]
    pub(crate) declare: Option<DeclaredFacts>,
    /// The card (one file) or a folder of cards (several).
    #[arg(short, long)]
    pub(crate) output: PathBuf,
    #[command(flatten)]
    pub(crate) trust: TrustArgs,
}

/// `--declare`'s facts (Clone for clap).
#[derive(Debug, Clone)]
pub(crate) struct DeclaredFacts(pub(crate) std::sync::Arc<tamga_disclose::Declared>);

fn parse_card_lang(tag: &str) -> Result<tamga_disclose::Lang, String> {
    tamga_disclose::Lang::parse(tag).ok_or_else(|| "one of kk, ru, en".to_string())
}

fn parse_card_format(name: &str) -> Result<tamga_disclose::Format, String> {
    tamga_disclose::Format::parse(name).ok_or_else(|| "one of html, md, json, svg, png".to_string())
}

fn parse_declared(text: &str) -> Result<DeclaredFacts, String> {
    let mut d = tamga_disclose::Declared::default();
    for pair in text.split(',') {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| format!("`{pair}`: expected key=value"))?;
        match k.trim() {
            "ai" => {
                d.ai = Some(match v.trim() {
                    "generated" => tamga_label::AiInvolvement::Generated,
                    "edited" => tamga_label::AiInvolvement::Edited,
                    "composite" => tamga_label::AiInvolvement::Composite,
                    other => {
                        return Err(format!("ai={other}: one of generated, edited, composite"))
                    }
                })
            }
            "system" => d.system = Some(v.trim().to_string()),
            "org" => d.organisation = Some(v.trim().to_string()),
            "reviewed" => d.reviewed = Some(matches!(v.trim(), "yes" | "true")),
            other => return Err(format!("unknown fact `{other}`: ai, system, org, reviewed")),
        }
    }
    if d.ai.is_none() {
        return Err("ai=generated|edited|composite is required".into());
    }
    Ok(DeclaredFacts(std::sync::Arc::new(d)))
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// The samples folder.
    #[arg(long, default_value = "samples")]
    pub(crate) samples: PathBuf,
    /// Where to write throwaway keys and labelled copies.
    #[arg(long, default_value = "out/demo")]
    pub(crate) out: PathBuf,
}

/// One `--redact` word: a kind, or `personal` for every kind.
pub(crate) fn parse_redact(word: &str) -> Result<Vec<tamga_label::privacy::PrivacyKind>, String> {
    use tamga_label::privacy::PrivacyKind;
    if word == "personal" {
        return Ok(PrivacyKind::ALL.to_vec());
    }
    PrivacyKind::parse(word).map(|k| vec![k]).ok_or_else(|| {
        let names: Vec<&str> = PrivacyKind::ALL.iter().map(|k| k.name()).collect();
        format!(
            "unknown kind; one of: {}, or personal for all",
            names.join(", ")
        )
    })
}

fn parse_format(name: &str) -> Result<MediaFormat, String> {
    MediaFormat::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = MediaFormat::ALL.iter().map(|f| f.name()).collect();
        format!("unknown format; one of: {}", names.join(", "))
    })
}

#[cfg(test)]
// A test's unwrap that fails is a failing test, which is the point.
#[allow(clippy::unwrap_used)]
mod tests {
    use clap::Parser as _;

    use super::*;

    fn label(extra: &[&str]) -> Result<LabelArgs, clap::Error> {
        let mut argv = vec!["tamga", "label", "x.flac", "--ai", "generated", "-o", "y"];
        argv.extend_from_slice(extra);
        match Cli::try_parse_from(argv)?.command {
            Command::Label(l) => Ok(*l),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn timeout_sets_the_per_file_deadline_and_zero_is_refused() {
        let l = label(&["--timeout", "3600"]).unwrap();
        assert_eq!(
            l.limits.table().deadline(),
            Some(std::time::Duration::from_secs(3600))
        );
        assert_eq!(label(&[]).unwrap().limits.table().deadline(), None);
        assert!(label(&["--timeout", "0"]).is_err());
    }

    #[test]
    fn limit_flags_become_a_limits_table() {
        let l = label(&["--max-pixels", "100", "--max-audio-seconds", "60"]).unwrap();
        let t = l.limits.table();
        assert_eq!((t.max_pixels, t.max_audio_seconds), (Some(100), Some(60)));
        assert_eq!(t.max_frames, None);
    }
}
