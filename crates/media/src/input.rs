//! Opening an untrusted input: content sniffing, size limit, structural check.

use std::{
    fs::{File, FileType, Metadata},
    io::{Cursor, Read, Seek, SeekFrom},
    path::{Path, PathBuf},
};

use crate::{guard, MediaError, MediaFormat};

/// Limits applied to every input before a parser sees it.
#[derive(Debug, Clone, Copy)]
pub struct InputLimits {
    /// Largest file accepted, in bytes.
    pub max_bytes: u64,
    /// Largest text accepted, in bytes. Text is held in memory whole (the
    /// NFC check, wrapper search and hash need every byte), so its limit is
    /// lower than for media, which is streamed.
    pub max_text_bytes: u64,
    /// Structural walk limits.
    pub structure: guard::Limits,
    /// What decoding the content for a perceivable notice may cost.
    pub decode: crate::DecodeLimits,
}

impl Default for InputLimits {
    fn default() -> Self {
        Self {
            max_bytes: 8 << 30,
            max_text_bytes: 1 << 30,
            structure: guard::Limits::default(),
            decode: crate::DecodeLimits::default(),
        }
    }
}

/// An input file that passed the pre-checks.
#[derive(Debug)]
pub struct Input {
    /// What the content is (sniffed, or as the caller forced it).
    pub format: MediaFormat,
    /// Its size in bytes.
    pub len: u64,
    /// What the user should know: a misleading extension, a text
    /// recognised by its wrapper alone.
    pub warnings: Vec<String>,
    /// The file's bytes, so that whoever reads it next does not open it
    /// again (the position is wherever the checks left it).
    pub source: Source,
}

/// Files up to this size are read into memory whole, with one read.
///
/// The parsers that walk a file (the structural guard, tamga-meta, c2pa's
/// asset handlers) read it a header at a time with a seek before each: a
/// 300 KB PNG took ~180 reads and ~160 seeks, as much time in the kernel as
/// c2pa spent hashing it. In memory they cost nothing. Past this size the
/// file is read where it lies, so memory stays bounded per worker thread
/// (c2pa's own hashing buffers come on top of it either way). It was 4 MB:
/// on multi-megabyte camera JPEGs, whose few segments make few reads,
/// holding them too only added a copy (c2pa's JPEG handler reads the whole
/// stream into its own buffer anyway), and 300 such files peaked at 89 MB
/// against 76 MB at 1 MB.
pub const IN_MEMORY_BYTES: u64 = 1 << 20;

/// An input's bytes: in memory when small ([`IN_MEMORY_BYTES`]), else the
/// open file.
#[derive(Debug)]
pub enum Source {
    /// A small file, read whole.
    Memory(Cursor<Vec<u8>>),
    /// A large file, read where it lies.
    File(File),
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Self::Memory(c) => c.read(buf),
            Self::File(f) => f.read(buf),
        }
    }

    // c2pa's JPEG handler reads the whole stream with `read_to_end`, twice
    // per file. Without these the default grows the vector from 8 KB by
    // doubling, each step a fresh zeroed allocation and a copy: a third of
    // a single 2.7 MB verify went to those page faults. `Cursor` and `File`
    // reserve the exact remaining length once.
    fn read_to_end(&mut self, buf: &mut Vec<u8>) -> std::io::Result<usize> {
        match self {
            Self::Memory(c) => c.read_to_end(buf),
            Self::File(f) => f.read_to_end(buf),
        }
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> std::io::Result<()> {
        match self {
            Self::Memory(c) => c.read_exact(buf),
            Self::File(f) => f.read_exact(buf),
        }
    }
}

impl Seek for Source {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        match self {
            Self::Memory(c) => c.seek(pos),
            Self::File(f) => f.seek(pos),
        }
    }
}

/// Whether the ID3v2 tag at the start of `head` is followed by `fLaC`.
fn flac_after_id3(file: &mut Source, head: &[u8]) -> bool {
    let Some(tag) = tamga_meta::Id3v2Header::parse(head) else {
        return false;
    };
    let mut magic = [0u8; 4];
    file.seek(SeekFrom::Start(tag.tag_len())).is_ok()
        && file.read_exact(&mut magic).is_ok()
        && &magic == b"fLaC"
}

/// Opens `path`, detects its format (or takes `forced`), and runs the
/// structural check.
///
/// Binary formats are recognised from their bytes. Text has no magic
/// number, so it is taken only when the extension says so (`.txt`, `.md`)
/// or the caller forces it: a stray `notes.mp3` full of words stays
/// "unrecognised" rather than quietly becoming a labelled text.
pub fn open(
    path: &Path,
    limits: &InputLimits,
    forced: Option<MediaFormat>,
) -> Result<Input, MediaError> {
    open_as(path, path, limits, forced)
}

/// [`open`] for a file that reports and errors call `name` (an upload
/// stored under a name of the server's choosing), so that the path where
/// it lies never reaches whoever sent it. `name`'s extension marks text.
pub fn open_as(
    path: &Path,
    name: &Path,
    limits: &InputLimits,
    forced: Option<MediaFormat>,
) -> Result<Input, MediaError> {
    let io = |e| MediaError::io(name, e);
    let (mut file, meta) = open_regular(path, name)?;
    let len = meta.len();
    check_size(name, len, limits.max_bytes)?;
    let source = if len <= IN_MEMORY_BYTES {
        let mut all = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        file.read_to_end(&mut all).map_err(io)?;
        Source::Memory(Cursor::new(all))
    } else {
        Source::File(file)
    };
    examine(name, source, len, limits, forced)
}

/// Opens `path` for reading if it is a regular file (after following
/// symbolic links), with errors naming `name`.
///
/// The type is checked on the open descriptor, not the path, so nothing can
/// be swapped in between. The open itself must not block: opening a FIFO
/// for reading waits for a writer forever, which no per-file deadline
/// covers. `O_NONBLOCK` makes it return at once; on the regular files it
/// lets through the flag changes nothing.
pub fn open_regular(path: &Path, name: &Path) -> Result<(File, Metadata), MediaError> {
    let io = |e| MediaError::io(name, e);
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if meta.is_dir() {
        return Err(MediaError::io(
            name,
            std::io::Error::other("is a directory"),
        ));
    }
    if !meta.is_file() {
        return Err(MediaError::NotRegularFile {
            path: name.into(),
            kind: file_kind(&meta.file_type()),
        });
    }
    Ok((file, meta))
}

/// What a file type is, in the words reports use ("FIFO", "socket"…).
pub fn file_kind(file_type: &FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return "FIFO";
        }
        if file_type.is_socket() {
            return "socket";
        }
        if file_type.is_char_device() {
            return "character device";
        }
        if file_type.is_block_device() {
            return "block device";
        }
    }
    if file_type.is_dir() {
        "directory"
    } else if file_type.is_symlink() {
        "symbolic link"
    } else if file_type.is_file() {
        "regular file"
    } else {
        "special file"
    }
}

/// [`open`] for bytes already in memory (an upload): `name` stands for
/// them in reports and errors, and its extension marks text as for a file.
pub fn from_bytes(
    name: &Path,
    bytes: Vec<u8>,
    limits: &InputLimits,
    forced: Option<MediaFormat>,
) -> Result<Input, MediaError> {
    let len = bytes.len() as u64;
    check_size(name, len, limits.max_bytes)?;
    examine(
        name,
        Source::Memory(Cursor::new(bytes)),
        len,
        limits,
        forced,
    )
}

/// Detects the format of `source` and runs the structural check.
fn examine(
    path: &Path,
    mut source: Source,
    len: u64,
    limits: &InputLimits,
    forced: Option<MediaFormat>,
) -> Result<Input, MediaError> {
    let io = |e| MediaError::io(path, e);
    let mut head = Vec::with_capacity(4096);
    (&mut source)
        .take(4096)
        .read_to_end(&mut head)
        .map_err(io)?;
    let claimed = MediaFormat::from_extension(path);
    let mut warnings = Vec::new();
    let mut format = forced
        .or_else(|| MediaFormat::sniff(&head))
        .or(claimed.filter(|c| c.is_text()));
    if format.is_none()
        && len <= limits.max_text_bytes
        && has_text_label(&mut source).map_err(io)?
    {
        // A labelled text says what it is by its C2PA text wrapper, whatever
        // it is called: `story.html`, `post` or a name a CMS chose.
        format = Some(MediaFormat::Text);
        warnings.push(
            "recognised as a labelled text by its C2PA text label (the file name does not say text)"
                .to_string(),
        );
    }
    let mut format = format.ok_or_else(|| MediaError::UnknownFormat { path: path.into() })?;
    if format == MediaFormat::Mp3 && forced.is_none() && flac_after_id3(&mut source, &head) {
        // c2pa embeds its manifest in FLAC as an ID3v2 tag in front of
        // `fLaC`: a labelled FLAC is still FLAC.
        format = MediaFormat::Flac;
    }
    if format.is_text() {
        check_size(path, len, limits.max_text_bytes)?;
    }
    if let (Some(claimed), None) = (claimed, forced) {
        if claimed != format {
            warnings.push(format!(
                "the extension says {claimed} but the content is {format}; treated as {format}"
            ));
        }
    }
    guard::check(&mut source, len, format, limits.structure).map_err(|source| {
        MediaError::Malformed {
            path: path.into(),
            source,
        }
    })?;
    Ok(Input {
        format,
        len,
        warnings,
        source,
    })
}

/// Whether `source`, read whole, is UTF-8 text carrying a C2PA text
/// wrapper (intact or damaged): the one mark text has of being labelled.
fn has_text_label(source: &mut Source) -> std::io::Result<bool> {
    let mut all = Vec::new();
    source.rewind()?;
    source.read_to_end(&mut all)?;
    source.rewind()?;
    if std::str::from_utf8(&all).is_err() {
        return Ok(false);
    }
    let scan = tamga_text::scan(&all);
    Ok(!scan.wrappers.is_empty() || !scan.corrupted.is_empty())
}

/// The checks [`open`] makes on a file's size, for a text held in memory.
pub fn check_text_size(path: &Path, text: &[u8], limits: &InputLimits) -> Result<(), MediaError> {
    check_size(path, text.len() as u64, limits.max_text_bytes)
}

fn check_size(path: &Path, len: u64, limit: u64) -> Result<(), MediaError> {
    if len == 0 {
        return Err(MediaError::Empty { path: path.into() });
    }
    if len > limit {
        return Err(MediaError::TooLarge {
            path: path.into(),
            size: len,
            limit,
        });
    }
    Ok(())
}

/// The sidecar manifest paths `verify` looks for beside `path`:
/// `photo.bmp.c2pa` (what tamga writes) and `photo.c2pa` (c2patool's habit).
pub fn sidecar_candidates(path: &Path) -> [PathBuf; 2] {
    let mut full = path.as_os_str().to_owned();
    full.push(".c2pa");
    [PathBuf::from(full), path.with_extension("c2pa")]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_reads_give_the_rest_from_the_position_for_both_kinds() {
        let bytes: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.bin");
        std::fs::write(&path, &bytes).unwrap();
        let sources = [
            Source::Memory(Cursor::new(bytes.clone())),
            Source::File(File::open(&path).unwrap()),
        ];
        for mut source in sources {
            source.seek(SeekFrom::Start(10)).unwrap();
            let mut head = [0u8; 5];
            source.read_exact(&mut head).unwrap();
            assert_eq!(head, bytes[10..15]);
            let mut rest = vec![7u8];
            assert_eq!(source.read_to_end(&mut rest).unwrap(), bytes.len() - 15);
            assert_eq!(rest[0], 7, "appends, as read_to_end must");
            assert_eq!(rest[1..], bytes[15..]);
            assert!(source.read_exact(&mut head).is_err());
        }
    }
}
