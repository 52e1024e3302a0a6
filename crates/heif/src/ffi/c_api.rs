//! libheif's C declarations: the opaque types, the structs passed by
//! value, the constants and the table of functions tamga calls, each
//! copied from `heif.h` (see the parent module for the version and the
//! invariants).

use std::{
    ffi::{c_char, c_int, c_void},
    marker::PhantomData,
    path::Path,
};

use super::describe;
use crate::LoadError;

/// Opaque libheif types (`struct heif_context` and so on): only ever
/// handled through pointers.
macro_rules! opaque {
    ($($name:ident),*) => {$(
        #[repr(C)]
        pub(super) struct $name {
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
pub(super) struct HeifError {
    pub(super) code: c_int,
    pub(super) subcode: c_int,
    /// Always set by libheif; valid at least until the next libheif call.
    pub(super) message: *const c_char,
}

/// `struct heif_writer` (writer_api_version 1).
#[repr(C)]
pub(super) struct HeifWriter {
    pub(super) writer_api_version: c_int,
    pub(super) write:
        unsafe extern "C" fn(*mut HeifContext, *const c_void, usize, *mut c_void) -> HeifError,
}

/// `heif_colorspace_RGB`.
pub(super) const COLORSPACE_RGB: c_int = 1;
/// `heif_channel_interleaved`.
pub(super) const CHANNEL_INTERLEAVED: c_int = 10;
/// `heif_color_profile_type_rICC` and `_prof`: the ICC kinds.
pub(super) const PROFILE_RICC: u32 = u32::from_be_bytes(*b"rICC");
pub(super) const PROFILE_PROF: u32 = u32::from_be_bytes(*b"prof");

/// Declares the table of libheif functions tamga uses and the code that
/// resolves each of them by name.
macro_rules! api {
    ($($name:ident: fn($($arg:ty),*) $(-> $ret:ty)?;)*) => {
        /// The libheif functions tamga calls, resolved once per library.
        #[allow(non_snake_case)]
        pub(super) struct Api {
            $(pub(super) $name: unsafe extern "C" fn($($arg),*) $(-> $ret)?,)*
            /// Kept so the pointers above stay valid.
            _library: libloading::Library,
        }

        impl Api {
            /// Resolves every function in `library`.
            ///
            /// # Safety
            /// `library` must be libheif 1.x, whose symbols have the types
            /// declared here (the header's).
            pub(super) unsafe fn resolve(library: libloading::Library, path: &Path) -> Result<Self, LoadError> {
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
