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
    ffi::{c_char, c_int, c_void, CStr, CString},
    marker::PhantomData,
    path::{Path, PathBuf},
    ptr,
    sync::{Mutex, PoisonError},
};

use crate::{Chroma, ColorProfile, Compression, Error, LoadError};

/// Opaque libheif types (`struct heif_context` and so on): only ever
/// handled through pointers.
macro_rules! opaque {
    ($($name:ident),*) => {$(
        #[repr(C)]
        struct $name {
            _private: [u8; 0],
            // Neither Send, Sync nor Unpin: libheif owns the object.
            _marker: PhantomData<(*mut u8, std::marker::PhantomPinned)>,
        }
    )*};
}
opaque!(
    HeifContext,
    HeifImageHandle,
    HeifImage,
    HeifEncoder,
    HeifColorProfileNclx
);

/// `struct heif_error`: returned by value.
#[repr(C)]
#[derive(Clone, Copy)]
struct HeifError {
    code: c_int,
    subcode: c_int,
    /// Always set by libheif; valid at least until the next libheif call.
    message: *const c_char,
}

/// `struct heif_writer` (writer_api_version 1).
#[repr(C)]
struct HeifWriter {
    writer_api_version: c_int,
    write: unsafe extern "C" fn(*mut HeifContext, *const c_void, usize, *mut c_void) -> HeifError,
}

/// `heif_colorspace_RGB`.
const COLORSPACE_RGB: c_int = 1;
/// `heif_channel_interleaved`.
const CHANNEL_INTERLEAVED: c_int = 10;
/// `heif_color_profile_type_rICC` and `_prof`: the ICC kinds.
const PROFILE_RICC: u32 = u32::from_be_bytes(*b"rICC");
const PROFILE_PROF: u32 = u32::from_be_bytes(*b"prof");

/// Declares the table of libheif functions tamga uses and the code that
/// resolves each of them by name.
macro_rules! api {
    ($($name:ident: fn($($arg:ty),*) $(-> $ret:ty)?;)*) => {
        /// The libheif functions tamga calls, resolved once per library.
        #[allow(non_snake_case)]
        struct Api {
            $($name: unsafe extern "C" fn($($arg),*) $(-> $ret)?,)*
            /// Kept so the pointers above stay valid.
            _library: libloading::Library,
        }

        impl Api {
            /// Resolves every function in `library`.
            ///
            /// # Safety
            /// `library` must be libheif 1.x, whose symbols have the types
            /// declared here (the header's).
            unsafe fn resolve(library: libloading::Library, path: &Path) -> Result<Self, LoadError> {
                Ok(Self {
                    $($name: *library
                        .get::<unsafe extern "C" fn($($arg),*) $(-> $ret)?>(
                            concat!(stringify!($name), "\0").as_bytes(),
                        )
                        .map_err(|e| LoadError::MissingFunction {
                            library: path.to_path_buf(),
                            function: stringify!($name),
                            reason: describe(&e),
                        })?,)*
                    _library: library,
                })
            }
        }
    };
}

api! {
    heif_get_version_number_major: fn() -> c_int;
    heif_get_version_number_minor: fn() -> c_int;
    heif_get_version: fn() -> *const c_char;
    heif_init: fn(*mut c_void) -> HeifError;
    heif_context_alloc: fn() -> *mut HeifContext;
    heif_context_free: fn(*mut HeifContext);
    heif_context_read_from_memory_without_copy:
        fn(*mut HeifContext, *const c_void, usize, *const c_void) -> HeifError;
    heif_context_get_primary_image_handle:
        fn(*mut HeifContext, *mut *mut HeifImageHandle) -> HeifError;
    heif_context_get_encoder_for_format:
        fn(*mut HeifContext, c_int, *mut *mut HeifEncoder) -> HeifError;
    heif_context_encode_image: fn(
        *mut HeifContext,
        *const HeifImage,
        *mut HeifEncoder,
        *const c_void,
        *mut *mut HeifImageHandle
    ) -> HeifError;
    heif_context_add_exif_metadata:
        fn(*mut HeifContext, *const HeifImageHandle, *const c_void, c_int) -> HeifError;
    heif_context_add_XMP_metadata:
        fn(*mut HeifContext, *const HeifImageHandle, *const c_void, c_int) -> HeifError;
    heif_context_write: fn(*mut HeifContext, *mut HeifWriter, *mut c_void) -> HeifError;
    heif_image_handle_release: fn(*const HeifImageHandle);
    heif_image_handle_get_width: fn(*const HeifImageHandle) -> c_int;
    heif_image_handle_get_height: fn(*const HeifImageHandle) -> c_int;
    heif_image_handle_has_alpha_channel: fn(*const HeifImageHandle) -> c_int;
    heif_image_handle_get_luma_bits_per_pixel: fn(*const HeifImageHandle) -> c_int;
    heif_image_handle_get_number_of_metadata_blocks:
        fn(*const HeifImageHandle, *const c_char) -> c_int;
    heif_image_handle_get_list_of_metadata_block_IDs:
        fn(*const HeifImageHandle, *const c_char, *mut u32, c_int) -> c_int;
    heif_image_handle_get_metadata_size: fn(*const HeifImageHandle, u32) -> usize;
    heif_image_handle_get_metadata: fn(*const HeifImageHandle, u32, *mut c_void) -> HeifError;
    heif_image_handle_get_color_profile_type: fn(*const HeifImageHandle) -> c_int;
    heif_image_handle_get_raw_color_profile_size: fn(*const HeifImageHandle) -> usize;
    heif_image_handle_get_raw_color_profile: fn(*const HeifImageHandle, *mut c_void) -> HeifError;
    heif_image_handle_get_nclx_color_profile:
        fn(*const HeifImageHandle, *mut *mut HeifColorProfileNclx) -> HeifError;
    heif_nclx_color_profile_free: fn(*mut HeifColorProfileNclx);
    heif_decode_image: fn(
        *const HeifImageHandle,
        *mut *mut HeifImage,
        c_int,
        c_int,
        *const c_void
    ) -> HeifError;
    heif_image_create: fn(c_int, c_int, c_int, c_int, *mut *mut HeifImage) -> HeifError;
    heif_image_add_plane: fn(*mut HeifImage, c_int, c_int, c_int, c_int) -> HeifError;
    heif_image_get_primary_width: fn(*const HeifImage) -> c_int;
    heif_image_get_primary_height: fn(*const HeifImage) -> c_int;
    heif_image_get_height: fn(*const HeifImage, c_int) -> c_int;
    heif_image_get_plane_readonly: fn(*const HeifImage, c_int, *mut c_int) -> *const u8;
    heif_image_get_plane: fn(*mut HeifImage, c_int, *mut c_int) -> *mut u8;
    heif_image_set_raw_color_profile:
        fn(*mut HeifImage, *const c_char, *const c_void, usize) -> HeifError;
    heif_image_set_nclx_color_profile:
        fn(*mut HeifImage, *const HeifColorProfileNclx) -> HeifError;
    heif_image_release: fn(*const HeifImage);
    heif_encoder_release: fn(*mut HeifEncoder);
    heif_encoder_set_lossless: fn(*mut HeifEncoder, c_int) -> HeifError;
    heif_encoder_set_lossy_quality: fn(*mut HeifEncoder, c_int) -> HeifError;
    heif_encoder_set_parameter_integer: fn(*mut HeifEncoder, *const c_char, c_int) -> HeifError;
    heif_encoder_set_parameter_string:
        fn(*mut HeifEncoder, *const c_char, *const c_char) -> HeifError;
}

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

/// One image of a file, before decoding (its size, depth, profiles and
/// metadata are known).
pub struct Handle<'a> {
    api: &'static Api,
    ptr: *mut HeifImageHandle,
    _input: PhantomData<&'a [u8]>,
}

impl Handle<'_> {
    /// Width as displayed (rotation and mirroring applied).
    pub fn width(&self) -> u32 {
        // SAFETY: self.ptr is live.
        u32::try_from(unsafe { (self.api.heif_image_handle_get_width)(self.ptr) }).unwrap_or(0)
    }

    /// Height as displayed.
    pub fn height(&self) -> u32 {
        // SAFETY: self.ptr is live.
        u32::try_from(unsafe { (self.api.heif_image_handle_get_height)(self.ptr) }).unwrap_or(0)
    }

    /// Whether an alpha plane is attached.
    pub fn has_alpha(&self) -> bool {
        // SAFETY: self.ptr is live.
        unsafe { (self.api.heif_image_handle_has_alpha_channel)(self.ptr) != 0 }
    }

    /// Bits per luma sample, `None` where the file does not say.
    pub fn luma_bits(&self) -> Option<u8> {
        // SAFETY: self.ptr is live.
        let bits = unsafe { (self.api.heif_image_handle_get_luma_bits_per_pixel)(self.ptr) };
        u8::try_from(bits).ok()
    }

    /// The ICC profile, else the NCLX colour description, if any.
    pub fn color_profile(&self) -> Option<ColorProfile> {
        // SAFETY: self.ptr is live.
        let size = unsafe { (self.api.heif_image_handle_get_raw_color_profile_size)(self.ptr) };
        // SAFETY: self.ptr is live.
        let kind = unsafe { (self.api.heif_image_handle_get_color_profile_type)(self.ptr) };
        let kind = u32::try_from(kind).unwrap_or(0);
        if size > 0 && (kind == PROFILE_RICC || kind == PROFILE_PROF) {
            let mut data = vec![0u8; size];
            // SAFETY: `data` has the size libheif just reported.
            let err = unsafe {
                (self.api.heif_image_handle_get_raw_color_profile)(
                    self.ptr,
                    data.as_mut_ptr().cast(),
                )
            };
            if check(err).is_ok() {
                return Some(ColorProfile::Icc {
                    kind: kind.to_be_bytes(),
                    data,
                });
            }
        }
        let mut nclx = ptr::null_mut();
        // SAFETY: self.ptr is live; on success libheif allocates the
        // profile, which Nclx frees.
        let err =
            unsafe { (self.api.heif_image_handle_get_nclx_color_profile)(self.ptr, &mut nclx) };
        if check(err).is_err() || nclx.is_null() {
            return None;
        }
        Some(ColorProfile::Nclx(Nclx {
            api: self.api,
            ptr: nclx,
        }))
    }

    /// The metadata blocks of item type `kind` ("Exif", "mime"), as
    /// stored; a block libheif cannot read is left out.
    pub fn metadata(&self, kind: &str) -> Vec<Vec<u8>> {
        let Ok(filter) = CString::new(kind) else {
            return Vec::new();
        };
        // SAFETY: self.ptr is live; the filter is NUL-terminated.
        let n = unsafe {
            (self.api.heif_image_handle_get_number_of_metadata_blocks)(self.ptr, filter.as_ptr())
        };
        let Ok(count) = usize::try_from(n) else {
            return Vec::new();
        };
        let mut ids = vec![0u32; count];
        // SAFETY: `ids` holds `n` entries, the count passed.
        let got = unsafe {
            (self.api.heif_image_handle_get_list_of_metadata_block_IDs)(
                self.ptr,
                filter.as_ptr(),
                ids.as_mut_ptr(),
                n,
            )
        };
        ids.truncate(usize::try_from(got).unwrap_or(0));
        ids.into_iter()
            .filter_map(|id| {
                // SAFETY: self.ptr is live.
                let size = unsafe { (self.api.heif_image_handle_get_metadata_size)(self.ptr, id) };
                if size == 0 {
                    return None;
                }
                let mut data = vec![0u8; size];
                // SAFETY: `data` has the size libheif just reported.
                let err = unsafe {
                    (self.api.heif_image_handle_get_metadata)(
                        self.ptr,
                        id,
                        data.as_mut_ptr().cast(),
                    )
                };
                check(err).ok().map(|()| data)
            })
            .collect()
    }

    /// Decodes the image to interleaved RGB(A) at `chroma`'s sample size,
    /// with its rotation and mirroring applied.
    pub fn decode(&self, chroma: Chroma) -> Result<Image, Error> {
        let mut ptr = ptr::null_mut();
        // SAFETY: self.ptr is live; NULL options are the defaults.
        let err = unsafe {
            (self.api.heif_decode_image)(
                self.ptr,
                &mut ptr,
                COLORSPACE_RGB,
                chroma.code(),
                ptr::null(),
            )
        };
        check(err)?;
        if ptr.is_null() {
            return Err(Error::Null("decoded image"));
        }
        Ok(Image { api: self.api, ptr })
    }
}

impl Drop for Handle<'_> {
    fn drop(&mut self) {
        // SAFETY: owned, released once.
        unsafe { (self.api.heif_image_handle_release)(self.ptr) }
    }
}

/// An NCLX colour description taken from one image, to give another.
pub struct Nclx {
    api: &'static Api,
    ptr: *mut HeifColorProfileNclx,
}

impl Drop for Nclx {
    fn drop(&mut self) {
        // SAFETY: allocated by libheif for us, freed once.
        unsafe { (self.api.heif_nclx_color_profile_free)(self.ptr) }
    }
}

/// Decoded or to-be-encoded pixels.
pub struct Image {
    api: &'static Api,
    ptr: *mut HeifImage,
}

/// An interleaved plane: `data` holds `stride` bytes per row.
pub struct Plane<T> {
    /// The rows, each padded to `stride` bytes.
    pub data: T,
    /// Bytes from one row's start to the next's.
    pub stride: usize,
}

impl Image {
    /// Width of the image.
    pub fn width(&self) -> u32 {
        // SAFETY: self.ptr is live.
        u32::try_from(unsafe { (self.api.heif_image_get_primary_width)(self.ptr) }).unwrap_or(0)
    }

    /// Height of the image.
    pub fn height(&self) -> u32 {
        // SAFETY: self.ptr is live.
        u32::try_from(unsafe { (self.api.heif_image_get_primary_height)(self.ptr) }).unwrap_or(0)
    }

    /// Adds the interleaved plane of `width` x `height` pixels with
    /// `depth` bits per sample (8, or 10 to 16 in 16-bit little-endian
    /// samples).
    pub fn add_interleaved_plane(
        &mut self,
        width: u32,
        height: u32,
        depth: u8,
    ) -> Result<(), Error> {
        let (w, h) = (int(width)?, int(height)?);
        // SAFETY: self.ptr is live; plain values.
        check(unsafe {
            (self.api.heif_image_add_plane)(self.ptr, CHANNEL_INTERLEAVED, w, h, c_int::from(depth))
        })
    }

    /// The interleaved plane, read-only.
    pub fn plane(&self) -> Option<Plane<&[u8]>> {
        let mut stride: c_int = 0;
        // SAFETY: self.ptr is live; out-pointer is ours.
        let data = unsafe {
            (self.api.heif_image_get_plane_readonly)(self.ptr, CHANNEL_INTERLEAVED, &mut stride)
        };
        let len = self.plane_len(data.is_null(), stride)?;
        // SAFETY: libheif allocates a plane as at least `height` rows of
        // `stride` bytes; it lives as long as the image, which this
        // borrow of `self` keeps alive and unmodified.
        let data = unsafe { std::slice::from_raw_parts(data, len) };
        Some(Plane {
            data,
            stride: usize::try_from(stride).ok()?,
        })
    }

    /// The interleaved plane, writable.
    pub fn plane_mut(&mut self) -> Option<Plane<&mut [u8]>> {
        let mut stride: c_int = 0;
        // SAFETY: self.ptr is live; out-pointer is ours.
        let data =
            unsafe { (self.api.heif_image_get_plane)(self.ptr, CHANNEL_INTERLEAVED, &mut stride) };
        let len = self.plane_len(data.is_null(), stride)?;
        // SAFETY: as in `plane`; the exclusive borrow of `self` makes
        // this the only reference to the plane.
        let data = unsafe { std::slice::from_raw_parts_mut(data, len) };
        Some(Plane {
            data,
            stride: usize::try_from(stride).ok()?,
        })
    }

    /// The plane's size in bytes, `None` without a plane.
    fn plane_len(&self, null: bool, stride: c_int) -> Option<usize> {
        if null {
            return None;
        }
        // SAFETY: self.ptr is live.
        let h = unsafe { (self.api.heif_image_get_height)(self.ptr, CHANNEL_INTERLEAVED) };
        usize::try_from(stride)
            .ok()?
            .checked_mul(usize::try_from(h).ok()?)
    }

    /// Gives the image a colour profile taken from another.
    pub fn set_color_profile(&mut self, profile: &ColorProfile) -> Result<(), Error> {
        match profile {
            ColorProfile::Icc { kind, data } => {
                let kind = CString::new(kind.to_vec()).map_err(|_| Error::Nul)?;
                // SAFETY: self.ptr is live; `kind` is the NUL-terminated
                // four characters libheif expects; it copies `data`.
                check(unsafe {
                    (self.api.heif_image_set_raw_color_profile)(
                        self.ptr,
                        kind.as_ptr(),
                        data.as_ptr().cast(),
                        data.len(),
                    )
                })
            }
            // SAFETY: both live; libheif copies the profile.
            ColorProfile::Nclx(n) => {
                check(unsafe { (self.api.heif_image_set_nclx_color_profile)(self.ptr, n.ptr) })
            }
        }
    }
}

impl Drop for Image {
    fn drop(&mut self) {
        // SAFETY: owned, released once.
        unsafe { (self.api.heif_image_release)(self.ptr) }
    }
}

/// An encoder and its settings.
pub struct Encoder {
    api: &'static Api,
    ptr: *mut HeifEncoder,
}

impl Encoder {
    /// Lossy encoding at `quality` (0-100).
    pub fn set_quality(&mut self, quality: u8) -> Result<(), Error> {
        // SAFETY: self.ptr is live; plain values.
        check(unsafe { (self.api.heif_encoder_set_lossless)(self.ptr, 0) })?;
        // SAFETY: as above.
        check(unsafe { (self.api.heif_encoder_set_lossy_quality)(self.ptr, c_int::from(quality)) })
    }

    /// Sets the encoder's integer parameter `name`.
    pub fn set_int(&mut self, name: &str, value: i32) -> Result<(), Error> {
        let name = CString::new(name).map_err(|_| Error::Nul)?;
        // SAFETY: self.ptr is live; the name is NUL-terminated.
        check(unsafe {
            (self.api.heif_encoder_set_parameter_integer)(self.ptr, name.as_ptr(), value)
        })
    }

    /// Sets the encoder's string parameter `name`.
    pub fn set_string(&mut self, name: &str, value: &str) -> Result<(), Error> {
        let name = CString::new(name).map_err(|_| Error::Nul)?;
        let value = CString::new(value).map_err(|_| Error::Nul)?;
        // SAFETY: self.ptr is live; both strings are NUL-terminated and
        // copied by libheif.
        check(unsafe {
            (self.api.heif_encoder_set_parameter_string)(self.ptr, name.as_ptr(), value.as_ptr())
        })
    }
}

impl Drop for Encoder {
    fn drop(&mut self) {
        // SAFETY: owned, released once.
        unsafe { (self.api.heif_encoder_release)(self.ptr) }
    }
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
