//! SVG: the text is UTF-8 XML up to its size limit.

use std::io::{Read, Seek, SeekFrom};

use super::{bad, Rule, Walk, Walker};

impl<R: Read + Seek> Walker<'_, R> {
    pub(super) fn svg(&mut self) -> Walk {
        // Entity declarations are how XML bombs start; no real SVG from an
        // image tool needs them.
        self.r.seek(SeekFrom::Start(0))?;
        let mut head = Vec::new();
        self.r.by_ref().take(64 * 1024).read_to_end(&mut head)?;
        let text = String::from_utf8_lossy(&head);
        if text.contains("<!ENTITY") {
            return bad(None, Rule::SvgEntities);
        }
        Ok(())
    }
}
