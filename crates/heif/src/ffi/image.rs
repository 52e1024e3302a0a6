//! The safe wrappers of libheif's image objects: a decoded file's image
//! handles, their colour profiles, the images' planes, and the encoder.

use std::{
    ffi::{c_int, CString},
    marker::PhantomData,
    ptr,
};

use super::{c_api::*, check, int};
use crate::{Chroma, ColorProfile, Error};

/// One image of a file, before decoding (its size, depth, profiles and
/// metadata are known).
pub struct Handle<'a> {
    pub(super) api: &'static Api,
    pub(super) ptr: *mut HeifImageHandle,
    pub(super) _input: PhantomData<&'a [u8]>,
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
    pub(super) api: &'static Api,
    pub(super) ptr: *mut HeifColorProfileNclx,
}

impl Drop for Nclx {
    fn drop(&mut self) {
        // SAFETY: allocated by libheif for us, freed once.
        unsafe { (self.api.heif_nclx_color_profile_free)(self.ptr) }
    }
}

/// Decoded or to-be-encoded pixels.
pub struct Image {
    pub(super) api: &'static Api,
    pub(super) ptr: *mut HeifImage,
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
    pub(super) api: &'static Api,
    pub(super) ptr: *mut HeifEncoder,
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
