//! libheif's C API, opened at run time: the only unsafe code in tamga's
//! own crates.
//!
//! Every C declaration below is copied from libheif 1.14/1.15's public
//! `heif.h` (Debian bookworm: `/usr/include/x86_64-linux-gnu/libheif/heif.h`,
//! 1.15.1); libheif keeps these signatures stable across 1.x, where it only
//! adds functions and extends option structs tamga never passes (it gives
//! NULL for every options pointer). C enums are `int` in that ABI, so they
//! are declared as [`c_int`]. The library is checked to be 1.14 or newer
//! before any other function is called.
//!
//! The invariants every `unsafe` block relies on:
//! - the function pointers in [`Api`] were resolved from a library that stays
//!   loaded for the rest of the process (it is leaked, never closed), with
//!   the exact C signature of the header;
//! - every `heif_*` object pointer held by a wrapper came non-NULL from the
//!   libheif call that creates it, is owned by exactly one wrapper, and is
//!   released once, in that wrapper's `Drop`;
//! - memory libheif reads from (the input file, metadata, profiles, pixels
//!   written into a plane) is a live Rust slice for the whole call, and the
//!   input file outlives its [`Context`] through the `'a` lifetime;
//! - memory libheif writes into is allocated at the size libheif reported
//!   for it first.

#![allow(unsafe_code)]

use std::{
    ffi::{c_int, c_void, CStr},
    marker::PhantomData,
    path::{Path, PathBuf},
    ptr,
    sync::{Mutex, PoisonError},
};

use crate::{Chroma, Compression, Error, LoadError};

mod c_api;
mod image;

use c_api::*;
pub use image::{Encoder, Handle, Image, Nclx, Plane};

/// The name the system's dynamic loader finds libheif 1.x by.
#[cfg(target_os = "macos")]
pub(crate) const DEFAULT_LIBRARY: &str = "libheif.1.dylib";
#[cfg(windows)]
pub(crate) const DEFAULT_LIBRARY: &str = "heif.dll";
#[cfg(not(any(target_os = "macos", windows)))]
pub(crate) const DEFAULT_LIBRARY: &str = "libheif.so.1";

/// Libraries loaded so far, by the name asked for: each is opened,
/// checked and initialised once per process.
static LOADED: Mutex<Vec<(PathBuf, &'static Api)>> = Mutex::new(Vec::new());

/// A loaded libheif 1.14 or newer: the entry point to everything else.
#[derive(Clone, Copy)]
pub struct Libheif {
    api: &'static Api,
}

impl std::fmt::Debug for Libheif {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Libheif({})", self.version())
    }
}

impl Libheif {
    /// Loads libheif from `path`, or by its usual name through the system's
    /// library search path (`libheif.so.1` on Linux) when `None`. A library
    /// already loaded under that name is reused.
    pub fn load(path: Option<&Path>) -> Result<Self, LoadError> {
        let path = path.map_or_else(|| PathBuf::from(DEFAULT_LIBRARY), Path::to_path_buf);
        let mut loaded = LOADED.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, api)) = loaded.iter().find(|(p, _)| *p == path) {
            return Ok(Self { api });
        }
        // SAFETY: opening a library runs its initialisers; libheif's and
        // its codecs' are plain C/C++ static constructors that touch
        // nothing of this process's state. Which file is opened is the
        // caller's choice, trusted like LD_LIBRARY_PATH.
        let library =
            unsafe { libloading::Library::new(&path) }.map_err(|e| LoadError::NotFound {
                library: path.clone(),
                reason: describe(&e),
            })?;
        // SAFETY: a library that exports these names is taken to be
        // libheif, whose symbols have the header's types; the version is
        // checked right below, before anything else is called.
        let api = unsafe { Api::resolve(library, &path) }?;
        // SAFETY: both take no arguments and only return constants.
        let (major, minor) = unsafe {
            (
                (api.heif_get_version_number_major)(),
                (api.heif_get_version_number_minor)(),
            )
        };
        if major != 1 || minor < 14 {
            return Err(LoadError::TooOld {
                library: path,
                version: format!("{major}.{minor}"),
            });
        }
        // SAFETY: NULL asks for the default parameters (heif.h). Matched
        // by no heif_deinit: the library stays loaded and initialised for
        // the rest of the process.
        let err = unsafe { (api.heif_init)(ptr::null_mut()) };
        check(err).map_err(|e| LoadError::Init(e.to_string()))?;
        // Never closed: unloading the codecs' C++ runtime state mid-process
        // is fragile, and a second notice would pay the load again.
        let api: &'static Api = Box::leak(Box::new(api));
        loaded.push((path, api));
        Ok(Self { api })
    }

    /// libheif's version, e.g. "1.15.1".
    pub fn version(&self) -> String {
        // SAFETY: returns a pointer to a static NUL-terminated string.
        let v = unsafe { (self.api.heif_get_version)() };
        if v.is_null() {
            return String::new();
        }
        // SAFETY: non-NULL, static and NUL-terminated (above).
        unsafe { CStr::from_ptr(v) }.to_string_lossy().into_owned()
    }

    /// Reads the HEIF file in `bytes` (not copied: the context borrows it).
    pub fn read<'a>(&self, bytes: &'a [u8]) -> Result<Context<'a>, Error> {
        let ctx = self.new_context()?;
        // SAFETY: ctx.ptr is live; `bytes` outlives the returned context
        // (lifetime 'a), as read_from_memory_without_copy requires; the
        // options pointer may be NULL.
        let err = unsafe {
            (self.api.heif_context_read_from_memory_without_copy)(
                ctx.ptr,
                bytes.as_ptr().cast(),
                bytes.len(),
                ptr::null(),
            )
        };
        check(err)?;
        Ok(ctx)
    }

    /// An empty context to encode images into.
    pub fn new_context<'a>(&self) -> Result<Context<'a>, Error> {
        // SAFETY: takes nothing; returns a new context or NULL.
        let ptr = unsafe { (self.api.heif_context_alloc)() };
        if ptr.is_null() {
            return Err(Error::Null("context"));
        }
        Ok(Context {
            api: self.api,
            ptr,
            _input: PhantomData,
        })
    }

    /// A new image of `width` x `height` interleaved RGB(A) pixels, with
    /// no plane yet ([`Image::add_interleaved_plane`]).
    pub fn new_image(&self, width: u32, height: u32, chroma: Chroma) -> Result<Image, Error> {
        let (w, h) = (int(width)?, int(height)?);
        let mut ptr = ptr::null_mut();
        // SAFETY: plain values and a pointer to our out-variable.
        let err =
            unsafe { (self.api.heif_image_create)(w, h, COLORSPACE_RGB, chroma.code(), &mut ptr) };
        check(err)?;
        if ptr.is_null() {
            return Err(Error::Null("image"));
        }
        Ok(Image { api: self.api, ptr })
    }

    /// libheif's default encoder for `format` (x265 for HEVC, libaom for
    /// AV1 on Debian).
    pub fn encoder(&self, format: Compression) -> Result<Encoder, Error> {
        let mut ptr = ptr::null_mut();
        // SAFETY: the context may be NULL (heif.h); out-pointer is ours.
        let err = unsafe {
            (self.api.heif_context_get_encoder_for_format)(ptr::null_mut(), format.code(), &mut ptr)
        };
        check(err)?;
        if ptr.is_null() {
            return Err(Error::Null("encoder"));
        }
        Ok(Encoder { api: self.api, ptr })
    }
}

/// A HEIF file read from memory (`'a`), or being written.
pub struct Context<'a> {
    api: &'static Api,
    ptr: *mut HeifContext,
    _input: PhantomData<&'a [u8]>,
}

impl<'a> Context<'a> {
    /// The primary image.
    pub fn primary_image(&self) -> Result<Handle<'a>, Error> {
        let mut ptr = ptr::null_mut();
        // SAFETY: self.ptr is live; out-pointer is ours.
        let err = unsafe { (self.api.heif_context_get_primary_image_handle)(self.ptr, &mut ptr) };
        check(err)?;
        handle(self.api, ptr)
    }

    /// Encodes `image` with `encoder` as a new (primary) image.
    pub fn encode(&mut self, image: &Image, encoder: &mut Encoder) -> Result<Handle<'a>, Error> {
        let mut ptr = ptr::null_mut();
        // SAFETY: all three objects are live; NULL options are the defaults.
        let err = unsafe {
            (self.api.heif_context_encode_image)(
                self.ptr,
                image.ptr,
                encoder.ptr,
                ptr::null(),
                &mut ptr,
            )
        };
        check(err)?;
        handle(self.api, ptr)
    }

    /// Attaches an Exif block (TIFF data, without the HEIF offset word:
    /// libheif adds its own) to `image`.
    pub fn add_exif(&mut self, image: &Handle<'_>, data: &[u8]) -> Result<(), Error> {
        let size = int(data.len() as u64)?;
        // SAFETY: live objects; libheif copies `data` during the call.
        check(unsafe {
            (self.api.heif_context_add_exif_metadata)(
                self.ptr,
                image.ptr,
                data.as_ptr().cast(),
                size,
            )
        })
    }

    /// Attaches an XMP packet to `image`.
    pub fn add_xmp(&mut self, image: &Handle<'_>, data: &[u8]) -> Result<(), Error> {
        let size = int(data.len() as u64)?;
        // SAFETY: live objects; libheif copies `data` during the call.
        check(unsafe {
            (self.api.heif_context_add_XMP_metadata)(
                self.ptr,
                image.ptr,
                data.as_ptr().cast(),
                size,
            )
        })
    }

    /// The file's bytes.
    pub fn write(&self) -> Result<Vec<u8>, Error> {
        let mut out: Vec<u8> = Vec::new();
        let mut writer = HeifWriter {
            writer_api_version: 1,
            write: write_to_vec,
        };
        // SAFETY: the writer and `out` (its user data) live through the
        // call, which is the only time libheif calls `write_to_vec`.
        let err = unsafe {
            (self.api.heif_context_write)(self.ptr, &mut writer, ptr::from_mut(&mut out).cast())
        };
        check(err)?;
        Ok(out)
    }
}

impl Drop for Context<'_> {
    fn drop(&mut self) {
        // SAFETY: owned, freed once. Handles taken from it stay valid
        // (libheif reference-counts the file inside).
        unsafe { (self.api.heif_context_free)(self.ptr) }
    }
}

/// libheif's writer callback: appends the bytes to the `Vec<u8>` passed
/// as user data.
unsafe extern "C" fn write_to_vec(
    _ctx: *mut HeifContext,
    data: *const c_void,
    size: usize,
    user: *mut c_void,
) -> HeifError {
    // SAFETY: `user` is the `&mut Vec<u8>` Context::write passes, alive
    // and not otherwise borrowed during heif_context_write; `data` points
    // to `size` bytes libheif owns for this call.
    unsafe {
        let out = &mut *user.cast::<Vec<u8>>();
        if !data.is_null() && size > 0 {
            out.extend_from_slice(std::slice::from_raw_parts(data.cast::<u8>(), size));
        }
    }
    HeifError {
        code: 0,
        subcode: 0,
        message: c"Success".as_ptr(),
    }
}

fn handle<'a>(api: &'static Api, ptr: *mut HeifImageHandle) -> Result<Handle<'a>, Error> {
    if ptr.is_null() {
        return Err(Error::Null("image handle"));
    }
    Ok(Handle {
        api,
        ptr,
        _input: PhantomData,
    })
}

/// A `heif_error` as a Rust result, its message copied at once (libheif
/// may reuse the buffer on its next call).
fn check(err: HeifError) -> Result<(), Error> {
    if err.code == 0 {
        return Ok(());
    }
    let message = if err.message.is_null() {
        String::new()
    } else {
        // SAFETY: libheif's message is a NUL-terminated string valid until
        // its next call, which cannot happen before this copy.
        unsafe { CStr::from_ptr(err.message) }
            .to_string_lossy()
            .into_owned()
    };
    Err(Error::Libheif {
        code: err.code,
        subcode: err.subcode,
        message,
    })
}

/// The loader's error with its cause (libloading puts dlerror's text,
/// the useful part, in the source).
fn describe(e: &libloading::Error) -> String {
    match std::error::Error::source(e) {
        Some(cause) => cause.to_string(),
        None => e.to_string(),
    }
}

/// A size as the C `int` libheif takes.
fn int(v: impl Into<u64>) -> Result<c_int, Error> {
    let v: u64 = v.into();
    c_int::try_from(v).map_err(|_| Error::TooLarge(v))
}
